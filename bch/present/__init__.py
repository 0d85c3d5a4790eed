"""Saying it: formats and sentences (formats), the text report, notebook views, charts, the board pack
(HTML/PDF, templates/) and the analysts' workbook.
"""
