"""The file names of what bch publishes, each declared once: every writer and reader takes them from here.

A pack holds the board pack (HTML and PDF), the workbook, its own file list, the tables (each
`bch.analyse.tables.csv_name` of its key), the executed notebooks and their HTML, and `manifest.json`
(`bch.publish.manifest.MANIFEST`, beside the format it names). The output folder holds the packs, `index.html`
listing them, the ledger (`bch.publish.ledger.LEDGER`) and `latest` (`bch.publish.packlist.LATEST`).
"""

from __future__ import annotations

from bch.analyse import tables

BOARD_PACK = "board-pack.html"
BOARD_PACK_PDF = "board-pack.pdf"
WORKBOOK = "bch-pack.xlsx"
INDEX = "index.html"  # a pack's list of its files; in the output folder, the list of its packs
TABLES = tuple(tables.csv_name(key) for key in tables.NAMES)
TIDY = tables.csv_name("savings-tidy")
FINDINGS = tables.csv_name("findings")
