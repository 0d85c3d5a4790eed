"""Read the savings workbook as presented into exact amounts, keeping every value's cell.

I/O only: this module reads the values under the header into a `SavingsSheet` (amounts, cells, findings about
cells it could not read), row by row. The sheet is chosen in `bch.read.book`, its layout found in
`bch.read.layout`, and each cell read in `bch.read.cellvalues`; `bch.read.scan` holds the reading's state.
The sheet's own arithmetic is checked in `bch.analyse.checks`.
"""

from __future__ import annotations

from pathlib import Path

from bch.core import codes, labels, money
from bch.core.errors import InputError
from bch.core.findings import Finding, finding
from bch.read import xlsxsafe
from bch.read.book import read_book
from bch.read.cellvalues import CellReader, clip, present
from bch.read.layout import Layout, find_layout
from bch.read.scan import MAX_BLANK_RUN, Rows, Scan
from bch.read.sheet import FUNCTIONS, LINES, STATED, TOTAL, SavingsSheet


def read_savings(path: str | Path, sheet: str | None = None) -> SavingsSheet:
    """Load the savings table from `path` (an .xlsx). Raises InputError if it can't be read at all."""
    path = Path(path)
    with xlsxsafe.open_archive(path) as handle:
        grid, title, findings = read_book(handle, path, sheet)
    return _SheetReader(grid, title, path).read(findings)


# Function lines a savings table may hold: a real one has about ten. Past it the workbook is refused in one line
# (every line costs the pack a row in each table and chart, minutes before a cell timeout would end it).
MAX_FUNCTIONS = 1_000
# every row the table holds (lines, summary rows, and the rows refused with a finding: duplicates, unlabelled):
# without it, 50,000 repeats of one label would each be a finding, in every output
MAX_TABLE_ROWS = 2 * MAX_FUNCTIONS


class _SheetReader(CellReader):
    """Reads the values under the header into the sheet's records, from its filled cells only."""

    # -- reading ---------------------------------------------------------------------------
    def read(self, findings: list[Finding]) -> SavingsSheet:
        """The sheet: `findings` (about the workbook) first, then the layout's and the cells'."""
        if not self.cells.has_cells and self.value(1, 1) is None:
            findings.append(
                finding(codes.EMPTY_WORKBOOK, self.ref(1, 1), f"sheet {self.name!r} of {self.path.name} is empty")
            )
            layout = None
        else:
            layout = find_layout(self)
        rows = Rows()
        if layout is not None:
            self.factor, self.unit = layout.factor, layout.unit
            rows = self._read_rows(layout)
        header = layout.year_columns if layout else []
        return SavingsSheet(
            path=self.path,
            sheet=self.name,
            unit=self.unit,
            factor=self.factor,
            years=tuple(year for _, year in header),
            year_cells=tuple(self.ref(layout.header_row, col) for col, _ in header),
            lines=LINES.frame(rows.lines),
            stated=STATED.frame(rows.stated),
            functions=FUNCTIONS.frame(rows.functions),
            notes=tuple(rows.notes),
            findings=tuple(findings + self.findings),
            usable=layout is not None,
        )

    # -- helpers ---------------------------------------------------------------------------
    def _within_function_cap(self, rows: Rows, label_cell: str) -> None:
        if len(rows.functions) >= MAX_FUNCTIONS:
            raise InputError(
                f"{self.path.name} has more than {MAX_FUNCTIONS:,} function lines (the next at {label_cell}); "
                "a savings table of more is not read (bch.read.workbook.MAX_FUNCTIONS)"
            )

    def _within_table_cap(self, filled: int, label_cell: str) -> None:
        if filled > MAX_TABLE_ROWS:
            raise InputError(
                f"{self.path.name} has more than {MAX_TABLE_ROWS:,} rows in its table (the next at {label_cell}); "
                "a savings table of more is not read (bch.read.workbook.MAX_TABLE_ROWS)"
            )

    def _read_rows(self, layout: Layout) -> Rows:
        rows, scan = Rows(), Scan(layout)
        for row in self.rows_from(layout.header_row + 1):
            scan.move_to(row)
            raw_label = self.value(row, layout.label_column)
            if labels.is_notes_heading(raw_label):
                self._stray_cells(row, {layout.label_column}, scan.last_col)
                rows.notes = self._notes_from(row + 1, scan.last_col)
                break
            if scan.run > MAX_BLANK_RUN:
                self._outside_from(row, f"below the end of the table (after {scan.run:,} blank rows)")
                break
            self._read_row(rows, scan, layout, row, raw_label)
        self._more_strays_finding()
        return rows

    def _read_row(self, rows: Rows, scan: Scan, layout: Layout, row: int, raw_label) -> None:
        """One row under the header: blank, stray values, refused with a finding, or read as a line."""
        label_cell = self.ref(row, layout.label_column)
        has_values = any(present(self.value(row, col)) for col in scan.value_columns)
        label = labels.display(raw_label)
        if not label and not has_values:
            if any(present(value) for _, value in self.row_cells(row)):
                self._stray_cells(row, scan.known_columns, scan.last_col)
                scan.run = 0
            else:
                scan.blank_rows.append(row)
                scan.run += 1
            return
        scan.run = 0
        scan.filled += 1
        self._within_table_cap(scan.filled, label_cell)
        self._blank_rows_before(scan, layout, label_cell)
        self._stray_cells(row, scan.known_columns, scan.last_col)
        if not label:
            self.findings.append(
                finding(
                    codes.UNLABELLED_ROW,
                    label_cell,
                    f"row {row} has figures but no label, so they can't be attributed to a function; not counted",
                )
            )
            return
        label = self._label(raw_label, label, label_cell)
        key = labels.normalise(label)
        if self._duplicate(scan, key, label, label_cell):
            return
        scan.seen[key] = (label, label_cell)
        self._read_labelled(rows, scan, layout, row, label, key, label_cell, has_values)

    def _blank_rows_before(self, scan: Scan, layout: Layout, label_cell: str) -> None:
        """A finding for each blank row inside the table, above the row at `label_cell`."""
        for blank in scan.blank_rows:
            self.findings.append(
                finding(
                    codes.BLANK_ROW,
                    self.ref(blank, layout.label_column),
                    f"row {blank} is blank inside the table (before {label_cell}); the table reads on past it",
                )
            )
        scan.blank_rows = []

    def _label(self, raw_label, label: str, label_cell: str) -> str:
        """The row's label, made safe to show; a finding when it was not text."""
        label = self._safe_text(label, label_cell, "label")
        if not isinstance(raw_label, str):
            self.findings.append(
                finding(codes.LABEL_NOT_TEXT, label_cell, f"the label {raw_label!r} is not text; read as {label!r}")
            )
        return label

    def _duplicate(self, scan: Scan, key: str, label: str, label_cell: str) -> bool:
        """Whether a row above has this label (then a finding: its figures are not counted)."""
        if key not in scan.seen:
            return False
        first_label, first_cell = scan.seen[key]
        how = "repeats" if first_label == label else "differs only in case or spacing from"
        self.findings.append(
            finding(
                codes.DUPLICATE_LABEL,
                label_cell,
                f"label {label!r} {how} {first_label!r} at {first_cell}; its figures are not counted",
            )
        )
        return True

    def _read_labelled(
        self, rows: Rows, scan: Scan, layout: Layout, row: int, label: str, key: str, label_cell: str, has_values
    ) -> None:
        """A labelled row: a function line above the totals, a total, or below them an unknown row or a note."""
        measure = labels.measure_of(label)
        if measure:
            scan.measures_seen = True
            self._read_measure_row(rows, row, layout, measure, label)
        elif not scan.measures_seen:
            self._within_function_cap(rows, label_cell)
            self._read_function_row(rows, row, layout, label, key, label_cell)
        elif has_values:
            self.findings.append(
                finding(
                    codes.UNKNOWN_ROW,
                    label_cell,
                    f"row {label!r} below the totals is not a row this table has; its figures are not counted",
                )
            )
        else:
            self.findings.append(
                finding(
                    codes.NOTE_AS_DATA,
                    label_cell,
                    f"text {clip(label)!r} below the table has no 'Notes' heading above it; read as a note",
                )
            )
            rows.notes.append(label)

    def _notes_from(self, first_row: int, last_col: int) -> list[str]:
        notes = []
        last, run = first_row - 1, 0
        for row in self.rows_from(first_row):
            run, last = run + row - last - 1, row
            if run > MAX_BLANK_RUN:
                self._outside_from(row, f"below the notes (after {run:,} blank rows)")
                break
            texts = []
            for col, value in self.row_cells(row):
                if not present(value):
                    continue
                if col > last_col:
                    self._stray(row, col, value, "beyond the table's last column, beside the notes")
                    continue
                texts.append(self._safe_text(str(value).strip(), self.ref(row, col), "note"))
            if texts:
                notes.append(" ".join(texts))
            run = 0 if texts else run + 1
        return notes

    def _read_function_row(self, rows: Rows, row: int, layout: Layout, label: str, key: str, label_cell: str) -> None:
        for col, year in layout.year_columns:
            amount, status = self._amount(row, col)
            if status == "value" and amount < 0:
                self.findings.append(
                    finding(
                        codes.NEGATIVE_SAVING,
                        self.ref(row, col),
                        f"{label} {year} is a negative saving ({money.format_gbp(amount)}); a cost put back in budget?",
                        stated=amount,
                    )
                )
            rows.lines.append(
                {
                    "function": label,
                    "fiscal_year": year,
                    "saving_gbp": amount,
                    "cell": self.ref(row, col),
                    "status": status,
                }
            )
        total, total_status, total_cell = None, "absent", None
        if layout.total_column:
            total, total_status = self._amount(row, layout.total_column)
            total_cell = self.ref(row, layout.total_column)
        rows.functions.append(
            {
                "function": label,
                "key": key,
                "row": row,
                "label_cell": label_cell,
                "total_gbp": total,
                "total_cell": total_cell,
                "total_status": total_status,
            }
        )

    def _read_measure_row(self, rows: Rows, row: int, layout: Layout, measure: str, label: str) -> None:
        columns = list(layout.year_columns) + ([(layout.total_column, TOTAL)] if layout.total_column else [])
        for col, year in columns:
            amount, status = self._amount(row, col)
            rows.stated.append(
                {
                    "measure": measure,
                    "label": label,
                    "fiscal_year": year,
                    "amount_gbp": amount,
                    "cell": self.ref(row, col),
                    "status": status,
                }
            )
