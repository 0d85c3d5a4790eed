"""Packs of several editions into one folder: `latest`, comparisons and --if-changed follow the editions."""

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bch import cli, pack
from tests import next_editions

pytestmark = pytest.mark.notebook
DAY = dt.date(2019, 7, 20)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """2018's edition, then 2019's, then 2018's again (out of order), into one output folder."""
    tmp = tmp_path_factory.mktemp("history")
    raw = next_editions.raw_folder(tmp, 2)
    out = tmp / "packs"
    catalogue = str(raw / "editions.toml")

    def run(edition, day, **options):
        options = {"catalogue_path": catalogue, "edition": edition, "out": out, **options}
        return pack.build_pack(pack.PackOptions(**options), run_date=day).path

    first = run("2018-07-19", DAY)
    second = run("2019-07-18", DAY + dt.timedelta(days=1))
    rerun = run("2018-07-19", DAY + dt.timedelta(days=2))
    return {"out": out, "catalogue": catalogue, "first": first, "second": second, "rerun": rerun, "run": run}


def manifest(folder):
    return json.loads((folder / "manifest.json").read_text())


def test_latest_is_the_newest_editions_newest_pack(history):
    assert (history["out"] / "latest").resolve() == history["second"]
    assert manifest(history["rerun"])["as_of"] == "2018-07-19"
    assert manifest(history["second"])["edition"] == "2019-07-18"


def test_the_next_edition_is_compared_with_the_previous_one(history):
    assert manifest(history["second"])["previous_pack"] == history["first"].name
    page = (history["second"] / "board-pack.html").read_text()
    assert "Figures as at <b>18 July 2019</b>" in page
    assert "BCH collaboration savings, second edition (test), 18 July 2019" in page
    assert "what moved since that edition" in page
    changes = page.split('id="changes"')[1].split('id="appendix"')[0]
    for row in (
        "<td>parameter changed</td><td>as_of</td><td>2018-07-19</td><td>2019-07-18</td>",
        "<td>year added</td><td>2019/20</td>",
        '<td>actual added</td><td>HR 2019/20</td><td class="num">–</td><td class="num">£150k</td>',
        '<td>actual added</td><td>ICT 2019/20</td><td class="num">–</td><td class="num">£200k</td>',
    ):
        assert row in changes
    # cells sort naturally, and no figure of the new year is lost off the page in the PDF
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(history["second"] / "board-pack.pdf").pages)
    assert "HR 2019/20" in text and "£150k" in text


def test_the_next_edition_states_only_its_own_date_and_shows_the_trend(history):
    page = (history["second"] / "board-pack.html").read_text()
    before_claims = page.split('id="claims"')[0]
    contexts = [before_claims[m.start() - 12 : m.start()] for m in re.finditer("19 July 2018", before_claims)]
    assert contexts and all(c.endswith(("k since ", "viewed, on ")) for c in contexts), contexts
    assert "BCH collaboration savings — 18 July 2019" in page  # the PDF footer
    assert "+£720k since 19 July 2018" in page  # the recurrent headline's change
    assert page.count('src="data:image/png;base64,') == 5  # the four charts and the trend
    assert "These figures were quoted in" in page and "not checked" in page
    assert "more than six months before these figures" in page
    assert "Figures quoted in an earlier paper: then and now" in page


def test_one_edition_says_so(history):
    page = (history["first"] / "board-pack.html").read_text()
    assert "One edition so far (as at 19 July 2018)" in page
    assert page.count('src="data:image/png;base64,') == 4


def test_rerunning_an_older_edition_compares_with_itself_and_leaves_latest(history):
    record = manifest(history["rerun"])
    assert record["previous_pack"] == history["first"].name
    assert record["changes"] == 0
    page = (history["rerun"] / "board-pack.html").read_text()
    assert f"No changes since the pack {history['first'].name} (figures as at 19 July 2018)" in page


def test_if_changed_publishes_nothing_when_nothing_changed(history, capsys):
    before = sorted(p.name for p in history["out"].iterdir())
    argv = ["pack", "--catalogue", history["catalogue"], "--out", str(history["out"]), "--if-changed"]
    assert cli.main(argv) == 0
    out, err = capsys.readouterr()
    name = history["second"].name
    assert out == f"bch pack: nothing changed since {name} (same inputs, parameters and code); nothing published\n"
    assert err == ""
    assert sorted(p.name for p in history["out"].iterdir()) == before


def test_if_changed_publishes_when_a_parameter_changed(history):
    changed = history["run"]("2019-07-18", DAY + dt.timedelta(days=3), materiality_pct=15.0, if_changed=True)
    assert changed.is_dir() and changed != history["second"]
    assert (history["out"] / "latest").resolve() == changed
    page = (changed / "board-pack.html").read_text()
    assert "<td>parameter changed</td><td>materiality_pct</td><td>10.0</td><td>15.0</td>" in page
    assert "what this run restates" in page


def test_a_workbook_in_no_edition_without_as_of_is_refused(tmp_path):
    workbook = next_editions.workbook(tmp_path, 1, "next.xlsx")
    proc = subprocess.run(
        [sys.executable, "-m", "bch", "pack", "--savings", str(workbook), "--out", str(tmp_path / "packs")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "bch: error: next.xlsx is in no catalogued edition and no --as-of was given: give --as-of YYYY-MM-DD "
        "(the date its figures are stated at), or add it with `bch edition add`\n"
    )
    assert not (tmp_path / "packs").exists()


def test_next_years_workbook_publishes_strictly_with_an_as_of_date(tmp_path):
    """The issue's own words: a next-year workbook, the shipped register and claims, --strict --as-of."""
    workbook = next_editions.workbook(tmp_path, 1, "next.xlsx")
    out = tmp_path / "packs"
    argv = ["pack", "--strict", "--quiet", "--savings", str(workbook), "--as-of", "2019-07-18", "--out", str(out)]
    assert cli.main(argv) == 0
    record = manifest(out / "latest")
    assert (record["as_of"], record["edition"], record["findings"]["error"]) == ("2019-07-18", None, 0)
    page = (out / "latest" / "board-pack.html").read_text()
    assert "Inputs given explicitly, in no catalogued edition; figures stated as at 18 July 2019" in page


def test_if_changed_publishes_when_the_catalogue_changed(history, capsys):
    """Runs after the other --if-changed tests: the edition's title is edited in the catalogue."""
    catalogue = Path(history["catalogue"])
    catalogue.write_text(catalogue.read_text().replace("second edition (test)", "second edition (revised title)"))
    before = {p.name for p in history["out"].iterdir()}
    argv = ["pack", "--catalogue", str(catalogue), "--out", str(history["out"]), "--if-changed", "--quiet"]
    argv += ["--materiality", "15"]
    assert cli.main(argv) == 0
    added = {p.name for p in history["out"].iterdir()} - before
    assert len(added) == 1
    assert "second edition (revised title)" in (history["out"] / added.pop() / "board-pack.html").read_text()
