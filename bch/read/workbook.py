"""Read the savings workbook as presented into exact amounts, keeping every value's cell.

I/O only: this module chooses the sheet, finds its layout (`bch.read.layout`) and reads the values under
the header into a `SavingsSheet` (amounts, cells, findings about cells it could not read). The
sheet's own arithmetic is checked in `bch.analyse.checks`.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

from bch.core import cells, codes, labels, money
from bch.core.errors import InputError
from bch.core.findings import Finding, finding
from bch.read import xlsxsafe
from bch.read.layout import Grid, Layout, find_layout
from bch.read.sheet import FUNCTIONS, LINES, STATED, TOTAL, SavingsSheet

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


def read_savings(path: str | Path, sheet: str | None = None) -> SavingsSheet:
    """Load the savings table from `path` (an .xlsx). Raises InputError if it can't be read at all."""
    path = Path(path)
    with xlsxsafe.open_archive(path) as handle:
        grid, title, findings = _read_book(handle, path, sheet)
    return _SheetReader(grid, title, path).read(findings)


def _read_book(handle, path: Path, name: str | None) -> tuple[xlsxsafe.SheetCells, str, list[Finding]]:
    """The chosen sheet's filled cells, its title and the findings about the other sheets.

    Read-only and streamed: nothing is read in proportion to the declared dimension or the formatting.
    Whatever fails inside openpyxl or the XML parser (TypeError, IndexError, ParseError on a part it
    can't handle) is an InputError naming the file and the part.
    """
    import openpyxl

    stage = "the workbook's structure (workbook, styles, shared strings)"
    try:
        with warnings.catch_warnings():  # openpyxl warns on parts it drops; that is no concern of a reader here
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            ws, findings = _choose_sheet(book, name, path)
            stage = f"sheet {labels.neutralise(ws.title)!r} ({ws._worksheet_path})"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grid = xlsxsafe.read_cells(book, ws, path)
            grid.blank_merged(path)
        finally:
            book.close()
    except InputError:
        raise
    except Exception as exc:  # any fault of a parser on a hostile part: one line, never a traceback
        raise InputError(
            f"{path} is not a readable .xlsx workbook: {stage} could not be read "
            f"({type(exc).__name__}: {labels.one_line(exc)})"
        ) from None
    return grid, ws.title, findings


def _choose_sheet(book, name: str | None, path: Path):
    findings: list[Finding] = []
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    if name is not None:
        if name not in book.sheetnames:
            raise InputError(f"{path} has no sheet {name!r}; its sheets are: {', '.join(book.sheetnames)}")
        chosen = book[name]
    elif len(visible) == 1:
        chosen = book[visible[0]]
    elif not visible:
        raise InputError(f"{path} has no visible sheet; choose one with --sheet from: {', '.join(book.sheetnames)}")
    else:
        raise InputError(f"{path} has {len(visible)} visible sheets ({', '.join(visible)}); choose one with --sheet")
    if chosen not in book.worksheets:
        raise InputError(f"{path}: sheet {chosen.title!r} is a chart sheet, not a table")
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            filled = xlsxsafe.count_filled(book, ws)
            read = "it is the sheet read" if ws is chosen else "its figures are not read"
            findings.append(
                finding(
                    codes.HIDDEN_SHEET,
                    cells.ref(ws.title, 1, 1),
                    f"sheet {ws.title!r} is {ws.sheet_state} and holds {filled} filled cells; {read}",
                )
            )
    return chosen, findings


class _Rows:
    """Records collected while reading (plain class: `bch check` pays for every dataclass it builds)."""

    def __init__(self):
        self.lines: list[dict] = []
        self.stated: list[dict] = []
        self.functions: list[dict] = []
        self.notes: list[str] = []


# A run of more blank rows than this ends the table (or its notes): a value below it stands outside.
MAX_BLANK_RUN = 10
# value-outside-table findings named one by one; any more are counted in one last finding.
MAX_STRAY_FINDINGS = 50
# Function lines a savings table may hold: a real one has about ten. Past it the workbook is refused in one line
# (every line costs the pack a row in each table and chart, minutes before a cell timeout would end it).
MAX_FUNCTIONS = 1_000
# every row the table holds (lines, summary rows, and the rows refused with a finding: duplicates, unlabelled):
# without it, 50,000 repeats of one label would each be a finding, in every output
MAX_TABLE_ROWS = 2 * MAX_FUNCTIONS


class _SheetReader(Grid):
    """Reads the values under the header into the sheet's records, from its filled cells only."""

    def __init__(self, sheet_cells: xlsxsafe.SheetCells, title: str, path: Path):
        super().__init__(sheet_cells, title)
        self.path = path
        self.factor: int | None = None
        self.unit: str | None = None
        self.strays = 0
        self.more_strays: tuple[str, int] | None = None  # (first cell, count) past MAX_STRAY_FINDINGS

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
        rows = _Rows()
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
    def _within_function_cap(self, rows: _Rows, label_cell: str) -> None:
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
                f"the {what} holds {', '.join(found)}, which can reverse, hide or forge text; read as {_clip(safe)!r}",
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
                codes.VALUE_OUTSIDE_TABLE, self.ref(row, col), f"{_clip(repr(value))} stands {where}; it is not counted"
            )
        )

    def _outside_from(self, first_row: int, where: str) -> None:
        """Every filled cell from `first_row` down is outside the table."""
        for row in self.rows_from(first_row):
            for col, value in self.row_cells(row):
                if _present(value):
                    self._stray(row, col, value, where)

    def _read_rows(self, layout: Layout) -> _Rows:
        rows = _Rows()
        seen: dict[str, tuple[str, str]] = {}  # normalised label -> (label, cell)
        measures_seen = False
        blank_rows: list[int] = []
        value_columns = layout.value_columns
        known_columns = {layout.label_column, *value_columns}
        last_col = max(known_columns)
        last = layout.header_row  # the last row looked at
        run = 0  # blank rows since the last row that held anything
        filled = 0  # rows that held something
        for row in self.rows_from(layout.header_row + 1):
            gap = row - last - 1
            if gap and run + gap <= MAX_BLANK_RUN:
                blank_rows.extend(range(last + 1, row))
            run, last = run + gap, row
            raw_label = self.value(row, layout.label_column)
            label_cell = self.ref(row, layout.label_column)
            if labels.is_notes_heading(raw_label):
                self._stray_cells(row, {layout.label_column}, last_col)
                rows.notes = self._notes_from(row + 1, last_col)
                break
            if run > MAX_BLANK_RUN:
                self._outside_from(row, f"below the end of the table (after {run:,} blank rows)")
                break
            has_values = any(_present(self.value(row, col)) for col in value_columns)
            label = labels.display(raw_label)
            if not label and not has_values:
                if any(_present(value) for _, value in self.row_cells(row)):
                    self._stray_cells(row, known_columns, last_col)
                    run = 0
                else:
                    blank_rows.append(row)
                    run += 1
                continue
            run = 0
            filled += 1
            self._within_table_cap(filled, label_cell)
            for blank in blank_rows:
                self.findings.append(
                    finding(
                        codes.BLANK_ROW,
                        self.ref(blank, layout.label_column),
                        f"row {blank} is blank inside the table (before {label_cell}); the table reads on past it",
                    )
                )
            blank_rows = []
            self._stray_cells(row, known_columns, last_col)
            if not label:
                self.findings.append(
                    finding(
                        codes.UNLABELLED_ROW,
                        label_cell,
                        f"row {row} has figures but no label, so they can't be attributed to a function; not counted",
                    )
                )
                continue
            label = self._safe_text(label, label_cell, "label")
            if not isinstance(raw_label, str):
                self.findings.append(
                    finding(codes.LABEL_NOT_TEXT, label_cell, f"the label {raw_label!r} is not text; read as {label!r}")
                )
            key = labels.normalise(label)
            if key in seen:
                first_label, first_cell = seen[key]
                how = "repeats" if first_label == label else "differs only in case or spacing from"
                self.findings.append(
                    finding(
                        codes.DUPLICATE_LABEL,
                        label_cell,
                        f"label {label!r} {how} {first_label!r} at {first_cell}; its figures are not counted",
                    )
                )
                continue
            seen[key] = (label, label_cell)
            measure = labels.measure_of(label)
            if measure:
                measures_seen = True
                self._read_measure_row(rows, row, layout, measure, label)
            elif not measures_seen:
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
                        f"text {_clip(label)!r} below the table has no 'Notes' heading above it; read as a note",
                    )
                )
                rows.notes.append(label)
        if self.more_strays:
            first, count = self.more_strays
            self.findings.append(
                finding(
                    codes.VALUE_OUTSIDE_TABLE,
                    first,
                    f"{count:,} more cells from here on hold values outside the table; none is counted",
                )
            )
        return rows

    def _stray_cells(self, row: int, known_columns: set[int], last_col: int) -> None:
        for col, value in self.row_cells(row):
            if col not in known_columns and _present(value):
                where = "beyond the table's last column" if col > last_col else "in a column with no year heading"
                self._stray(row, col, value, where)

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
                if not _present(value):
                    continue
                if col > last_col:
                    self._stray(row, col, value, "beyond the table's last column, beside the notes")
                    continue
                texts.append(self._safe_text(str(value).strip(), self.ref(row, col), "note"))
            if texts:
                notes.append(" ".join(texts))
            run = 0 if texts else run + 1
        return notes

    def _read_function_row(self, rows: _Rows, row: int, layout: Layout, label: str, key: str, label_cell: str) -> None:
        for col, year in layout.year_columns:
            amount, status = self._amount(row, col)
            if status == "value" and amount < 0:
                self.findings.append(
                    finding(
                        codes.NEGATIVE_SAVING,
                        self.ref(row, col),
                        f"{label} {year} is a negative saving ({money.format_gbp(amount)}); a cost put back in budget?",
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

    def _read_measure_row(self, rows: _Rows, row: int, layout: Layout, measure: str, label: str) -> None:
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
                        f"formula {_clip(labels.neutralise(formula))} has no cached value (the file was saved by a "
                        "program that does not calculate); open and save it in Excel, or type the figure",
                    )
                )
                return None, "unreadable"
            return None, "blank"
        if isinstance(value, xlsxsafe.ExcelError) or (isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS):
            shown = _clip(labels.neutralise(str(value)))
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


def _present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
