"""Years two to four as the finance officer lives them, through the real `bch edition add` and `bch pack`:

year 2  a hand-made export: an "HR" line (accepted as Human Resources by --alias) and 2017/18 restated;
year 3  a re-forecast (ICT £1.8m from January 2020) and a line renamed (accepted by --alias);
year 4  a register written out again, given without --revisions; the export in £m; Custody ended;
then    a draft added by mistake as a fifth edition, published, withdrawn; year 4 published again;
        a raw file edited after publishing.

Each pack must say what happened, and nothing false: the findings, the changes since the last pack, the
figures. The editions are built in a temp dir (not real figures); only the first is the shipped one.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
from pathlib import Path

import pytest

from bch import cli
from bch.analyse import pipeline
from bch.publish import execute, ledger, verify
from bch.read import editions, withdrawals
from tests import builders, next_editions

pytestmark = pytest.mark.notebook

YEARS = builders.fiscal_years(2014, 8)  # 2014/15 … 2021/22
LINES = {**next_editions.SHIPPED, "HR": [None] * 5}
LATER = {  # £'000 in 2019/20, 2020/21, 2021/22 (not real figures)
    "Firearms licensing": [None, None, None],
    "Information management": [40, 10, 5],
    "ICT": [200, 100, 80],
    "CJ phase 1": [None, None, None],
    "Custody": [30, None, None],
    "ERSOU/JPS etc": [300, 50, 40],
    "HR": [150, 60, 20],
}
COSTS = [*next_editions.SHIPPED_COSTS, -400, -300, -200]
RENAMED = "Information Management Dept"
IMD = "Information Management Department (IMD)"


def export(folder: Path, name: str, later: int, renamed: bool = False, millions: bool = False, **restated) -> Path:
    """The savings table with `later` more years; Custody's 2017/18 restated to `custody_2017` (£'000); the IM line
    renamed; in £m rather than £'000. Every total foots."""
    functions = {}
    for label, values in LINES.items():
        row = [*values, *LATER[label][:later]]
        if label == "Custody":
            row[3] = restated.get("custody_2017", row[3])
            row[4] = restated.get("custody_2018", row[4])
        functions[RENAMED if renamed and label == "Information management" else label] = row
    book = builders.synthetic_book(YEARS[: 5 + later], functions, COSTS[: 5 + later])
    if millions:  # what a finance export in £m writes: the same figures, a thousandth as many units
        ws = book["Savings"]
        ws.cell(2, 7 + later).value = "Total £m"
        for row in ws.iter_rows(min_row=3, max_row=2 + len(functions) + 5, min_col=2):
            for cell in row:
                if isinstance(cell.value, int):
                    cell.value = cell.value / 1000
    return builders.save(book, folder, name)


def add(catalogue: Path, as_of: str, savings: Path, *more: str) -> None:
    argv = ["edition", "--catalogue", str(catalogue), "add", "--as-of", as_of, "--savings", str(savings)]
    argv += ["--title", f"BCH collaboration savings as at {as_of} (test)", "--document-date", as_of, *more]
    assert cli.main(argv) == 0


def publish(catalogue: Path, out: Path, *more: str) -> Path:
    """A real `bch pack`; the pack it published, as the ledger recorded it last."""
    assert cli.main(["pack", "--quiet", "--catalogue", str(catalogue), "--out", str(out), *more]) == 0
    recorded = ledger.recorded_packs(out)
    return out / max(recorded, key=recorded.get)


def findings(pack: Path) -> list[tuple[str, str, str]]:
    with open(pack / "findings.csv", encoding="utf-8") as handle:
        return [(row["severity"], row["code"], row["cell"]) for row in csv.DictReader(handle)]


def variance(pack: Path) -> dict[str, dict]:
    with open(pack / "variance.csv", encoding="utf-8") as handle:
        return {row["function"]: row for row in csv.DictReader(handle)}


def changes(pack: Path) -> list[tuple[str, ...]]:
    """The board page's changes table: (kind, item, before, after) as shown."""
    section = (pack / "board-pack.html").read_text(encoding="utf-8").split('id="changes"')[1].split("<h2")[0]
    rows = re.findall(
        r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td>', section, re.S
    )
    return [tuple(html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in row) for row in rows]


def page(pack: Path) -> str:
    return html.unescape((pack / "board-pack.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def journey(tmp_path_factory, warm_kernel) -> dict:
    """Every pack of the journey by step, and where they live (the steps run once, in order, in one kernel)."""
    with execute.lend(warm_kernel.get()):
        return _journey(tmp_path_factory.mktemp("journey"))


def _journey(tmp: Path) -> dict:
    raw = next_editions.raw_folder(tmp, 1)
    catalogue, out, incoming = raw / editions.CATALOGUE_NAME, tmp / "packs", tmp / "incoming"

    packs = {"year 1": publish(catalogue, out)}

    year2 = export(incoming, "savings-2019.xlsx", 1, custody_2017=100)
    add(catalogue, "2019-07-18", year2, "--alias", "HR=Human Resources")
    packs["year 2"] = publish(catalogue, out)

    revisions = incoming / "forecast-revisions.csv"
    revisions.write_text(next_editions.REVISIONS, encoding="utf-8")
    year3 = export(incoming, "savings-2020.xlsx", 2, renamed=True, custody_2017=100)
    add(catalogue, "2020-07-16", year3, "--revisions", str(revisions), "--alias", f"{RENAMED}={IMD}")
    packs["year 3"] = publish(catalogue, out)

    register = incoming / "business-cases-2021.csv"  # typed out again by finance; Custody has ended
    shipped = editions.load().newest().register.read_text(encoding="utf-8")
    register.write_text(shipped.replace(",£278k,,partly implemented,", ",£278k,,ended,"), encoding="utf-8")
    year4 = export(incoming, "savings-2021.xlsx", 3, renamed=True, millions=True, custody_2017=100)
    add(catalogue, "2021-07-15", year4, "--register", str(register), "--register-reviewed", "2021-07-01")
    packs["year 4"] = publish(catalogue, out)

    draft = export(incoming, "savings-2022-draft.xlsx", 3, renamed=True, custody_2017=100, custody_2018=999)
    add(catalogue, "2022-07-14", draft)
    packs["draft"] = publish(catalogue, out)
    withdraw = ["edition", "--catalogue", str(catalogue), "withdraw", "2022-07-14", "--reason", "a draft, not final"]
    assert cli.main([*withdraw, "--out", str(out)]) == 0
    packs["year 4 again"] = publish(catalogue, out, "--edition", "2021-07-15")

    register = raw / "business-cases-2021.csv"  # edited in place after publishing (a typo "fixed")
    os.chmod(register, 0o644)
    register.write_text(register.read_text(encoding="utf-8").replace("£.99m", "£.9m"), encoding="utf-8")
    tampered = {
        "check": cli.main(["check", "--catalogue", str(catalogue), "--json"]),
        "findings": [(f.severity, f.code, f.cell) for f in pipeline.analyse(catalogue=catalogue).findings],
        "verify": verify.verify(packs["year 4 again"]),
    }
    return {"packs": packs, "out": out, "tampered": tampered, "withdrawn": withdrawals.read(catalogue)}


def test_year_2_a_hand_made_export_with_an_hr_line_and_a_restated_year(journey):
    pack = journey["packs"]["year 2"]
    assert findings(pack) == [
        ("warning", "register-stale", "editions.toml[2019-07-18].register_reviewed"),
        ("warning", "year-restated", "Savings!E2"),
    ]
    said = changes(pack)
    assert ("actual restated", "Custody 2017/18", "£92k", "£100k") in said
    assert ("case actual changed", "Human Resources", "£0k", "£150k") in said  # HR is Human Resources (--alias)
    assert "2017/18's savings total £555k; the edition as at 2018-07-19 stated £547k for it" in page(pack)
    hr = variance(pack)["Human Resources"]
    assert (hr["actual_gbp"], hr["latest_forecast_gbp"]) == ("150000", "990000")
    assert "left out, actual unknown" not in page(pack)  # every case with a forecast is in the headline


def test_year_3_a_re_forecast_and_a_renamed_line(journey):
    pack = journey["packs"]["year 3"]
    said = changes(pack)
    assert ("line renamed", f"Information management → {RENAMED}", "Information management", RENAMED) in said
    assert not [row for row in said if row[0] in ("actual removed", "case removed", "case added")]
    revised = [row for row in said if row[0] == "forecast revised"]
    assert revised == [
        (
            "forecast revised",
            "ICT (revised 2020-01-01: Two infrastructure projects were cancelled; Board minute 2020/01)",
            "£2,202k",
            "£1,800k",
        )
    ]
    assert (variance(pack)["ICT"]["latest_forecast_gbp"], variance(pack)[IMD]["actual_gbp"]) == ("1800000", "121000")
    assert not [f for f in findings(pack) if f[1] in ("year-restated", "possible-match")]


def test_year_4_a_new_register_keeps_the_re_forecast_and_a_millions_export_restates_nothing(journey):
    pack = journey["packs"]["year 4"]
    ict = variance(pack)["ICT"]
    assert (ict["forecast_gbp"], ict["latest_forecast_gbp"]) == ("2202000", "1800000")  # carried forward
    said = changes(pack)
    assert not [row for row in said if row[0] in ("forecast revised", "actual restated", "actual removed")]
    assert ("register status changed", "Custody", "partly implemented", "ended") in said
    assert findings(pack) == []  # no reverted forecast, no restated year: the £m figures are the £'000 ones
    assert variance(pack)["Custody"]["register_status"] == "ended"
    assert "under-delivered (function ended)" in page(pack)


def test_a_draft_added_by_mistake_is_withdrawn_its_pack_kept_and_never_compared_with(journey):
    packs, out = journey["packs"], journey["out"]
    draft = packs["draft"]
    ((gone_as_of, on),) = [(w.as_of, w.on) for w in journey["withdrawn"]]
    assert gone_as_of == "2022-07-14"
    assert ("warning", "no-new-year", "Savings!I2") in findings(draft)
    assert ("warning", "year-restated", "Savings!F2") in findings(draft)
    assert (draft / "board-pack.pdf").is_file()  # published packs are never deleted
    assert (out / "latest").resolve() == packs["year 4 again"].resolve()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "withdrawn" in index.split(draft.name, 1)[1].split("</tr>", 1)[0]
    again = json.loads((packs["year 4 again"] / "manifest.json").read_text(encoding="utf-8"))
    assert again["previous_pack"] == packs["year 4"].name  # not the withdrawn draft, published after it
    assert changes(packs["year 4 again"]) == [  # the Board saw the draft's pack: it is told it no longer stands
        ("edition withdrawn", "2022-07-14", f"published as {draft.name}", f"withdrawn on {on}: a draft, not final")
    ]


def test_a_raw_file_edited_after_publishing_is_named(journey):
    tampered = journey["tampered"]
    assert tampered["check"] == 1  # an error finding
    register = journey["out"].parent / "raw" / "business-cases-2021.csv"
    assert tampered["verify"] == [
        f"input changed since this pack was made: {register} (its figures are not the file's now)"
    ]


def test_every_pack_of_the_journey_is_whole(journey):
    packs = journey["packs"]
    assert len({p.name for p in packs.values()}) == 6
    for pack in packs.values():
        register = pack.parent.parent / "raw" / "business-cases-2021.csv"  # edited after these were published
        edited = [f"input changed since this pack was made: {register} (its figures are not the file's now)"]
        assert verify.verify(pack) == (
            edited if json.loads((pack / "manifest.json").read_text())["as_of"] >= "2021" else []
        )
        for name in ("board-pack.html", "board-pack.pdf", "bch-pack.xlsx", "variance.csv", "index.html"):
            assert (pack / name).is_file(), (pack.name, name)
