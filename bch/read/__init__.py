"""Reading inputs as received: the savings workbook (xlsxsafe, layout, workbook, sheet), the register and
claims CSVs, the editions catalogue and its withdrawals. Imports only bch.core (and bch.paths).
"""
