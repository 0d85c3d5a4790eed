"""Read the savings workbook as presented into exact amounts, keeping every value's cell.

I/O only: this module turns cells into a `SavingsSheet` (amounts, cells, findings about
cells it could not read). The sheet's own arithmetic is checked in `bch.checks`.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from bch import cells, fiscal, labels, money, xlsxsafe
from bch.errors import InputError
from bch.findings import Finding, error, warning
from bch.sheet import FUNCTION_COLUMNS, LINE_COLUMNS, STATED_COLUMNS, TOTAL, SavingsSheet

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
            f"({type(exc).__name__}: {xlsxsafe.one_line(exc)})"
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
                warning(
                    "hidden-sheet",
                    cells.ref(ws.title, 1, 1),
                    f"sheet {ws.title!r} is {ws.sheet_state} and holds {filled} filled cells; {read}",
                )
            )
    return chosen, findings


class _Layout(NamedTuple):
    header_row: int
    label_column: int
    year_columns: list[tuple[int, str]]
    total_column: int | None


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


class _SheetReader:
    """Reads the table from the sheet's filled cells only: every loop runs over cells that hold a value."""

    def __init__(self, grid: xlsxsafe.SheetCells, title: str, path: Path):
        self.grid = grid
        self.numbers = sorted(grid.rows)  # the rows holding a value, in order
        self.path = path
        self.findings: list[Finding] = []
        self.name = title
        self.prefix = cells.quote_sheet(title) + "!"
        found = labels.hostile_characters(title)
        if found:  # the name is in every cell reference: keep it from reversing or breaking them
            self.name = labels.neutralise(title)
            self.prefix = cells.quote_sheet(self.name) + "!"
            self.findings.append(
                warning(
                    "hostile-text",
                    self.ref(1, 1),
                    f"the sheet's name holds {', '.join(found)}, which can reverse, hide or forge text; "
                    f"its cells are named as {self.name!r}",
                )
            )
        self.factor: int | None = None
        self.unit: str | None = None
        self.strays = 0
        self.more_strays: tuple[str, int] | None = None  # (first cell, count) past MAX_STRAY_FINDINGS

    # -- helpers ---------------------------------------------------------------------------
    def ref(self, row: int, column: int) -> str:
        return f"{self.prefix}{_letter(column)}{row}"  # cells.ref, with the sheet's quoting worked out once

    def value(self, row: int, column: int):
        return self.grid.value(row, column)

    def row_cells(self, row: int) -> list[tuple[int, object]]:
        """(column, value) of the row's filled cells, left to right."""
        return sorted(self.grid.rows.get(row, {}).items())

    def rows_from(self, first: int) -> list[int]:
        from bisect import bisect_left

        return self.numbers[bisect_left(self.numbers, first) :]

    def _unusable(self, findings: list[Finding]) -> SavingsSheet:
        return SavingsSheet(
            path=self.path,
            sheet=self.name,
            unit=self.unit,
            factor=self.factor,
            years=(),
            lines=pd.DataFrame(columns=LINE_COLUMNS),
            stated=pd.DataFrame(columns=STATED_COLUMNS),
            functions=pd.DataFrame(columns=FUNCTION_COLUMNS),
            findings=tuple(findings + self.findings),
            usable=False,
        )

    def _safe_text(self, text: str, cell: str, what: str) -> str:
        """`text` with any character that could reverse, hide or forge text made visible, and a finding."""
        found = labels.hostile_characters(text)
        if not found:
            return text
        safe = labels.neutralise(text)
        self.findings.append(
            warning(
                "hostile-text",
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
            error("value-outside-table", self.ref(row, col), f"{_clip(repr(value))} stands {where}; it is not counted")
        )

    def _outside_from(self, first_row: int, where: str) -> None:
        """Every filled cell from `first_row` down is outside the table."""
        for row in self.rows_from(first_row):
            for col, value in self.row_cells(row):
                if _present(value):
                    self._stray(row, col, value, where)

    # -- reading ---------------------------------------------------------------------------
    def read(self, findings: list[Finding]) -> SavingsSheet:
        if not self.grid.has_cells and self.value(1, 1) is None:
            findings.append(error("empty-workbook", None, f"sheet {self.name!r} of {self.path.name} is empty"))
            return self._unusable(findings)
        layout = self._find_layout()
        if layout is None:
            return self._unusable(findings)
        self._read_unit(layout)
        if self.factor is None:
            return self._unusable(findings)
        self._note_merged_and_hidden(layout)
        rows = self._read_rows(layout)
        if self.more_strays:
            first, count = self.more_strays
            self.findings.append(
                error(
                    "value-outside-table",
                    first,
                    f"{count:,} more cells from here on hold values outside the table; none is counted",
                )
            )
        return SavingsSheet(
            path=self.path,
            sheet=self.name,
            unit=self.unit,
            factor=self.factor,
            years=tuple(year for _, year in layout.year_columns),
            year_cells=tuple(self.ref(layout.header_row, col) for col, _ in layout.year_columns),
            lines=_frame(rows.lines, LINE_COLUMNS, "saving_gbp"),
            stated=_frame(rows.stated, STATED_COLUMNS, "amount_gbp"),
            functions=_frame(rows.functions, FUNCTION_COLUMNS, "total_gbp"),
            notes=tuple(rows.notes),
            findings=tuple(findings + self.findings),
        )

    def _find_layout(self) -> _Layout | None:
        for row in self.numbers:
            year_cells = [(col, fiscal.parse_fiscal_year(value)) for col, value in self.row_cells(row)]
            year_cells = [(col, start) for col, start in year_cells if start is not None]
            if year_cells:
                return self._layout_from_header(row, year_cells)
        self.findings.append(
            error("no-header", None, f"sheet {self.name!r} has no header row of fiscal years (2014/15, 2015/16, …)")
        )
        return None

    def _layout_from_header(self, row: int, year_cells: list[tuple[int, int]]) -> _Layout | None:
        ok = True
        seen: dict[int, int] = {}
        previous: tuple[int, int] | None = None  # (column, start) of the last year accepted
        for col, start in year_cells:
            label = fiscal.label(start)
            if start in seen:
                self.findings.append(
                    error(
                        "duplicate-year",
                        self.ref(row, col),
                        f"fiscal year {label} appears twice in the header ({self.ref(row, seen[start])} and here)",
                    )
                )
                ok = False
                continue
            seen[start] = col
            if previous:
                prev_col, prev_start = previous
                if not fiscal.follows(prev_start, start) or col != prev_col + 1:
                    expected = fiscal.label(prev_start + 1)
                    self.findings.append(
                        error(
                            "year-sequence",
                            self.ref(row, col),
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
        for col, value in self.row_cells(row):
            if col > last_year_col and labels.normalise(value).startswith("total"):
                total_column = col
                break
        label_column = 1 if first_year_col > 1 else None
        if label_column is None:
            self.findings.append(
                error(
                    "no-label-column",
                    self.ref(row, first_year_col),
                    "the header's first year has no label column to its left",
                )
            )
            return None
        return _Layout(row, label_column, [(c, fiscal.label(s)) for c, s in year_cells], total_column)

    def _read_unit(self, layout: _Layout) -> None:
        candidates = []
        if layout.total_column:
            candidates.append((layout.header_row, layout.total_column))
        candidates += [(layout.header_row, col) for col, _ in self.row_cells(layout.header_row)]
        candidates += [(row, col) for row in self.numbers if row < layout.header_row for col, _ in self.row_cells(row)]
        for row, col in candidates:
            text = self.value(row, col)
            if not isinstance(text, str):
                continue
            found = money.header_unit(text)
            if found is None:
                continue
            written, factor = found
            if factor is None:
                self.findings.append(
                    error(
                        "unknown-unit",
                        self.ref(row, col),
                        f"the header's unit {written!r} (in {text.strip()!r}) is not one of £, £'000, £k, £m",
                    )
                )
                return
            self.factor, self.unit = factor, money.UNIT_NAMES[factor]
            return
        where = layout.total_column or layout.year_columns[-1][0]
        self.findings.append(
            error("no-unit", self.ref(layout.header_row, where), 'the header states no unit (such as "Total £\'000")')
        )

    def _note_merged_and_hidden(self, layout: _Layout) -> None:
        last_col = layout.total_column or layout.year_columns[-1][0]
        for min_row, min_col, max_row, max_col, _ in sorted(self.grid.merged, key=lambda m: (m[0], m[1])):
            if max_row < layout.header_row or min_col > last_col:
                continue
            coord = f"{cells.column_letter(min_col)}{min_row}"
            if (min_row, min_col) != (max_row, max_col):
                coord += f":{cells.column_letter(max_col)}{max_row}"
            self.findings.append(
                warning(
                    "merged-cells",
                    self.ref(min_row, min_col),
                    f"cells {coord} are merged; only {self.ref(min_row, min_col)} holds a value, "
                    "the others read as blank",
                )
            )
        # a hidden row below the last filled one hides nothing: only rows that can hold figures are named
        last_row = self.numbers[-1] if self.numbers else 0
        for row in sorted(set(self.grid.hidden_rows)):
            if layout.header_row <= row <= last_row:
                self.findings.append(
                    warning("hidden-row", self.ref(row, layout.label_column), f"row {row} is hidden; it is still read")
                )
        for first, last in sorted(self.grid.hidden_columns, key=lambda span: cells.column_letter(span[0])):
            for col in range(first, min(last, last_col) + 1):
                self.findings.append(
                    warning(
                        "hidden-column",
                        self.ref(layout.header_row, col),
                        f"column {cells.column_letter(col)} is hidden; it is still read",
                    )
                )

    def _read_rows(self, layout: _Layout) -> _Rows:
        rows = _Rows()
        seen: dict[str, tuple[str, str]] = {}  # normalised label -> (label, cell)
        measures_seen = False
        blank_rows: list[int] = []
        value_columns = [col for col, _ in layout.year_columns] + ([layout.total_column] if layout.total_column else [])
        known_columns = {layout.label_column, *value_columns}
        last_col = max(known_columns)
        last = layout.header_row  # the last row looked at
        run = 0  # blank rows since the last row that held anything
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
            for blank in blank_rows:
                self.findings.append(
                    warning(
                        "blank-row",
                        self.ref(blank, layout.label_column),
                        f"row {blank} is blank inside the table (before {label_cell}); the table reads on past it",
                    )
                )
            blank_rows = []
            self._stray_cells(row, known_columns, last_col)
            if not label:
                self.findings.append(
                    error(
                        "unlabelled-row",
                        label_cell,
                        f"row {row} has figures but no label, so they can't be attributed to a function; not counted",
                    )
                )
                continue
            label = self._safe_text(label, label_cell, "label")
            if not isinstance(raw_label, str):
                self.findings.append(
                    warning("label-not-text", label_cell, f"the label {raw_label!r} is not text; read as {label!r}")
                )
            key = labels.normalise(label)
            if key in seen:
                first_label, first_cell = seen[key]
                how = "repeats" if first_label == label else "differs only in case or spacing from"
                self.findings.append(
                    error(
                        "duplicate-label",
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
                self._read_function_row(rows, row, layout, label, key, label_cell)
            elif has_values:
                self.findings.append(
                    error(
                        "unknown-row",
                        label_cell,
                        f"row {label!r} below the totals is not a row this table has; its figures are not counted",
                    )
                )
            else:
                self.findings.append(
                    warning(
                        "note-as-data",
                        label_cell,
                        f"text {_clip(label)!r} below the table has no 'Notes' heading above it; read as a note",
                    )
                )
                rows.notes.append(label)
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

    def _read_function_row(self, rows: _Rows, row: int, layout: _Layout, label: str, key: str, label_cell: str) -> None:
        for col, year in layout.year_columns:
            amount, status = self._amount(row, col)
            if status == "value" and amount < 0:
                self.findings.append(
                    warning(
                        "negative-saving",
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

    def _read_measure_row(self, rows: _Rows, row: int, layout: _Layout, measure: str, label: str) -> None:
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
            formula = self.grid.uncached.get((row, col))
            if formula is not None:
                self.findings.append(
                    error(
                        "formula-no-value",
                        where,
                        f"formula {_clip(labels.neutralise(formula))} has no cached value (the file was saved by a "
                        "program that does not calculate); open and save it in Excel, or type the figure",
                    )
                )
                return None, "unreadable"
            return None, "blank"
        if isinstance(value, xlsxsafe.ExcelError) or (isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS):
            shown = _clip(labels.neutralise(str(value)))
            return self._unreadable(where, "excel-error", f"Excel error {shown} instead of a figure")
        if isinstance(value, bool):
            return self._unreadable(where, "boolean-value", f"boolean {value} instead of a figure")
        if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
            return self._unreadable(where, "date-value", f"date {value} instead of a figure")
        if isinstance(value, str) and not value.strip():
            return None, "blank"
        try:
            if isinstance(value, str):
                parsed = money.parse_amount(value, self.factor)
                if parsed.unit and money.UNIT_FACTORS[parsed.unit] != self.factor:
                    self.findings.append(
                        warning(
                            "unit-in-cell",
                            where,
                            f"{value.strip()!r} carries its own unit in a {self.unit} sheet; "
                            f"read as {money.format_gbp(parsed.pounds)}",
                        )
                    )
                return parsed.pounds, "value"
            return money.number_to_pounds(value, self.factor), "value"
        except money.MoneyError as exc:
            return self._unreadable(where, "not-money", f"{exc}; it is not counted (a non-figure is never read as 0)")

    def _unreadable(self, where: str, code: str, message: str) -> tuple[None, str]:
        self.findings.append(error(code, where, message))
        return None, "unreadable"


@functools.lru_cache(maxsize=1024)
def _letter(column: int) -> str:
    return cells.column_letter(column)


def _present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _frame(records: list[dict], columns: list[str], money_column: str) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame[money_column] = frame[money_column].astype("Int64")
    return frame
