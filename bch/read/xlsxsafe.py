"""Reading an .xlsx that may be hostile: bounded before it is opened, streamed once when it is read.

`open_archive` refuses what is not a regular file, an encrypted or legacy (OLE2) workbook, and any
archive whose parts would expand past `MAX_UNCOMPRESSED_BYTES` or `MAX_RATIO`, from the zip's own
directory and before any part is decompressed (a part can't expand past its declared size: zipfile
stops there and checks the CRC). `read_cells` streams one worksheet part, keeping only the cells that
hold a value, so the cost follows the data and not the declared dimension or the formatting; its <row>
elements are parsed in `bch.read.sheetrows`.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from bch.core.errors import InputError
from bch.core.labels import one_line
from bch.read.sheetrows import SHEET_MAIN_NS, RowReader, is_true

# A savings table is a few kilobytes; these leave room for workbooks a hundred times richer while
# keeping a <10 MB file under 500 MB of memory however it is built.
MAX_UNCOMPRESSED_BYTES = 64 * 2**20  # all parts together, as declared in the zip directory
MAX_RATIO = 100  # uncompressed/compressed size of any part over RATIO_FLOOR
RATIO_FLOOR = 2**20  # smaller parts may compress as well as they like
MAX_PARTS = 10_000
MAX_FILLED_CELLS = 1_000_000  # cells holding a value on the sheet read
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # Compound File Binary: encrypted .xlsx or legacy .xls


def open_archive(path: Path, what: str = "savings workbook") -> BinaryIO:
    """The workbook opened for reading, once checked; the caller closes it. InputError otherwise."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever, before fstat can tell
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{what} is a folder, not a file: {path}") from None
    except OSError as exc:
        raise InputError(f"{what} {path} can't be opened ({exc.strerror or type(exc).__name__})") from None
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        os.close(fd)
        raise InputError(f"{what} is a folder, not a file: {path}")
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(f"{what} {path} is not a regular file (a pipe, device or socket is never read)")
    handle = os.fdopen(fd, "rb")
    try:
        check_archive(handle, path)
    except BaseException:
        handle.close()
        raise
    return handle


def check_archive(handle: BinaryIO, path: Path) -> None:
    """Refuse an encrypted/legacy workbook, a non-zip, or parts past the caps: from the zip directory only."""
    if handle.read(len(OLE2_SIGNATURE)) == OLE2_SIGNATURE:
        raise InputError(
            f"{path} is a password-protected (encrypted) workbook or a legacy .xls; "
            "save it from Excel as an unprotected .xlsx"
        )
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(f"{path} is not a readable .xlsx workbook ({one_line(exc)})") from None
    if len(infos) > MAX_PARTS:
        raise InputError(f"{path} has {len(infos):,} parts; a workbook of more than {MAX_PARTS:,} is not read")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InputError(
            f"{path} would expand to {total:,} bytes; more than the {MAX_UNCOMPRESSED_BYTES:,} a workbook may "
            "(bch.read.xlsxsafe.MAX_UNCOMPRESSED_BYTES)"
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(
                f"{path}: part {info.filename!r} would expand {info.file_size // max(info.compress_size, 1):,}-fold "
                f"({info.compress_size:,} to {info.file_size:,} bytes); more than the {MAX_RATIO}-fold a part may "
                "(bch.read.xlsxsafe.MAX_RATIO)"
            )


@dataclass
class SheetCells:
    """One worksheet as its XML holds it: only the cells with a value, plus what read-only mode lacks."""

    rows: dict[int, dict[int, object]] = field(default_factory=dict)  # row -> column -> value, in file order
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)  # formula cells with no cached value
    merged: list[tuple[int, int, int, int, str]] = field(default_factory=list)  # min_row, min_col, max_row, ...
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)  # (first, last) column of each <col>
    has_cells: bool = False  # any <c> but A1, even one holding only formatting: the sheet is not empty
    filled: int = 0

    def value(self, row: int, column: int):
        found = self.rows.get(row)
        return None if found is None else found.get(column)

    def blank_merged(self, path: Path) -> None:
        """Blank every cell of a merged range but its first, as Excel shows them (and openpyxl reads them).

        Visits only the filled rows a range spans; overlapping ranges (which Excel never writes) could make
        that quadratic, so the visits are bounded and a sheet past the bound is refused.
        """
        from bisect import bisect_left, bisect_right

        numbers = sorted(self.rows)
        budget = 4 * MAX_FILLED_CELLS + len(self.merged)
        for min_row, min_col, max_row, max_col, _ in self.merged:
            span = numbers[bisect_left(numbers, min_row) : bisect_right(numbers, max_row)]
            budget -= len(span) + 1
            if budget < 0:
                raise InputError(f"{path}: its merged cell ranges overlap too much to be read")
            for number in span:
                row = self.rows[number]
                for column in [c for c in row if min_col <= c <= max_col and (number, c) != (min_row, min_col)]:
                    del row[column]
                    self.filled -= 1


MERGE_CELL_TAG = f"{{{SHEET_MAIN_NS}}}mergeCell"


def read_cells(book, ws, path: Path, *, keep: bool = True) -> SheetCells:
    """Stream `ws` (a read-only openpyxl worksheet) once; InputError past MAX_FILLED_CELLS kept cells.

    Values are read as openpyxl reads them (its cell parser does shared strings, dates, booleans and
    errors), with a fast path for the plain numbers and shared strings that make up nearly every cell, and
    none at all for cells that hold only formatting. `keep=False` only counts the filled cells."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet import _reader

    out = SheetCells()
    parser = _reader.WorkSheetParser(
        None,
        ws._shared_strings,
        data_only=True,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )
    reading = RowReader(out, parser, keep)
    with book._archive.open(ws._worksheet_path) as source:
        sheet_data = None
        for event, element in _events(source):
            tag = element.tag
            if event == "start":
                if tag == _reader.DATA_TAG:
                    sheet_data = element
                continue
            if tag == _reader.ROW_TAG:
                reading.row(element)
                if keep and out.filled > MAX_FILLED_CELLS:
                    raise InputError(
                        f"{path}: sheet {ws.title!r} holds more than {MAX_FILLED_CELLS:,} filled cells; "
                        "a savings table has a few hundred (bch.read.xlsxsafe.MAX_FILLED_CELLS)"
                    )
                if sheet_data is not None:
                    sheet_data.clear()  # rows already read are dropped, so memory does not grow with the sheet
            elif tag == _reader.COL_TAG:
                first = int(element.get("min"))
                if is_true(element.get("hidden")):
                    out.hidden_columns.append((first, max(int(element.get("max") or first), first)))
            elif tag == MERGE_CELL_TAG:
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref") or "")
                out.merged.append((min_row, min_col, max_row or min_row, max_col or min_col, element.get("ref")))
    return out


def _events(source, chunk: int = 2**16):
    """(event, element) of an XML stream, parsed in C; a document type declaration is refused.

    A DTD is how entity-expansion bombs are declared and no worksheet has one, so none is parsed.
    """
    from xml.etree.ElementTree import XMLPullParser

    pull = XMLPullParser(events=("start", "end"))
    tail = b""
    while data := source.read(chunk):
        if b"<!DOCTYPE" in tail + data:
            raise ValueError("the part declares a document type (<!DOCTYPE>), which no worksheet has")
        tail = data[-16:]
        pull.feed(data)
        yield from pull.read_events()
    pull.close()
    yield from pull.read_events()


def count_filled(book, ws) -> int:
    """How many cells of `ws` hold a value, streamed and kept nowhere (for a hidden sheet's warning)."""
    return read_cells(book, ws, Path(), keep=False).filled
