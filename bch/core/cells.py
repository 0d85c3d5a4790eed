"""Cell references exactly as Excel shows them: Savings!B7, 'Table 5.2'!B7."""

from __future__ import annotations

import re

_PLAIN_SHEET = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_LOOKS_LIKE_CELL = re.compile(r"[A-Za-z]{1,3}\d+")


def quote_sheet(name: str) -> str:
    """The sheet's name as a reference writes it: bare when plain (Savings), else quoted ('Table 5.2')."""
    if _PLAIN_SHEET.fullmatch(name) and not _LOOKS_LIKE_CELL.fullmatch(name):
        return name
    from openpyxl.utils.cell import quote_sheetname  # it quotes every name, so plain ones stop above

    return quote_sheetname(name)


def ref(sheet: str, row: int, column: int) -> str:
    return f"{quote_sheet(sheet)}!{column_letter(column)}{row}"


def column_letter(column: int) -> str:
    """Column 11 as Excel names it: K."""
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(column)
