"""Opening the savings workbook: the sheet to read, chosen among the book's sheets, and its filled cells.

I/O only, streamed and read-only (`bch.read.xlsxsafe`); `bch.read.workbook` reads the table on the sheet chosen.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from bch.core import cells, codes, labels
from bch.core.errors import InputError
from bch.core.findings import Finding, finding
from bch.read import xlsxsafe


def read_book(handle, path: Path, name: str | None) -> tuple[xlsxsafe.SheetCells, str, list[Finding]]:
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
