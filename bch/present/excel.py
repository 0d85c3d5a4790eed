"""`bch-pack.xlsx`: a pack's tables as one workbook for analysts who filter and pivot, and that prints (each
sheet landscape, one page wide, its header row on every page). What the sheets hold is `bch.present.workbook`'s.

Money stays exact int pounds shown with a £ format, so a sum in Excel is a sum of the figures bch
checked; each figure's source cell stays in its own column, naming the workbook it is in. Percentages are fractions
shown as %, dates are dates, booleans yes or no. Text is always stored as text: a label
that starts like a formula is shown as typed and never runs. The Headlines sheet is what the pack
index (bch.publish.packindex) reads back, so both show the board pack's figures without recomputing them.
"""

from __future__ import annotations

from pathlib import Path

from bch.core.writers import FORMULA_LEADS
from bch.present import workbook

GBP_FORMAT = '"£"#,##0;-"£"#,##0'
PCT_FORMAT = "0.0%"  # a percentage is stored as its fraction: 68.2% is 0.682, so Excel sums and compares it
DATE_FORMAT = "d mmm yyyy"
HEADLINES = workbook.HEADLINES
HEADLINE_TABLE = workbook.HEADLINE_TABLE
HEADLINE_COLUMNS = HEADLINE_TABLE.names
MAX_WIDTH = 30  # a wider text wraps: the sheet stays one page wide when printed, and legible
MAX_CELL_REF_WIDTH = 48  # a cell reference, with its workbook's name, stays on one line
MAX_CELL_TEXT = 32_767  # Excel's limit: a longer cell makes it "repair" the file and drop the text
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def write_workbook(analysis, path: Path, trend=None, changes=None) -> Path:
    """Write the analysis's tables (`bch.present.workbook.sheets`; the trend and the changes since the last
    pack from a second edition on) to `path` (atomically) and return it."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    from bch.core.writers import write_atomic

    frames = workbook.sheets(analysis, trend, changes)
    source = analysis.sheet.path.name if analysis.sheet.path else ""
    book = openpyxl.Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for title, frame in frames.items():
        ws = book.create_sheet(title)
        _write_sheet(ws, frame, bold, (analysis.sheet.sheet, source))
        _print_setup(ws)
    book.properties.creator = "bch"
    if analysis.as_of:
        book.properties.title = f"BCH collaboration savings as at {analysis.as_of.isoformat()}"
    buffer = io.BytesIO()
    book.save(buffer)
    return write_atomic(Path(path), buffer.getvalue())


def _print_setup(ws) -> None:
    """Landscape A4, one page wide (as many tall as it needs), the header row on every page, and the first
    column and header row frozen on screen."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"
    ws.freeze_panes = "B2"


def _write_sheet(ws, frame, bold, source: tuple[str, str] = ("", "")) -> None:
    """`source`: the savings workbook's sheet and file name, which the cell references name."""
    from openpyxl.styles import Alignment

    columns = [str(c) for c in frame.columns]
    ws.append([_value("", workbook.heading(column)) for column in columns])  # text like any cell: never a formula
    widths = []
    for cell in ws[1]:
        cell.font = bold
        widths.append(min(_style(cell, "", cell.value), 14))  # a long header wraps over its column
    for values in frame.itertuples(index=False, name=None):
        row = [_value(column, value, source) for column, value in zip(columns, values, strict=True)]
        ws.append(row)
        for i, (cell, value) in enumerate(zip(ws[ws.max_row], row, strict=True)):
            widths[i] = max(widths[i], _style(cell, columns[i], value))
    ws.auto_filter.ref = f"A1:{ws.cell(row=max(ws.max_row, 1), column=len(columns)).coordinate}"
    shown = [
        min(width + 2, MAX_CELL_REF_WIDTH if column in workbook.CELL_COLUMNS else MAX_WIDTH)
        for width, column in zip(widths, columns, strict=True)
    ]
    for i, width in enumerate(shown, 1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows():
        lines = 1
        for cell, width in zip(row, shown, strict=True):
            cell.alignment = wrap  # a text longer than its column wraps, and its row grows to show it
            if isinstance(cell.value, str):
                lines = max(lines, sum(-(-max(len(part), 1) // (width - 1)) for part in cell.value.splitlines()))
        ws.row_dimensions[row[0].row].height = 15 * min(lines, 20)


def _value(column: str, value, source: tuple[str, str] = ("", "")):
    """What goes into the cell: int pounds, a fraction for a percentage, a date, a plain number or text (a
    boolean as yes or no); None for a missing value."""
    import datetime as dt

    import pandas as pd

    from bch.core.labels import hostile_characters, neutralise
    from bch.core.money import as_pounds

    if column.endswith("_gbp"):
        try:
            return as_pounds(value)  # int (numpy or pandas integers included) or None
        except TypeError as exc:  # a float: the table's schema should have stopped it where it was made
            raise TypeError(f"{column}: {exc}") from None
    if value is None or (value == "" if isinstance(value, str) else pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars: openpyxl writes plain Python values
        value = value.item()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if column.endswith("_pct") and isinstance(value, (int, float)):
        return workbook.Percent(value / 100)
    if column in workbook.DATE_COLUMNS and isinstance(value, str) and _iso_date(value):
        return dt.date.fromisoformat(value)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if column in workbook.CELL_COLUMNS:
            value = workbook.name_the_workbook(value, *source)
        if ILLEGAL_CHARACTERS_RE.search(value) or hostile_characters(value):  # shown as ⟨ESC⟩, ⟨U+202E⟩ as everywhere
            value = neutralise(value)
        if len(value) > MAX_CELL_TEXT:
            value = value[: MAX_CELL_TEXT - 1] + "…"
    return value


def _iso_date(text: str) -> bool:
    import re

    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def _style(cell, column: str, value) -> int:
    """Format the cell; returns the width its text needs."""
    import datetime as dt

    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl takes "=…" for a formula; it is the sheet's text, kept as typed
        if value.startswith(FORMULA_LEADS):
            cell.quotePrefix = True  # Excel shows it as typed and never re-reads it as a formula on editing
        return max((len(line) for line in value.splitlines()), default=0)
    if column.endswith("_gbp") and value is not None:
        cell.number_format = GBP_FORMAT
        return len(f"-£{abs(value):,}")
    if isinstance(value, workbook.Percent):
        cell.value = float(value)
        cell.number_format = PCT_FORMAT
        return 7
    if isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
        return 11
    return len(str(value)) if value is not None else 0


def read_headlines(path: Path) -> dict[str, int | None]:
    """The Headlines sheet of a workbook `write_workbook` wrote: measure -> int pounds (None: not computed).

    Read from the sheet's XML, a millisecond where openpyxl takes tens (the pack index reads one per
    pack on every publish). ValueError for anything `write_workbook` does not write.
    """
    import re
    import zipfile
    from xml.etree import ElementTree

    from bch.read import xlsxsafe

    def parse(name: str):
        data = archive.read(name)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise ValueError(f"{path}: {name} declares a DTD, which bch never writes")
        return ElementTree.fromstring(data)

    with xlsxsafe.open_archive(Path(path), "pack workbook") as handle, zipfile.ZipFile(handle) as archive:
        ids = [s.get(f"{_REL}id") for s in parse("xl/workbook.xml").iter(f"{_MAIN}sheet") if s.get("name") == HEADLINES]
        rels = {r.get("Id"): r.get("Target", "") for r in parse("xl/_rels/workbook.xml.rels")}
        if len(ids) != 1 or not rels.get(ids[0]):
            raise ValueError(f"{path}: no {HEADLINES} sheet")
        target = rels[ids[0]]
        grid = {}
        for cell in parse(target[1:] if target.startswith("/") else f"xl/{target}").iter(f"{_MAIN}c"):
            ref, kind, v = cell.get("r"), cell.get("t", "n"), cell.find(f"{_MAIN}v")
            if kind == "inlineStr":
                grid[ref] = "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))
            elif kind == "n" and (v is None or re.fullmatch(r"-?\d{1,19}", v.text or "")):
                grid[ref] = None if v is None else int(v.text)  # whole pounds from the digits: never a float
            else:
                held = v.text if v is not None else f"a cell of type {kind}"
                raise ValueError(f"{path}: {HEADLINES}!{ref} holds {held!r}, not whole pounds")
    letters = "ABCDEFGHIJ"[: len(HEADLINE_COLUMNS)]
    if [grid.get(f"{c}1") for c in letters] not in (HEADLINE_COLUMNS, [workbook.heading(c) for c in HEADLINE_COLUMNS]):
        raise ValueError(f"{path}: the {HEADLINES} sheet has not the columns bch writes")
    measure, amount = (letters[HEADLINE_COLUMNS.index(c)] for c in ("measure", "amount_gbp"))
    found, row = {}, 2
    while isinstance(grid.get(f"{measure}{row}"), str):
        found[grid[f"{measure}{row}"]] = grid.get(f"{amount}{row}")
        row += 1
    return found
