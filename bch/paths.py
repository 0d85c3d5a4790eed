"""Every default path of the project, in one place."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
NOTEBOOKS = ROOT / "notebooks"
OUTPUTS = ROOT / "outputs"

SAVINGS_WORKBOOK = RAW / "bch-savings-2018-07-19.xlsx"
BUSINESS_CASES = RAW / "business-cases.csv"
PAPER_CLAIMS = RAW / "paper-claims.csv"
