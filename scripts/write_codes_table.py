"""Rewrite docs/finding-codes.md's table from `bch.core.codes` (tests/test_codes.py checks they agree).

Run: .venv/bin/python scripts/write_codes_table.py
"""

from pathlib import Path

from bch.core import codes

HEADER = "| code | severity | meaning |"


def main() -> None:
    path = Path(__file__).resolve().parents[1] / "docs" / "finding-codes.md"
    doc = path.read_text(encoding="utf-8")
    start = doc.index(HEADER)
    end = doc.find("\n\n", start)
    end = len(doc) if end < 0 else end + 1
    path.write_text(doc[:start] + codes.markdown_table() + doc[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
