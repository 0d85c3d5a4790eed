"""Cell references exactly as Excel shows them: Savings!B7, 'Table 5.2'!B7."""

from __future__ import annotations

import re

_PLAIN_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_LOOKS_LIKE_CELL = re.compile(r"[A-Za-z]{1,3}\d+")


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def quote_sheet(name: str) -> str:
    if _PLAIN_SHEET.fullmatch(name) and not _LOOKS_LIKE_CELL.fullmatch(name):
        return name
    return "'" + name.replace("'", "''") + "'"


def ref(sheet: str, row: int, column: int) -> str:
    return f"{quote_sheet(sheet)}!{column_letter(column)}{row}"


def span(sheet: str, row: int, first_column: int, last_column: int) -> str:
    """A row's run of cells: Savings!B5:F5."""
    return f"{quote_sheet(sheet)}!{column_letter(first_column)}{row}:{column_letter(last_column)}{row}"
