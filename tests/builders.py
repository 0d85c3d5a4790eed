"""Savings workbooks built in memory with openpyxl, for tests and benchmarks."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from pathlib import Path

import openpyxl

from bch.read import editions


def shipped_book() -> openpyxl.Workbook:
    """A fresh, editable copy of the shipped workbook (the file itself is never touched)."""
    return openpyxl.load_workbook(editions.load().newest().savings)


STAMP = dt.datetime(2019, 7, 18, 12, 0, 0)  # every built workbook's clock: its bytes follow its content only


def save(book: openpyxl.Workbook, folder: Path, name: str = "savings.xlsx") -> Path:
    """Saved without the clock: openpyxl stamps the second of saving into docProps/core.xml and each zip entry,
    so two builds in one second would be byte-identical and two in different seconds would differ."""
    path = folder / name
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(without_the_clock(buffer.getvalue()))
    return path


def without_the_clock(xlsx: bytes) -> bytes:
    stamp = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            entry = zipfile.ZipInfo(entry.filename, date_time=STAMP.timetuple()[:6])
            target.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def synthetic_book(years: list[str], functions: dict[str, list[int | None]], costs: list[int]) -> openpyxl.Workbook:
    """A table laid out like table 5.2 (£'000), with every stated total computed to foot."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Savings"
    ws.append(["Synthetic savings"])
    ws.append([None, *years, "Total £'000"])
    for label, values in functions.items():
        ws.append([label, *values, sum(v or 0 for v in values)])
    year_totals = [sum((values[i] or 0) for values in functions.values()) for i in range(len(years))]
    cumulative = _running(year_totals)
    ws.append(["Total recurrent in each year", *year_totals, sum(year_totals)])
    ws.append(["Total annual cumulative", *cumulative])
    ws.append([f"Total savings from {years[0]}", *_running(cumulative)])
    ws.append(["BCH Change Team costs", *costs])
    ws.append(["Total Cumulative Change Team costs", *_running(costs)])
    ws.append([])
    ws.append(["Notes"])
    ws.append(["Synthetic figures for tests"])
    return book


def fiscal_years(first: int, count: int) -> list[str]:
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(first, first + count)]


def _running(values: list[int]) -> list[int]:
    out, total = [], 0
    for v in values:
        total += v
        out.append(total)
    return out


# -- hostile workbooks (tests/test_hostile_inputs.py, benchmarks/bench_large.py) ---------------------


def formatted_down_to(path: Path, last_row: int, columns: str = "ABCDEFG") -> Path:
    """Cells formatted (the figures' number format, no value) from below the table down to `last_row`, as
    an export that formats whole columns writes them; the workbook at `path` is rewritten in place."""
    import re

    def change(xml: bytes) -> bytes:
        first = max(int(r) for r in re.findall(rb'<row r="(\d+)"', xml)) + 1
        style = re.search(rb'<c r="B\d+" s="(\d+)" t="n">', xml).group(1).decode()
        rows = (
            f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="{style}"/>' for c in columns) + "</row>"
            for r in range(first, last_row + 1)
        )
        xml = xml.replace(b"</sheetData>", "".join(rows).encode() + b"</sheetData>")
        return re.sub(rb'<dimension ref="A1:[A-Z]+\d+"', f'<dimension ref="A1:{columns[-1]}{last_row}"'.encode(), xml)

    return rewrite_part(path, "xl/worksheets/sheet1.xml", change)


def big_table(rows: int, years: int = 5) -> openpyxl.Workbook:
    """A table of `rows` functions that foots (£'000)."""
    names = [f"Function {i}" for i in range(rows)]
    functions = {name: [(i * 7 + j) % 900 + 1 for j in range(years)] for i, name in enumerate(names)}
    return synthetic_book(fiscal_years(2014, years), functions, [-(j % 50) - 1 for j in range(years)])


def rewrite_part(path: Path, part: str, change) -> Path:
    """Replace one part of the archive at `path` with change(old bytes) -> new bytes, in place."""
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, change(data) if info.filename == part else data)
    return path


def declare_dimension(path: Path, ref: str = "A1:XFD1048576") -> Path:
    """The first sheet's <dimension> rewritten to claim `ref` (the data stay as they are)."""
    import re

    return rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), xml),
    )


def add_part(path: Path, part: str, size: int, chunk: bytes = b"<x/>" * 256) -> Path:
    """Append a part of `size` bytes of repeated XML, streamed (a compression bomb when it is large)."""
    import zipfile

    archive = zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1)  # fast: the size is what counts
    with archive, archive.open(part, "w", force_zip64=True) as out:
        left = size
        while left > 0:
            piece = chunk * max(1, min(left, 2**20) // len(chunk))
            out.write(piece[:left])
            left -= len(piece[:left])
    return path


HOSTILE_LABEL = "<img src=x onerror=alert(1)>"
DOLLAR_LABEL = "CJ $phase$ 1"


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path) with its SHA-256: equal digests, untouched folders."""
    from bch.core.digest import sha256

    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def recorded_pack(out: Path, name: str, as_of: str, **fields) -> Path:
    """A pack folder as `bch pack` leaves it for choosing `latest`, the comparison and --if-changed: a
    manifest with its as-of date (and `fields`, e.g. a fingerprint), recorded in the output folder's ledger
    (nothing else of a pack is read for that)."""
    import json

    from bch.publish import ledger, manifest

    folder = out / name
    folder.mkdir(parents=True)
    (folder / manifest.MANIFEST).write_text(json.dumps({"pack": name, "as_of": as_of, **fields}))
    ledger.record_published(out, name, folder / manifest.MANIFEST)
    return folder


@functools.cache
def pdf_pages(path: Path) -> tuple[str, ...]:
    """The text of each page of the PDF at `path`, extracted once per test run (packs are read only)."""
    from pypdf import PdfReader

    return tuple(page.extract_text() for page in PdfReader(path).pages)


def catalogue(folder: Path, entries: list[dict]) -> Path:
    """`folder/editions.toml` of `entries` (field -> value, in order), written as a user would by hand: dates bare,
    text quoted as TOML, `sha256` a table of digests. For catalogues too many to add one by one (benchmarks, scale)."""
    from bch.adding import toml_string

    blocks = []
    for entry in entries:
        lines = ["[[edition]]"]
        for name, value in entry.items():
            if isinstance(value, dt.date):
                lines.append(f"{name} = {value.isoformat()}")
            elif isinstance(value, dict):
                lines.append(f"{name} = {{ {', '.join(f'{k} = {toml_string(v)}' for k, v in value.items())} }}")
            else:
                lines.append(f"{name} = {toml_string(str(value))}")
        blocks.append("\n".join(lines) + "\n")
    path = folder / editions.CATALOGUE_NAME
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path
