"""Where the table sits on the sheet: its header row of fiscal years, label and Total columns, and unit.

Works on the sheet's filled cells only (`bch.read.xlsxsafe.SheetCells`); `bch.read.workbook` then reads the
values under the header. A layout that can't be interpreted is a finding naming the cell, never a guess.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import NamedTuple

from bch.core import cells, codes, fiscal, labels, money
from bch.core.findings import Finding, finding
from bch.read import xlsxsafe


class Layout(NamedTuple):
    header_row: int
    label_column: int
    year_columns: list[tuple[int, str]]  # (column, fiscal year label), left to right
    total_column: int | None
    unit: str
    factor: int  # pounds per unit written

    @property
    def value_columns(self) -> list[int]:
        return [col for col, _ in self.year_columns] + ([self.total_column] if self.total_column else [])

    @property
    def last_column(self) -> int:
        return self.total_column or self.year_columns[-1][0]


class Grid:
    """The chosen sheet's filled cells, each named as Excel names it, and the findings about them so far.

    Every loop runs over cells that hold a value: `numbers` are the rows holding one, in order.
    """

    def __init__(self, sheet_cells: xlsxsafe.SheetCells, title: str):
        from openpyxl.utils.cell import get_column_letter  # cached by openpyxl: every cell named is a lookup

        self.letter = get_column_letter
        self.cells = sheet_cells
        self.numbers = sorted(sheet_cells.rows)
        self.findings: list[Finding] = []
        self.name = title
        self.prefix = cells.quote_sheet(title) + "!"
        found = labels.hostile_characters(title)
        if found:  # the name is in every cell reference: keep it from reversing or breaking them
            self.name = labels.neutralise(title)
            self.prefix = cells.quote_sheet(self.name) + "!"
            self.findings.append(
                finding(
                    codes.HOSTILE_TEXT,
                    self.ref(1, 1),
                    f"the sheet's name holds {', '.join(found)}, which can reverse, hide or forge text; "
                    f"its cells are named as {self.name!r}",
                )
            )

    def ref(self, row: int, column: int) -> str:
        return f"{self.prefix}{self.letter(column)}{row}"  # cells.ref, with the sheet's quoting worked out once

    def value(self, row: int, column: int):
        return self.cells.value(row, column)

    def row_cells(self, row: int) -> list[tuple[int, object]]:
        """(column, value) of the row's filled cells, left to right."""
        return sorted(self.cells.rows.get(row, {}).items())

    def rows_from(self, first: int) -> list[int]:
        return self.numbers[bisect_left(self.numbers, first) :]


def find_layout(grid: Grid) -> Layout | None:
    """The table's layout, with findings for merged and hidden cells in it; None (and findings) if unusable."""
    for row in grid.numbers:
        year_cells = [(col, fiscal.parse_fiscal_year(value)) for col, value in grid.row_cells(row)]
        year_cells = [(col, start) for col, start in year_cells if start is not None]
        if year_cells:
            break
    else:
        grid.findings.append(
            finding(
                codes.NO_HEADER,
                grid.ref(1, 1),
                f"sheet {grid.name!r} has no header row of fiscal years (2014/15, 2015/16, …)",
            )
        )
        return None
    header = _columns(grid, row, year_cells)
    if header is None:
        return None
    label_column, year_columns, total_column = header
    unit = _unit(grid, row, year_columns, total_column)
    if unit is None:
        return None
    layout = Layout(row, label_column, year_columns, total_column, *unit)
    _note_merged_and_hidden(grid, layout)
    return layout


def _columns(grid: Grid, row: int, year_cells: list[tuple[int, int]]):
    """(label column, year columns, total column) of the header in `row`; None (and findings) if unusable."""
    ok = True
    seen: dict[int, int] = {}
    previous: tuple[int, int] | None = None  # (column, start) of the last year accepted
    for col, start in year_cells:
        label = fiscal.label(start)
        if start in seen:
            grid.findings.append(
                finding(
                    codes.DUPLICATE_YEAR,
                    grid.ref(row, col),
                    f"fiscal year {label} appears twice in the header ({grid.ref(row, seen[start])} and here)",
                )
            )
            ok = False
            continue
        seen[start] = col
        if previous:
            prev_col, prev_start = previous
            if not fiscal.follows(prev_start, start) or col != prev_col + 1:
                expected = fiscal.label(prev_start + 1)
                grid.findings.append(
                    finding(
                        codes.YEAR_SEQUENCE,
                        grid.ref(row, col),
                        f"header year {label} does not follow {fiscal.label(prev_start)} "
                        f"in the next column (expected {expected}); years must be consecutive",
                    )
                )
                ok = False
        previous = (col, start)
    if not ok:
        return None
    first_year_col = year_cells[0][0]
    last_year_col = year_cells[-1][0]
    total_column = None
    for col, value in grid.row_cells(row):
        if col > last_year_col and labels.normalise(value).startswith("total"):
            total_column = col
            break
    if first_year_col <= 1:
        grid.findings.append(
            finding(
                codes.NO_LABEL_COLUMN,
                grid.ref(row, first_year_col),
                "the header's first year has no label column to its left",
            )
        )
        return None
    return 1, [(c, fiscal.label(s)) for c, s in year_cells], total_column


def _unit(grid: Grid, header_row: int, year_columns, total_column: int | None) -> tuple[str, int] | None:
    """(unit, factor) the header states: in the Total heading, the header row or above it; None (a finding)."""
    candidates = []
    if total_column:
        candidates.append((header_row, total_column))
    candidates += [(header_row, col) for col, _ in grid.row_cells(header_row)]
    candidates += [(row, col) for row in grid.numbers if row < header_row for col, _ in grid.row_cells(row)]
    for row, col in candidates:
        text = grid.value(row, col)
        if not isinstance(text, str):
            continue
        found = money.header_unit(text)
        if found is None:
            continue
        written, factor = found
        if factor is None:
            grid.findings.append(
                finding(
                    codes.UNKNOWN_UNIT,
                    grid.ref(row, col),
                    f"the header's unit {written!r} (in {text.strip()!r}) is not one of £, £'000, £k, £m",
                )
            )
            return None
        return money.UNIT_NAMES[factor], factor
    where = total_column or year_columns[-1][0]
    grid.findings.append(
        finding(codes.NO_UNIT, grid.ref(header_row, where), 'the header states no unit (such as "Total £\'000")')
    )
    return None


def _note_merged_and_hidden(grid: Grid, layout: Layout) -> None:
    last_col = layout.last_column
    for min_row, min_col, max_row, max_col, _ in sorted(grid.cells.merged, key=lambda m: (m[0], m[1])):
        if max_row < layout.header_row or min_col > last_col:
            continue
        coord = f"{grid.letter(min_col)}{min_row}"
        if (min_row, min_col) != (max_row, max_col):
            coord += f":{grid.letter(max_col)}{max_row}"
        grid.findings.append(
            finding(
                codes.MERGED_CELLS,
                grid.ref(min_row, min_col),
                f"cells {coord} are merged; only {grid.ref(min_row, min_col)} holds a value, the others read as blank",
            )
        )
    # a hidden row below the last filled one hides nothing: only rows that can hold figures are named
    last_row = grid.numbers[-1] if grid.numbers else 0
    for row in sorted(set(grid.cells.hidden_rows)):
        if layout.header_row <= row <= last_row:
            grid.findings.append(
                finding(codes.HIDDEN_ROW, grid.ref(row, layout.label_column), f"row {row} is hidden; it is still read")
            )
    # a <col> span may claim any numbers: only the table's own columns (1 to last_col) are named
    spans = [(max(first, 1), min(last, last_col)) for first, last in grid.cells.hidden_columns]
    for first, last in sorted([s for s in spans if s[0] <= s[1]], key=lambda span: grid.letter(span[0])):
        for col in range(first, last + 1):
            grid.findings.append(
                finding(
                    codes.HIDDEN_COLUMN,
                    grid.ref(layout.header_row, col),
                    f"column {grid.letter(col)} is hidden; it is still read",
                )
            )
