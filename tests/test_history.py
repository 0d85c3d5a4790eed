"""Packs of several editions into one folder: `latest`, comparisons and --if-changed follow the editions."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bch import cli
from bch.publish import packhistory, packlist, packoptions
from tests import builders, next_editions


@pytest.fixture
def history(two_editions):
    """The shipped edition's pack ("first"), then the next edition's ("second"), in one folder (read only)."""
    return two_editions


def copy_of(packs: dict, tmp_path: Path) -> Path:
    out = tmp_path / "packs"
    shutil.copytree(packs["out"], out, symlinks=True)
    return out


def manifest_of(folder):
    return json.loads((folder / "manifest.json").read_text())


def test_the_next_edition_is_latest(history):
    assert (history["out"] / "latest").resolve() == history["second"]
    assert not [p for p in history["out"].iterdir() if p.name.startswith(".building")]
    assert manifest_of(history["second"])["edition"] == "2019-07-18"
    assert manifest_of(history["first"])["as_of"] == "2018-07-19"


def test_the_next_edition_is_compared_with_the_previous_one(history):
    assert manifest_of(history["second"])["previous_pack"] == history["first"].name
    page = (history["second"] / "board-pack.html").read_text()
    assert "Figures as at <b>18 July 2019</b>" in page
    assert "BCH collaboration savings, second edition (test), 18 July 2019" in page
    assert "what moved since that edition" in page
    changes = page.split('id="changes"')[1].split('id="appendix"')[0]
    for row in (
        '<th scope="row">parameter changed</th><td>as_of</td><td>2018-07-19</td><td>2019-07-18</td>',
        '<th scope="row">year added</th><td>2019/20</td>',
        '<th scope="row">actual added</th><td>HR 2019/20</td><td class="num">–</td><td class="num">£150k</td>',
        '<th scope="row">actual added</th><td>ICT 2019/20</td><td class="num">–</td><td class="num">£200k</td>',
    ):
        assert row in changes
    # cells sort naturally, and no figure of the new year is lost off the page in the PDF
    text = "\n".join(builders.pdf_pages(history["second"] / "board-pack.pdf"))
    assert "HR 2019/20" in text and "£150k" in text


def test_the_next_edition_states_only_its_own_date_and_shows_the_trend(history):
    page = (history["second"] / "board-pack.html").read_text()
    before_claims = re.sub(r'alt="[^"]*"', "", page.split('id="claims"')[0])  # the trend's alt names each edition
    contexts = [before_claims[m.start() - 12 : m.start()] for m in re.finditer("19 July 2018", before_claims)]
    assert contexts and all(c.endswith(("k since ", "viewed, on ")) for c in contexts), contexts
    assert "BCH collaboration savings — 18 July 2019" in page  # the PDF footer
    assert "+£750k since 19 July 2018" in page  # the recurrent headline's change
    assert page.count('src="data:image/png;base64,') == 5  # the four charts and the trend
    trend_alt = re.findall(r'alt="([^"]*)"', page)[-1]
    assert trend_alt.startswith(
        "Each business case&#39;s actual and % of forecast delivered at each edition (19 July 2018"
    )
    # the table under the trend chart: ICT's actual at each edition and its change (the next edition adds £200k)
    trend_table = page.split('<table class="trend">')[1].split("</table>")[0]
    ict = re.search(r'<tr><th scope="row" data-label="Business case">ICT</th>.*?</tr>', trend_table).group(0)
    assert [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r'<td[^>]*class="num">.*?</td>', ict)] == [
        "£1,501k",
        "£1,501k",
        "£1,701k",
        "+£200k",
        "77.2%",
    ]
    assert "These figures were quoted in" in page and "not checked" in page
    assert "more than six months before these figures" in page
    assert "Figures quoted in an earlier paper: then and now" in page


def test_one_edition_says_so(history):
    page = (history["first"] / "board-pack.html").read_text()
    assert "One edition so far (as at 19 July 2018)" in page
    assert page.count('src="data:image/png;base64,') == 4


def test_an_older_edition_rerun_is_compared_with_its_own_edition_and_never_becomes_latest(tmp_path):
    first = builders.recorded_pack(tmp_path, "2019-07-20", "2018-07-19")
    second = builders.recorded_pack(tmp_path, "2019-07-21", "2019-07-18")
    packs = packlist.published_packs(tmp_path)
    assert packlist.previous_pack(packs, "2018-07-19").path == first  # a restatement: its own edition
    assert packlist.previous_pack(packs, "2019-07-18").path == second
    assert packlist.previous_pack(packs, "2020-07-16").path == second  # a new edition: the latest earlier one
    assert packlist.previous_pack(packs, "2017-07-01") is None
    rerun = builders.recorded_pack(tmp_path, "2019-07-22", "2018-07-19")
    packlist.point_latest(tmp_path)
    assert (tmp_path / "latest").resolve() == second
    packs = packlist.published_packs(tmp_path)
    assert [r.path for r in packs] == [first, rerun, second]  # edition order, then run order
    assert packlist.previous_pack(packs, "2018-07-19").path == rerun


def test_runs_of_one_day_order_by_number_not_as_text(tmp_path):
    for name in ["2019-07-20", "2019-07-20.2", "2019-07-20.10"]:  # recorded in this order
        builders.recorded_pack(tmp_path, name, "2018-07-19")
    assert [r.path.name for r in packlist.published_packs(tmp_path)] == ["2019-07-20", "2019-07-20.2", "2019-07-20.10"]
    packlist.point_latest(tmp_path)
    assert (tmp_path / "latest").resolve().name == "2019-07-20.10"


def test_if_changed_publishes_nothing_when_nothing_changed(two_editions, tmp_path, capsys):
    folder = copy_of(two_editions, tmp_path)
    before = builders.tree_digest(folder)
    argv = ["pack", "--catalogue", str(two_editions["catalogue"]), "--out", str(folder), "--if-changed"]
    argv += ["--materiality", "15"]  # as the second pack ran; its edition, the newest, is the default
    assert cli.main(argv) == 0
    out, err = capsys.readouterr()
    name = two_editions["second"].name
    assert out == f"bch pack: nothing changed since {name} (same inputs, parameters and code); nothing published\n"
    assert err == ""
    assert builders.tree_digest(folder) == before


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


def test_the_fingerprint_follows_the_catalogue_parameters_and_inputs_but_not_the_output_folder(tmp_path):
    """What --if-changed compares: any edit to a catalogued edition up to this one counts."""
    raw = next_editions.raw_folder(tmp_path, 2)
    catalogue = raw / "editions.toml"

    def print_of(**options):
        options = {"catalogue_path": str(catalogue), "out": tmp_path / "elsewhere", **options}
        return packhistory.fingerprint(packoptions.run_parameters(packoptions.PackOptions(**options)))

    first = print_of()
    assert print_of(out=tmp_path / "another") == first
    assert print_of(materiality_pct=15.0)["parameters"] != first["parameters"]
    catalogue.write_text(catalogue.read_text().replace("second edition (test)", "second edition (revised title)"))
    edited = print_of()
    assert edited["catalogue"] != first["catalogue"] and edited["inputs"] == first["inputs"]
    register = next(raw.glob("*business-cases*.csv"))
    register.write_text(register.read_text() + "\n")
    assert print_of()["inputs"]["register"] != first["inputs"]["register"]
