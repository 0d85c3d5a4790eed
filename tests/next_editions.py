"""Next editions, built in temp dirs from the shipped figures (never shipped: they are not real).

The second edition (as at 18 July 2019) adds a 2019/20 column and an "HR" line; the third
(16 July 2020) adds 2020/21 and re-forecasts ICT in January 2020. Every total foots.
"""

from __future__ import annotations

import atexit
import csv
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from bch import adding
from bch.read import editions
from tests import builders

SHIPPED_YEARS = ["2014/15", "2015/16", "2016/17", "2017/18", "2018/19"]
SHIPPED = {
    "Firearms licensing": [None, 27, 86, None, None],
    "Information management": [None, None, None, 71, None],
    "ICT": [None, 541, 508, 29, 423],
    "CJ phase 1": [None, None, 21, None, None],
    "Custody": [None, None, None, 92, None],
    "ERSOU/JPS etc": [2600, 358, 305, 355, 735],
}
SHIPPED_COSTS = [-795, -1895, -1649, -1448, -561]
# £'000 added in 2019/20 and 2020/21 (not real figures)
LATER = {
    "Firearms licensing": [None, None],
    "Information management": [40, 10],
    "ICT": [200, 100],
    "CJ phase 1": [None, None],
    "Custody": [30, None],
    "ERSOU/JPS etc": [300, 50],
    "HR": [150, 60],
}
LATER_COSTS = [-400, -300]
REVISIONS = (
    "function,effective,forecast,reason,source\n"
    "ICT,2020-01,£1.8m,Two infrastructure projects were cancelled,Board minute 2020/01\n"
)


def workbook(folder: Path, later_years: int, name: str, new_lines: dict[str, int] | None = None) -> Path:
    """The shipped table with `later_years` more years (2019/20, 2020/21) and the HR line, then any
    `new_lines` (label: £'000 in the last year), which every total takes in."""
    years = builders.fiscal_years(2014, 5 + later_years)
    functions = {label: [*values, *LATER[label][:later_years]] for label, values in SHIPPED.items()}
    functions["HR"] = [None] * 5 + LATER["HR"][:later_years]
    for label, thousands in (new_lines or {}).items():
        functions[label] = [None] * (4 + later_years) + [thousands]
    book = builders.synthetic_book(years, functions, SHIPPED_COSTS + LATER_COSTS[:later_years])
    return builders.save(book, folder, name)


_MADE: dict[tuple, Path] = {}  # each raw folder this process has made once, by what was asked


def raw_folder(tmp: Path, editions_wanted: int = 2, new_lines: dict[str, int] | None = None) -> Path:
    """A data/raw of its own in `tmp` (and the files it was added from in tmp/incoming): the shipped edition, then
    the next ones added as a user would (the second with `new_lines`, see `workbook`). Made with `bch edition add`
    once per process for each request, then copied: the same request gives the same bytes."""
    key = (editions_wanted, tuple(sorted((new_lines or {}).items())))
    if key not in _MADE:
        made = Path(tempfile.mkdtemp(prefix="bch-test-raw-"))
        atexit.register(shutil.rmtree, made, ignore_errors=True)
        _make_raw_folder(made, editions_wanted, new_lines)
        _MADE[key] = made
    for folder in ("raw", "incoming"):
        shutil.copytree(_MADE[key] / folder, tmp / folder)
    return tmp / "raw"


def _make_raw_folder(tmp: Path, editions_wanted: int, new_lines: dict[str, int] | None) -> Path:
    shipped = editions.load().newest()
    raw = tmp / "raw"
    raw.mkdir(parents=True)
    catalogue = raw / editions.CATALOGUE_NAME
    incoming = tmp / "incoming"
    incoming.mkdir()
    adding.add(
        catalogue,
        adding.NewEdition(
            as_of=shipped.key,
            title=shipped.title,
            document_date=shipped.document_date.isoformat(),
            reference=shipped.reference,
            savings=shipped.savings,
            register=shipped.register,
            register_reviewed=shipped.register_reviewed.isoformat(),
            claims=shipped.claims,
        ),
    )
    if editions_wanted >= 2:
        adding.add(
            catalogue,
            adding.NewEdition(
                as_of="2019-07-18",
                title="BCH collaboration savings, second edition (test)",
                document_date="2019-07-18",
                savings=workbook(incoming, 1, "bch-savings-2019-07-18.xlsx", new_lines),
            ),
        )
    if editions_wanted >= 3:
        revisions = incoming / "forecast-revisions.csv"
        revisions.write_text(REVISIONS, encoding="utf-8")
        adding.add(
            catalogue,
            adding.NewEdition(
                as_of="2020-07-16",
                title="BCH collaboration savings, third edition (test)",
                document_date="2020-07-16",
                savings=workbook(incoming, 2, "bch-savings-2020-07-16.xlsx"),
                revisions=revisions,
            ),
        )
    return raw


def copy_claims(tmp: Path) -> Path:
    """The shipped claims under a name no catalogue lists: claims given explicitly."""
    target = tmp / "my-claims.csv"
    shutil.copyfile(editions.load().newest().claims, target)
    with open(target, "a", encoding="utf-8") as handle:
        handle.write("§x,a line so the copy's content differs from the catalogued file,total:recurrent,£6.151m\n")
    return target


def hand_edited(raw: Path, name: str, edit: Callable[[list[list[str]]], None]) -> Path:
    """The catalogue of `raw` after `edit(rows)` changed the rows of its CSV `name` in place, as a user edits a file
    by hand: made writable and written back, the catalogue's recorded hashes dropped (else the edit is refused)."""
    path = raw / name
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    os.chmod(path, 0o644)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    catalogue = raw / editions.CATALOGUE_NAME
    catalogue.write_text(re.sub(r"(?m)^sha256 = .*\n", "", catalogue.read_text(encoding="utf-8")), encoding="utf-8")
    return catalogue
