"""Parsing a worksheet part's <row> elements into `bch.read.xlsxsafe.SheetCells`: each cell's value as openpyxl
would read it (or an `ExcelError`), and the formula of a cell with no cached value.

`bch.read.xlsxsafe.read_cells` streams the part and hands each <row> to a `RowReader`.
"""

from __future__ import annotations

import re
from typing import Protocol


class Cells(Protocol):
    """What a row reader fills: `bch.read.xlsxsafe.SheetCells` (named here by shape, so the two never import
    each other)."""

    rows: dict[int, dict[int, object]]
    uncached: dict[tuple[int, int], str]
    hidden_rows: list[int]
    has_cells: bool
    filled: int


MAX_COLUMN = 18_278  # ZZZ: a cell without r="…" counted past it could not be named
SHEET_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class ExcelError(str):
    """The text of a cell Excel stored as an error (t="e"), so it can't be mistaken for typed text."""


def is_true(flag: str | None) -> bool:
    return flag is not None and flag.strip().lower() in ("1", "true")


_COORDINATE = re.compile(r"([A-Za-z]{1,3})(\d+)")


class RowReader:
    """Turns <row> elements into SheetCells entries, as openpyxl's WorkSheetParser.parse_row would."""

    def __init__(self, out: Cells, parser, keep: bool):
        from openpyxl.utils.cell import column_index_from_string
        from openpyxl.worksheet import _reader

        self.out, self.parser, self.keep = out, parser, keep
        self.strings = parser.shared_strings
        self.dates = parser.date_formats
        self.cast = _reader._cast_number
        self.column_index = column_index_from_string
        self.cell_tag, self.value_tag, self.formula_tag = _reader.CELL_TAG, _reader.VALUE_TAG, _reader.FORMULA_TAG
        self.inline_tag, self.text_tag = _reader.INLINE_STRING, f"{{{SHEET_MAIN_NS}}}t"
        self.masters: dict[str, tuple[str, str]] = {}  # shared formula index -> (formula, its cell)
        self.number = 0

    def row(self, element) -> None:
        numbered = element.get("r")
        self.number = int(float(numbered)) if numbered is not None else self.number + 1
        if is_true(element.get("hidden")):
            self.out.hidden_rows.append(self.number)
        column, last = 0, None  # a cell without r follows the last one; its column is worked out only then
        for cell in element:
            if cell.tag != self.cell_tag:
                continue
            coordinate = cell.get("r")
            if coordinate is None:
                if last is not None:
                    column, last = self._place(last)[1], None
                column += 1
                if column > MAX_COLUMN:
                    raise ValueError(f"row {self.number} has a cell past column ZZZ, the last a reference can name")
                row = self.number
            elif len(cell) or not self.out.has_cells:
                row, column = self._place(coordinate)
                last = None
            else:  # a cell with no child holds only formatting: nothing to place
                last = coordinate
                continue
            if not self.out.has_cells and (row, column) != (1, 1):
                self.out.has_cells = True
            if len(cell):
                self._cell(cell, row, column, coordinate)

    def _place(self, coordinate: str) -> tuple[int, int]:
        match = _COORDINATE.fullmatch(coordinate)
        if match is None:
            raise ValueError(f"{coordinate!r} is not a cell reference")
        return int(match[2]), self.column_index(match[1].upper())

    def _cell(self, cell, row: int, column: int, coordinate: str | None) -> None:
        kind = cell.get("t", "n")
        value = cell.findtext(self.value_tag) or None
        style = cell.get("s")
        if value is not None and kind == "s":
            value = self.strings[int(value)]
        elif value is not None and kind == "n" and (not style or int(style) not in self.dates):
            value = self.cast(value)
        elif kind == "inlineStr" and (plain := self._plain_inline(cell)) is not None:
            value = plain
        elif value is not None or kind == "inlineStr":
            parsed = self.parser.parse_cell(cell)
            value = ExcelError(parsed["value"]) if parsed["data_type"] == "e" else parsed["value"]
        formula = cell.find(self.formula_tag)
        if formula is not None:
            self._formula(formula, row, column, coordinate, value)
        if value is None:
            return
        self.out.filled += 1
        if self.keep:
            found = self.out.rows.get(row)
            if found is None:
                found = self.out.rows[row] = {}
            found[column] = value

    def _plain_inline(self, cell) -> str | None:
        """The text of <is><t>…</t></is>, the form nearly every inline string takes; None for any other."""
        inline = cell.find(self.inline_tag)
        if inline is None or len(inline) != 1 or inline[0].tag != self.text_tag or len(inline[0]):
            return None
        return (inline[0].text or "").replace("x005F_", "")  # as openpyxl's Text reads it

    def _formula(self, formula, row: int, column: int, coordinate: str | None, value) -> None:
        text = "=" + (formula.text or "")
        index = formula.get("si")
        if formula.get("t") == "shared" and index is not None:
            if formula.text:
                self.masters.setdefault(index, (text, coordinate))
            elif value is None and index in self.masters and coordinate:
                from openpyxl.formula.translate import Translator

                master, origin = self.masters[index]
                text = Translator(master, origin).translate_formula(coordinate)
        if value is None:
            self.out.uncached[row, column] = text
