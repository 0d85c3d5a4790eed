"""Every workbook bch can read gets a pack (without --strict) or one line (with it), through the real `bch pack`.

Each case is the shipped workbook with one thing a real finance export does to it, and the finding it must
raise. Without --strict the pack publishes whole (all notebooks, HTML, PDF, Excel, index) with the findings
on the Board's page; with --strict an error finding ends the run in one line, exit 1, nothing published.
All the packs of this module run in one kernel (`execute.lend`), as the issue allows, and each case is packed
once (`published`): every test of the case reads that pack.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from bch import cli
from bch.present.excel import read_headlines
from bch.publish import execute
from tests import builders

pytestmark = pytest.mark.notebook
ERROR, WARNING = "error", "warning"


def _note(ws):  # content no edition has, so the workbook is "another" one and --as-of may state any date
    ws["A17"] = ws["A17"].value + " (restated)"


# name -> (change to the shipped sheet, --as-of, the finding it must raise, headline totals in £ (None: unknown))
CASES = {
    "tbc": (lambda ws: ws.__setitem__("C5", "tbc"), "2018-07-19", (ERROR, "not-money", "Savings!C5"), None),
    "formula-no-cached-value": (
        lambda ws: ws.__setitem__("C5", "=500+41"),
        "2018-07-19",
        (ERROR, "formula-no-value", "Savings!C5"),
        None,
    ),
    "ref-error": (lambda ws: ws.__setitem__("D5", "#REF!"), "2018-07-19", (ERROR, "excel-error", "Savings!D5"), None),
    "unknown-total": (
        lambda ws: ws.__setitem__("G9", "tbc"),
        "2018-07-19",
        (ERROR, "not-money", "Savings!G9"),
        6_151_000,
    ),
    "total-does-not-foot": (
        lambda ws: ws.__setitem__("G5", 1500),
        "2018-07-19",
        (ERROR, "row-total", "Savings!G5"),
        6_151_000,
    ),
    "missing-summary-rows": (
        lambda ws: ws.delete_rows(12, 2),
        "2018-07-19",
        (WARNING, "missing-row", "Savings!A2:A11"),
        6_151_000,
    ),
    "possible-match": (
        lambda ws: ws.__setitem__("A4", "Information Management Dept"),
        "2018-07-19",
        (WARNING, "possible-match", "Savings!A4"),
        6_151_000,
    ),
    "stale-register": (
        _note,
        "2019-03-01",
        (WARNING, "register-stale", "editions.toml[2018-07-19].register_reviewed"),
        6_151_000,
    ),
    "year-after-as-of": (_note, "2018-03-31", (ERROR, "year-after-as-of", "Savings!F2"), 6_151_000),
}
# the cases whose actual a change makes unknown: the Board's page names them beside the headline totals
LEFT_OUT = {
    "tbc": "ICT, £2,202k forecast",
    "formula-no-cached-value": "ICT, £2,202k forecast",
    "ref-error": "ICT, £2,202k forecast",
    "possible-match": "Information Management Department (IMD), £320k forecast",
}
PUBLISHED = (
    "1.0-load-and-check.html",
    "2.0-reconcile-forecasts.html",
    "3.0-variance-charts.html",
    "board-pack.html",
    "board-pack.pdf",
    "bch-pack.xlsx",
    "findings.csv",
    "variance.csv",
    "index.html",
)


def _workbook(tmp_path: Path, name: str) -> Path:
    change = CASES[name][0]
    book = builders.shipped_book()
    change(book["Savings"])
    return builders.save(book, tmp_path, f"{name}.xlsx")


def _pack(tmp_path: Path, name: str, *extra: str) -> tuple[int, str, str]:
    """`bch pack` of the case's workbook into tmp_path/out: (exit code, stdout, stderr)."""
    as_of = CASES[name][1]
    workbook = tmp_path / f"{name}.xlsx"
    if not workbook.exists():
        _workbook(tmp_path, name)
    argv = ["pack", "--savings", str(workbook), "--as-of", as_of, "--out", str(tmp_path / "out")]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([*argv, *extra])
    assert "Traceback" not in err.getvalue() and "Traceback" not in out.getvalue()
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def published(tmp_path_factory, warm_kernel):
    """`published(name)`: `bch pack --json` of the case's workbook, run once for the module, in one kernel:
    (folder it ran in, exit code, the JSON object it printed, stderr). A case whose finding is a warning is packed
    with --strict, which must publish it all the same: the pack every test of that case reads is then the one a
    strict scheduler gets (without --strict, warnings publish in every other pack of the suite, the shipped one's
    first)."""
    packs: dict[str, tuple] = {}

    def get(name: str) -> tuple:
        if name not in packs:
            folder = tmp_path_factory.mktemp(name)
            strict = ["--strict"] if CASES[name][2][0] == WARNING else []
            with execute.lend(warm_kernel.get()):
                code, out, err = _pack(folder, name, "--json", *strict)
            packs[name] = (folder, code, json.loads(out), err)
        return packs[name]

    return get


@pytest.mark.parametrize("name", CASES)
def test_a_dirty_workbook_publishes_a_whole_pack_with_its_findings_on_the_boards_page(published, name):
    severity, code, cell = CASES[name][2]
    ran_in, exit_code, printed, err = published(name)
    assert (exit_code, printed["status"], err) == (0, "published", ""), printed["message"]
    folder = Path(printed["path"])
    assert folder.parent == ran_in / "out"
    for file in PUBLISHED:
        assert (folder / file).is_file(), file
    assert (ran_in / "out" / "latest").resolve() == folder.resolve()
    with open(folder / "findings.csv", encoding="utf-8") as handle:
        found = [(row["severity"], row["code"], row["cell"]) for row in csv.DictReader(handle)]
    assert (severity, code, cell) in found
    page = (folder / "board-pack.html").read_text(encoding="utf-8")
    assert code in page and (cell.split("!")[-1] in page if cell else True)
    left_out = f"left out, actual unknown: {LEFT_OUT[name]})" if name in LEFT_OUT else "left out, actual unknown"
    assert (left_out in page) == (name in LEFT_OUT)
    if name in LEFT_OUT:  # and under the reconciliation's total row, which it is not in
        assert f'<td colspan="10" class="left-out">Not in the total — actual unknown: {LEFT_OUT[name]}</td>' in page
    headlines = read_headlines(folder / "bch-pack.xlsx")
    assert headlines["recurrent_gbp"] == CASES[name][3]  # unknown stays unknown, never a short total
    assert headlines["change_team_costs_gbp"] == (None if name == "missing-summary-rows" else 6_348_000)


@pytest.mark.parametrize("name", CASES)
def test_a_strict_run_fails_in_one_line_on_an_error_finding_and_publishes_on_warnings(published, tmp_path, name):
    severity, code, cell = CASES[name][2]
    if severity == ERROR:  # refused before any kernel starts
        exit_code, out, err = _pack(tmp_path, name, "--strict")
        failures = [line for line in err.splitlines() if line.startswith("bch: error:")]
        assert exit_code == 1
        assert len(failures) == 1 and f"[{code}] {cell}" in failures[0]
        assert out == ""
        assert not (tmp_path / "out" / "latest").exists()
        assert not (tmp_path / "out" / "failed").exists()  # refused before any kernel: no notebook failed
    else:
        _, exit_code, printed, err = published(name)  # packed with --strict
        assert (exit_code, printed["status"], printed["findings"]["error"], err) == (0, "published", 0, "")
        assert (Path(printed["path"]) / "board-pack.pdf").is_file()


def test_json_for_a_scheduler_published_then_unchanged_then_failed(published, tmp_path):
    ran_in, exit_code, printed, err = published("tbc")
    assert (exit_code, err) == (0, "")
    assert printed == {
        "status": "published",
        "exit_code": 0,
        "path": printed["path"],
        "message": "",
        "edition": None,
        "as_of": "2018-07-19",
        "findings": {"error": 1, "warning": 1},
    }
    assert Path(printed["path"]).parent == ran_in / "out"
    shutil.copytree(ran_in, tmp_path, symlinks=True, dirs_exist_ok=True)  # the module's pack stays as it was
    exit_code, out, _ = _pack(tmp_path, "tbc", "--json", "--if-changed")
    unchanged = json.loads(out)
    again = str(tmp_path / "out" / Path(printed["path"]).name)
    assert (exit_code, unchanged["status"], unchanged["path"]) == (0, "unchanged", again)
    assert unchanged["message"].startswith("nothing changed since ")
    exit_code, out, err = _pack(tmp_path, "tbc", "--json", "--strict")
    failed = json.loads(out)
    assert (exit_code, failed["status"], failed["exit_code"], failed["path"]) == (1, "failed", 1, None)
    assert failed["message"].startswith("strict run: 1 error finding(s); the first: ERROR [not-money] Savings!C5")
    assert err.splitlines() == [f"bch: error: {failed['message']}"]
