"""The ground every layer stands on: errors, finding codes and findings, money, fiscal years, labels, cell
references, digests, table schemas, writing files. Imports nothing else of bch.
"""
