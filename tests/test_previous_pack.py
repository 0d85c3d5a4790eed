"""An earlier pack that is readable but odd (an older bch's, edited by hand, a planted link or pipe) only
makes the changes section say it could not compare: read back through bch.publish.packfiles, never a traceback."""

import datetime as dt
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from bch import paths
from bch.analyse import tables
from bch.core import writers
from bch.present import boardpack, charts
from bch.publish import packfiles, packlist, render
from tests import builders

NAME = "2026-01-02"


def stored(analysis) -> dict[str, pd.DataFrame]:
    return {key: tables.as_text(frame) for key, frame in tables.pack_tables(analysis).items()}


@pytest.fixture
def previous(tmp_path, analysis) -> packlist.PackRecord:
    """A pack folder as `bch pack` leaves it, as far as the next pack reads it: its tables and manifest."""
    folder = builders.recorded_pack(tmp_path, NAME, "2018-07-19", parameters={"materiality_pct": 10.0})
    writers.save_tables(folder, tables.pack_tables(analysis))
    return packlist.published_packs(tmp_path)[0]


def why(record: packlist.PackRecord) -> str | None:
    found, reason = render.previous_tables(record)
    assert (found is None) == (reason is not None)
    return reason


def test_a_whole_previous_pack_reads_back_as_it_was_written(previous, analysis):
    found, reason = render.previous_tables(previous)
    assert reason is None and set(found) == {"savings-tidy", "variance", "findings"}
    for name, frame in found.items():
        pd.testing.assert_frame_equal(frame, stored(analysis)[name])
    assert render.changes_since(previous, stored(analysis), {"materiality_pct": 10.0}) == ([], None)


def test_findings_lacking_columns(previous):
    path = previous.path / "findings.csv"
    pd.read_csv(path, dtype=str)[["severity", "code"]].to_csv(path, index=False)
    assert why(previous) == f"the pack {NAME} could not be read (findings.csv lacks the column(s) cell, message)"


def test_savings_lacking_fiscal_year(previous):
    path = previous.path / "savings-tidy.csv"
    pd.read_csv(path, dtype=str).drop(columns="fiscal_year").to_csv(path, index=False)
    assert why(previous) == f"the pack {NAME} could not be read (savings-tidy.csv lacks the column(s) fiscal_year)"


def test_tbc_in_a_money_column(previous):
    path = previous.path / "variance.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, "actual_gbp"] = "tbc"
    frame.to_csv(path, index=False)
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[list(frame.columns).index("actual_gbp")]
    assert why(previous) == f"the pack {NAME} could not be read (variance.csv!{column}3 holds 'tbc', not int pounds)"


@pytest.mark.parametrize("value", ["not a figure", "795000.0", "1e400", '=HYPERLINK("x")'])
def test_a_findings_figure_that_is_not_int_pounds(previous, value):
    """A finding's stated_gbp is read as money like any other: never compared as text (which forged a finding
    both resolved and new)."""
    path = previous.path / "findings.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "stated_gbp"] = value
    frame.to_csv(path, index=False)
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[list(frame.columns).index("stated_gbp")]
    assert (
        why(previous) == f"the pack {NAME} could not be read (findings.csv!{column}2 holds {value!r}, not int pounds)"
    )


def test_a_hostile_value_is_quoted_harmless_and_short(previous):
    path = previous.path / "variance.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "forecast_gbp"] = "\u202e" + "9" * 60
    frame.to_csv(path, index=False)
    assert why(previous) == (
        f"the pack {NAME} could not be read (variance.csv!D2 holds '⟨U+202E⟩{'9' * 31}…', not int pounds)"
    )


def test_a_table_that_is_a_link_is_never_followed(previous, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    os.replace(previous.path / "findings.csv", outside)
    (previous.path / "findings.csv").symlink_to(outside)
    assert why(previous) == (
        f"the pack {NAME} could not be read (findings.csv is a symbolic link, which is never followed)"
    )


def test_a_table_that_is_a_pipe_is_not_waited_on(previous):
    (previous.path / "variance.csv").unlink()
    os.mkfifo(previous.path / "variance.csv")
    assert why(previous) == f"the pack {NAME} could not be read (variance.csv is not a regular file)"


def test_a_binary_table(previous):
    (previous.path / "savings-tidy.csv").write_bytes(b"\xff\xfe not utf-8 \x00")
    assert why(previous) == f"the pack {NAME} could not be read (savings-tidy.csv is not UTF-8 text (byte 0))"
    (previous.path / "savings-tidy.csv").write_bytes(b"function,fiscal_year,saving_gbp\n\x00,,\n")
    assert why(previous) == f"the pack {NAME} could not be read (savings-tidy.csv is not text (it holds a NUL byte))"


def test_an_empty_or_missing_table(previous):
    (previous.path / "findings.csv").write_bytes(b"")
    assert why(previous) == f"the pack {NAME} could not be read (findings.csv is empty)"
    (previous.path / "variance.csv").unlink()
    assert why(previous) == f"the pack {NAME} could not be read (variance.csv is missing)"


def test_a_table_past_the_size_cap(previous, monkeypatch):
    monkeypatch.setattr(packfiles, "MAX_TABLE_BYTES", 100)
    assert why(previous) == f"the pack {NAME} could not be read (savings-tidy.csv is larger than 100 bytes)"


def test_a_table_that_is_not_csv(previous):
    (previous.path / "findings.csv").write_text('severity,code,cell,message\n"warning,x\n')
    assert why(previous).startswith(f"the pack {NAME} could not be read (findings.csv is not a CSV table (")


def test_claims_are_not_compared_so_not_read(previous):
    (previous.path / "claims.csv").write_bytes(b"\xff")
    assert why(previous) is None


def test_tables_lacking_a_column_are_never_all_added(previous, analysis):
    """The comparison itself refuses a table lacking a column (it once made every case look added)."""
    current = stored(analysis)
    current["variance"] = current["variance"].drop(columns="status")
    assert render.changes_since(previous, current, {}) == (
        [],
        f"the pack {NAME} could not be compared (the current variance lacks the column(s) status)",
    )


def test_the_board_page_says_it_could_not_compare(previous, analysis, tmp_path):
    (previous.path / "findings.csv").write_text("severity,code\nwarning,blank-total\n")
    found, unreadable = render.changes_since(previous, stored(analysis), {})
    figures = tmp_path / "figures"
    figures.mkdir()
    for name in charts.names(None, analysis.variance):
        (figures / f"{name}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    page = boardpack.render_html(
        boardpack.build_context(
            analysis,
            run_date=dt.date(2026, 1, 3),
            pack_name="2026-01-03",
            figures_dir=figures,
            changes=found,
            previous_pack=NAME,
            previous_as_of="2018-07-19",
            previous_unreadable=unreadable,
            parameters={"savings_path": "bch-savings.xlsx"},
            versions={"bch": "0", "python": "3", "pandas": "2", "openpyxl": "3", "matplotlib": "3", "papermill": "2"},
            git={"commit": "0" * 40, "dirty": False},
            trend=None,
        )
    )
    assert (
        f"<p>Could not compare with the previous pack: the pack {NAME} could not be read "
        "(findings.csv lacks the column(s) cell, message).</p>"
    ) in page


MANIFESTS = {
    "a list": ("[1, 2]", "manifest.json holds an array, not a JSON object"),
    "invalid JSON": (
        '{"pack": "x", ',
        "manifest.json is not JSON (Expecting property name enclosed in double quotes at line 1 column 15)",
    ),
    "lacking keys": ('{"pack": "x"}', "manifest.json states no as_of date"),
    "a bad date": ('{"as_of": "19/07/2018"}', "manifest.json's as_of '19/07/2018' is not a date (YYYY-MM-DD)"),
    "a non-string date": ('{"as_of": 20180719}', "manifest.json's as_of '20180719' is not a date (YYYY-MM-DD)"),
    "parameters a list": (
        '{"as_of": "2018-07-19", "parameters": []}',
        "manifest.json's parameters are an array, not a JSON object",
    ),
    "not UTF-8": (b'{"as_of": "\xff"}', "manifest.json is not UTF-8 text (byte 11)"),
    "nested deep": ("[" * 100_000 + "]" * 100_000, "manifest.json is not JSON bch writes (nested too deeply)"),
}


@pytest.mark.parametrize("case", MANIFESTS)
def test_a_manifest_not_as_this_bch_writes_it_is_never_a_previous_pack(tmp_path, case):
    text, reason = MANIFESTS[case]
    good = builders.recorded_pack(tmp_path, "2019-07-20", "2018-07-19")
    odd = builders.recorded_pack(tmp_path, "2019-07-21", "2019-07-18")
    (odd / "manifest.json").write_bytes(text if isinstance(text, bytes) else text.encode())
    assert packfiles.read_manifest(odd) == (None, reason)
    packs = packlist.published_packs(tmp_path)
    assert [r.path for r in packs] == [good]
    assert packlist.previous_pack(packs, "2019-07-18").path == good
    packlist.point_latest(tmp_path)
    assert (tmp_path / "latest").resolve() == good


def test_a_manifest_that_is_a_link_or_a_pipe_is_skipped(tmp_path):
    good = builders.recorded_pack(tmp_path, "2019-07-20", "2018-07-19")
    linked = builders.recorded_pack(tmp_path, "2019-07-21", "2019-07-18")
    piped = builders.recorded_pack(tmp_path, "2019-07-22", "2019-07-18")
    os.replace(linked / "manifest.json", tmp_path / "outside.json")
    (linked / "manifest.json").symlink_to(tmp_path / "outside.json")
    (piped / "manifest.json").unlink()
    os.mkfifo(piped / "manifest.json")
    assert packfiles.read_manifest(linked) == (None, "manifest.json is a symbolic link, which is never followed")
    assert packfiles.read_manifest(piped) == (None, "manifest.json is not a regular file")
    assert [r.path for r in packlist.published_packs(tmp_path)] == [good]


def test_an_older_bch_manifest_with_its_as_of_among_its_parameters_is_still_placed(tmp_path):
    folder = tmp_path / "2019-07-20"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"parameters": {"as_of": "2018-07-19"}}))
    assert [(r.path, r.as_of) for r in packlist.published_packs(tmp_path)] == [(folder, "2018-07-19")]


MEMORY = 1_000_000_000  # bytes of address space: what reading a pack's tables may ever take
SECONDS = 30
READ = (
    "import sys; from pathlib import Path; from bch.publish import packlist, render; "
    "print(render.previous_tables(packlist.published_packs(Path(sys.argv[1]))[0])[1])"
)


REASONS = {
    "dev-zero": "is a symbolic link, which is never followed",
    "fifo": "is not a regular file",
    "huge": "is larger than 33,554,432 bytes",
    "rows": None,  # a million rows under the cap: read, compared, within the same bounds
}


@pytest.mark.parametrize("plant", list(REASONS))
def test_a_planted_table_is_refused_in_bounded_memory_and_time(previous, plant):
    """A link to /dev/zero, a pipe nobody writes, a 3 GB table: each read in a process held to 1 GB of address
    space and 30 s (`prlimit --as`, `timeout`), as a cron run would be by its machine: one reason, never a hang."""
    table = previous.path / "savings-tidy.csv"
    table.unlink()
    if plant == "dev-zero":
        table.symlink_to("/dev/zero")
    elif plant == "fifo":
        os.mkfifo(table)
    elif plant == "huge":
        with open(table, "wb") as handle:  # sparse: 3 GB as the reader sees it, no disk used
            handle.truncate(3 * 2**30)
    else:
        table.write_text("function,fiscal_year,saving_gbp,cell\n" + "ICT,2015/16,1000,Savings!C5\n" * 1_000_000)
    argv = ["prlimit", f"--as={MEMORY}", "timeout", str(SECONDS), sys.executable, "-c", READ, str(previous.path.parent)]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=paths.ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    said = f"the pack {NAME} could not be read (savings-tidy.csv {REASONS[plant]})" if REASONS[plant] else "None"
    assert done.stdout == said + "\n"
