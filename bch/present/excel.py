"""`bch-pack.xlsx`: a pack's tables as one workbook for analysts who filter and pivot.

Money stays exact int pounds shown with a £ format, so a sum in Excel is a sum of the figures bch
checked; each figure's source cell stays in its own column. Text is always stored as text: a label
that starts like a formula is shown as typed and never runs. The Headlines sheet is what the pack
index (bch.publish.packindex) reads back, so both show the board pack's figures without recomputing them.
"""

from __future__ import annotations

from pathlib import Path

from bch.core.schema import Schema
from bch.core.writers import FORMULA_LEADS
from bch.present import formats

GBP_FORMAT = '"£"#,##0;-"£"#,##0'
PCT_FORMAT = "0.0"
HEADLINES = "Headlines"
HEADLINE_TABLE = Schema("headlines", {"measure": "text", "label": "text", "amount_gbp": "money", "cells": "text"})
HEADLINE_COLUMNS = HEADLINE_TABLE.names
MAX_WIDTH = 60
MAX_CELL_TEXT = 32_767  # Excel's limit: a longer cell makes it "repair" the file and drop the text
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def write_workbook(analysis, path: Path) -> Path:
    """Write the analysis's tables to `path` (atomically) and return it."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    from bch.analyse import reconcile
    from bch.analyse.tables import pack_tables
    from bch.core.writers import write_atomic

    tables = pack_tables(analysis)
    sheets = {
        "Variance": tables["variance"][reconcile.COLUMNS],
        "Savings": tables["savings-tidy"],
        "Findings": tables["findings"],
        "Claims": tables["claims"],
        HEADLINES: _headlines(analysis),
        "About": _about(analysis),
    }
    book = openpyxl.Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for title, frame in sheets.items():
        _write_sheet(book.create_sheet(title), frame, bold)
    book.properties.creator = "bch"
    if analysis.as_of:
        book.properties.title = f"BCH collaboration savings as at {analysis.as_of.isoformat()}"
    buffer = io.BytesIO()
    book.save(buffer)
    return write_atomic(Path(path), buffer.getvalue())


def _about(analysis):
    """What the workbook is, so a copy sent on its own still says which figures and when."""
    import pandas as pd

    inputs = analysis.inputs
    about_claims = "no quoted figures"
    if len(analysis.claims):
        about_claims = "checked against these figures"
        if inputs is not None and not inputs.claims_checked and inputs.claims_edition is not None:
            about_claims = f"quoted about the edition as at {inputs.claims_edition.key}: for information, not checked"
    rows = [
        ("figures as at", inputs.as_of.isoformat() if inputs and inputs.as_of else "not stated"),
        ("edition", inputs.edition.key if inputs and inputs.edition else "none (inputs given explicitly)"),
        ("source", inputs.source_line() if inputs else ""),
        ("materiality %", f"{analysis.materiality_pct:g}"),
        ("claims sheet", about_claims),
    ]
    return pd.DataFrame.from_records(rows, columns=["field", "value"])


def _headlines(analysis):
    """The board pack's three headline figures with the cells they are computed from."""

    from bch.analyse import summary

    first_year = analysis.sheet.years[0] if analysis.sheet.years else "the first year"
    shown = formats.headlines(analysis.totals, first_year, summary.headline_spans(analysis.sheet))
    return HEADLINE_TABLE.frame((h.key, h.label, h.pounds, h.cells) for h in shown)


def _write_sheet(ws, frame, bold) -> None:
    columns = [str(c) for c in frame.columns]
    ws.append([_value("", column) for column in columns])  # a header is text like any cell: never a formula
    widths = []
    for cell, column in zip(ws[1], columns, strict=True):
        cell.font = bold
        widths.append(_style(cell, "", _value("", column)))
    for values in frame.itertuples(index=False, name=None):
        row = [_value(column, value) for column, value in zip(columns, values, strict=True)]
        ws.append(row)
        for i, (cell, value) in enumerate(zip(ws[ws.max_row], row, strict=True)):
            widths[i] = max(widths[i], _style(cell, columns[i], value))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{ws.cell(row=max(ws.max_row, 1), column=len(columns)).coordinate}"
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(width + 2, MAX_WIDTH)


def _value(column: str, value):
    """What goes into the cell: int pounds, a plain number, bool or text; None for a missing value."""
    import pandas as pd

    from bch.core.labels import neutralise
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
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        if ILLEGAL_CHARACTERS_RE.search(value):  # openpyxl refuses them; shown as ⟨ESC⟩ like everywhere else
            value = neutralise(value)
        if len(value) > MAX_CELL_TEXT:
            value = value[: MAX_CELL_TEXT - 1] + "…"
    return value


def _style(cell, column: str, value) -> int:
    """Format the cell; returns the width its text needs."""
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl takes "=…" for a formula; it is the sheet's text, kept as typed
        if value.startswith(FORMULA_LEADS):
            cell.quotePrefix = True  # Excel shows it as typed and never re-reads it as a formula on editing
        return max((len(line) for line in value.splitlines()), default=0)
    if column.endswith("_gbp") and value is not None:
        cell.number_format = GBP_FORMAT
        return len(f"-£{abs(value):,}")
    if column.endswith("_pct") and value is not None:
        cell.number_format = PCT_FORMAT
        return 6
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
            elif kind == "n" and (v is None or re.fullmatch(r"-?\d{1,13}", v.text or "")):
                grid[ref] = None if v is None else int(v.text)  # whole pounds from the digits: never a float
            else:
                held = v.text if v is not None else f"a cell of type {kind}"
                raise ValueError(f"{path}: {HEADLINES}!{ref} holds {held!r}, not whole pounds")
    letters = "ABCDEFGHIJ"[: len(HEADLINE_COLUMNS)]
    if [grid.get(f"{c}1") for c in letters] != HEADLINE_COLUMNS:
        raise ValueError(f"{path}: the {HEADLINES} sheet has not the columns bch writes")
    measure, amount = (letters[HEADLINE_COLUMNS.index(c)] for c in ("measure", "amount_gbp"))
    found, row = {}, 2
    while isinstance(grid.get(f"{measure}{row}"), str):
        found[grid[f"{measure}{row}"]] = grid.get(f"{amount}{row}")
        row += 1
    return found
