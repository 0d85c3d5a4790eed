"""Reading one cell of the savings table: an exact amount (or a finding, never a 0), a label made safe to show,
and the values that stand outside the table, each a finding.

`CellReader` is the `Grid` that `bch.read.workbook` reads the table's rows with.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bch.core import codes, labels, money
from bch.core.findings import finding
from bch.read import xlsxsafe
from bch.read.layout import Grid
from bch.read.sheetrows import ExcelError

EXCEL_ERRORS = {
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
}
# value-outside-table findings named one by one; any more are counted in one last finding.
MAX_STRAY_FINDINGS = 50


class CellReader(Grid):
    """The sheet's cells read one at a time, with the findings about those it could not read."""

    def __init__(self, sheet_cells: xlsxsafe.SheetCells, title: str, path: Path):
        super().__init__(sheet_cells, title)
        self.path = path
        self.factor: int | None = None
        self.unit: str | None = None
        self.strays = 0
        self.more_strays: tuple[str, int] | None = None  # (first cell, count) past MAX_STRAY_FINDINGS

    def _safe_text(self, text: str, cell: str, what: str) -> str:
        """`text` with any character that could reverse, hide or forge text made visible, and a finding."""
        found = labels.hostile_characters(text)
        if not found:
            return text
        safe = labels.neutralise(text)
        self.findings.append(
            finding(
                codes.HOSTILE_TEXT,
                cell,
                f"the {what} holds {', '.join(found)}, which can reverse, hide or forge text; read as {clip(safe)!r}",
            )
        )
        return safe

    def _stray(self, row: int, col: int, value, where: str) -> None:
        self.strays += 1
        if self.strays > MAX_STRAY_FINDINGS:
            first = self.more_strays[0] if self.more_strays else self.ref(row, col)
            self.more_strays = (first, self.strays - MAX_STRAY_FINDINGS)
            return
        self.findings.append(
            finding(
                codes.VALUE_OUTSIDE_TABLE, self.ref(row, col), f"{clip(repr(value))} stands {where}; it is not counted"
            )
        )

    def _outside_from(self, first_row: int, where: str) -> None:
        """Every filled cell from `first_row` down is outside the table."""
        for row in self.rows_from(first_row):
            for col, value in self.row_cells(row):
                if present(value):
                    self._stray(row, col, value, where)

    def _stray_cells(self, row: int, known_columns: set[int], last_col: int) -> None:
        for col, value in self.row_cells(row):
            if col not in known_columns and present(value):
                where = "beyond the table's last column" if col > last_col else "in a column with no year heading"
                self._stray(row, col, value, where)

    def _more_strays_finding(self) -> None:
        """One last finding counting the values outside the table past MAX_STRAY_FINDINGS, if any."""
        if self.more_strays:
            first, count = self.more_strays
            self.findings.append(
                finding(
                    codes.VALUE_OUTSIDE_TABLE,
                    first,
                    f"{count:,} more cells from here on hold values outside the table; none is counted",
                )
            )

    def _amount(self, row: int, col: int) -> tuple[int | None, str]:
        """(pounds, status) of one value cell; anything unreadable is a finding, never a 0."""
        value = self.value(row, col)
        where = self.ref(row, col)
        if value is None:
            formula = self.cells.uncached.get((row, col))
            if formula is not None:
                self.findings.append(
                    finding(
                        codes.FORMULA_NO_VALUE,
                        where,
                        f"formula {clip(labels.neutralise(formula))} has no cached value (the file was saved by a "
                        "program that does not calculate); open and save it in Excel, or type the figure",
                    )
                )
                return None, "unreadable"
            return None, "blank"
        if isinstance(value, ExcelError) or (isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS):
            shown = clip(labels.neutralise(str(value)))
            return self._unreadable(where, codes.EXCEL_ERROR, f"Excel error {shown} instead of a figure")
        if isinstance(value, bool):
            return self._unreadable(where, codes.BOOLEAN_VALUE, f"boolean {value} instead of a figure")
        if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
            return self._unreadable(where, codes.DATE_VALUE, f"date {value} instead of a figure")
        if isinstance(value, str) and not value.strip():
            return None, "blank"
        try:
            if isinstance(value, str):
                parsed = money.parse_amount(value, self.factor)
                if parsed.unit and money.UNIT_FACTORS[parsed.unit] != self.factor:
                    self.findings.append(
                        finding(
                            codes.UNIT_IN_CELL,
                            where,
                            f"{value.strip()!r} carries its own unit in a {self.unit} sheet; "
                            f"read as {money.format_gbp(parsed.pounds)}",
                        )
                    )
                return parsed.pounds, "value"
            return money.number_to_pounds(value, self.factor), "value"
        except money.MoneyError as exc:
            return self._unreadable(
                where, codes.NOT_MONEY, f"{exc}; it is not counted (a non-figure is never read as 0)"
            )

    def _unreadable(self, where: str, code: str, message: str) -> tuple[None, str]:
        self.findings.append(finding(code, where, message))
        return None, "unreadable"


def present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
