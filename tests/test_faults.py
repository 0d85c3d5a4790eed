"""Faults while publishing: interrupts at any point, odd output folders, stale leftovers."""

import concurrent.futures
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import pytest
from filelock import FileLock

from bch.core.digest import sha256
from bch.core.errors import BchError
from bch.publish import execute, kernel, ledger, pack, packhistory, packlist, packlock, packoptions, render, verify
from tests import builders

MOMENTS = ["starting", "kernel", "notebooks"]
SENT = {"starting": signal.SIGINT, "kernel": signal.SIGTERM, "notebooks": signal.SIGINT}  # Ctrl-C, a scheduler
HANG = 120  # seconds: only a run that never ends fails by the clock (a hang, not a slow machine)


def _seen(moment: str, pid: int, out: Path) -> bool:
    """The run is at `moment` or past it: it holds the folder's lock, its kernel's folder exists, or papermill
    has written the first notebook (as it starts it)."""
    folder, pattern = {
        "starting": (out, packlock.LOCK),
        "kernel": (Path(tempfile.gettempdir()), f"{kernel.KERNEL_FOLDER_PREFIX}{pid}-*"),
        "notebooks": (out, f".building-*/{execute.CHARTS_NOTEBOOK}"),
    }[moment]
    return bool(list(folder.glob(pattern)))


def _interrupt_at(moment: str, out: Path) -> dict:
    """`bch pack --out OUT` sent Ctrl-C or SIGTERM (SENT) at `moment`: its pid, exit code, stderr and the
    or why it could not be judged ("failure"), never an exception
    (the other runs go on)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bch", "pack", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # so a run that hangs can be made to show where
    )
    try:
        deadline = time.monotonic() + 60
        while not _seen(moment, proc.pid, out):
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                return {"failure": f"never reached {moment}: {proc.communicate(timeout=10)[1].decode()[-2000:]}"}
            time.sleep(0.02)
        proc.send_signal(signal.SIGSTOP)  # held where it was seen, while the test checks it is not further on
        after = MOMENTS[MOMENTS.index(moment) + 1 :]
        if after and _seen(after[0], proc.pid, out):
            return {"failure": f"seen only at {after[0]}, past {moment}: the test was too slow to catch it"}
        proc.send_signal(SENT[moment])  # delivered as it continues
        proc.send_signal(signal.SIGCONT)
        try:
            _, err = proc.communicate(timeout=HANG)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # faulthandler writes every thread's stack to stderr
            return {"failure": f"still running {HANG} s after the interrupt:\n{proc.communicate()[1].decode()[-4000:]}"}
        return {"pid": proc.pid, "code": proc.returncode, "stderr": err.decode()}
    except Exception:
        return {"failure": traceback.format_exc()}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory) -> dict:
    """moment -> (what `_interrupt_at` saw, the output folder). The three runs start together: each spends
    much of its time waiting (for its moment, then for its dead kernel to be noticed), so together they
    take little longer than the longest alone (and selecting one moment still runs all three)."""
    folder = tmp_path_factory.mktemp("interrupts")
    with concurrent.futures.ThreadPoolExecutor(len(MOMENTS)) as pool:
        runs = {moment: pool.submit(_interrupt_at, moment, folder / moment / "packs") for moment in MOMENTS}
    return {moment: (run.result(), folder / moment / "packs") for moment, run in runs.items()}


@pytest.mark.notebook
@pytest.mark.parametrize("moment", MOMENTS)
def test_an_interrupt_at_any_point_ends_the_run_as_interrupted_and_frees_the_folder(interrupted, moment):
    run, out = interrupted[moment]
    assert "failure" not in run, run.get("failure")
    *before, last = run["stderr"].splitlines()
    assert (run["code"], last) == (130, "bch: interrupted")
    assert [line for line in before if not line.startswith("bch pack: ")] == []  # progress only: no death throes
    assert sorted(p.name for p in out.iterdir()) == [packlock.LOCK]  # nothing published, no leftovers
    assert not list(Path(tempfile.gettempdir()).glob(f"{kernel.KERNEL_FOLDER_PREFIX}{run['pid']}-*"))
    FileLock(out / packlock.LOCK, timeout=0).acquire()  # free again: a later scheduled run is not "busy"


def test_a_real_latest_folder_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "latest").mkdir()
    with pytest.raises(packoptions.PackError, match="latest is a real file or folder, not the link bch keeps"):
        pack.build_pack(packoptions.PackOptions(out=tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest"]


def test_an_output_folder_inside_a_published_pack_is_refused(tmp_path):
    inside = tmp_path / "2026-01-02" / "figures"
    inside.mkdir(parents=True)
    (tmp_path / "2026-01-02" / "manifest.json").write_text("{}")
    with pytest.raises(packoptions.PackError, match="is inside the published pack"):
        pack.build_pack(packoptions.PackOptions(out=inside))


def test_an_output_folder_below_a_published_pack_is_refused_before_anything_is_created(tmp_path):
    published = builders.recorded_pack(tmp_path, "2026-01-02", "2025-12-31")
    (published / "figures").mkdir()
    before = builders.tree_digest(tmp_path), sorted(p.name for p in published.rglob("*"))
    out = published / "figures" / "sub" / "deeper"
    with pytest.raises(packoptions.PackError) as refused:
        pack.build_pack(packoptions.PackOptions(out=out))
    assert str(refused.value) == f"--out {out} is inside the published pack {published}; packs are never written into"
    assert (builders.tree_digest(tmp_path), sorted(p.name for p in published.rglob("*"))) == before


def test_a_lock_path_that_is_a_folder_is_one_line(tmp_path):
    (tmp_path / packlock.LOCK).mkdir()
    with pytest.raises(packoptions.PackError, match="cannot take the lock"):
        pack.build_pack(packoptions.PackOptions(out=tmp_path))


def test_leftovers_of_killed_runs_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = int(dead.stdout)
    (tmp_path / f".building-20260101T000000Z-{gone}").mkdir()
    (tmp_path / f".latest-{gone}").symlink_to("nowhere")
    (tmp_path / f".building-20260101T000000Z-{os.getpid()}").mkdir()
    packlock.remove_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".building-20260101T000000Z-{os.getpid()}"]


def test_a_kernel_that_cannot_start_leaves_no_key_file_nor_sockets(tmp_path):
    """Removed at once, not at garbage collection (which `bch` skips at exit) nor by the next run."""
    from jupyter_core.paths import jupyter_runtime_dir

    def left() -> set:
        sockets = Path(tempfile.gettempdir()).glob(f"{kernel.KERNEL_FOLDER_PREFIX}{os.getpid()}-*")
        return {*sockets, *Path(jupyter_runtime_dir()).glob("kernel-*.json")}

    before = left()
    with pytest.raises(FileNotFoundError, match="gone"):
        kernel.SharedKernel(cwd=tmp_path / "gone")
    assert left() == before


def test_a_dangling_link_with_todays_name_is_skipped(tmp_path):
    import datetime as dt

    day = dt.date(2026, 1, 2)
    (tmp_path / "2026-01-02").symlink_to("nowhere")
    assert packhistory.next_name(tmp_path, day) == "2026-01-02.2"


def test_an_unreadable_previous_pack_only_stops_the_comparison(tmp_path):
    broken = tmp_path / "2026-01-02"
    broken.mkdir()
    (broken / "savings-tidy.csv").write_bytes(b"\xff\xfe not utf-8 \x00")
    record = packlist.PackRecord(broken, "2018-07-19", {})
    tables, why = render.previous_tables(record)
    assert tables is None
    assert why.startswith("the pack 2026-01-02 could not be read (")


def test_the_analysis_in_this_process_is_bounded_by_the_cell_limit():
    limit = pytest.raises(BchError, match=r"the test's work ran longer than the per-cell limit of 0\.2s")
    with limit, render.deadline(0.2, "the test's work"):
        time.sleep(3)
    # as --cell-timeout gives it, in whole seconds
    with (
        pytest.raises(BchError, match=r"^bch's own analysis of the inputs ran longer than the per-cell limit of 600s$"),
        render.deadline(600, "bch's own analysis of the inputs"),
    ):
        signal.raise_signal(signal.SIGALRM)


def test_processed_into_a_file_is_one_line_exit_2(tmp_path, capsys):
    from bch import cli

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert cli.main(["check", "--processed", str(blocker)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"bch: error: --processed {blocker}: cannot write there") and err.count("\n") == 1


def test_a_pipe_given_as_the_workbook_is_refused_not_waited_on(tmp_path, capsys):
    from bch import cli

    fifo = tmp_path / "savings.xlsx"
    os.mkfifo(fifo)
    assert cli.main(["check", "--savings", str(fifo)]) == 2
    assert capsys.readouterr().err == f"bch: error: --savings: {fifo} is not a regular file\n"


def test_a_file_name_that_is_not_utf8_is_refused_before_any_kernel(tmp_path, capsys):
    from bch import cli

    name = os.fsdecode(bytes(tmp_path) + b"/\xff.xlsx")
    assert cli.main(["pack", "--savings", name, "--as-of", "2018-07-19", "--out", str(tmp_path / "o")]) == 2
    assert "is not valid UTF-8" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_minus_zero_materiality_is_zero(capsys):
    from bch import cli

    assert cli.main(["check", "--materiality=-0"]) == 0
    assert "materiality 0%" in capsys.readouterr().out


def test_a_figure_the_charts_notebook_did_not_save_is_an_error(tmp_path, analysis):
    from bch.present import boardpack

    (tmp_path / "variance.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(boardpack.MissingFigure, match=r"delivery\.png is missing: the charts notebook did not save it"):
        boardpack.charts(tmp_path, None, analysis)


def test_a_torn_last_ledger_line_is_dropped_and_a_broken_chain_stops_before_any_kernel(tmp_path):
    ledger_file = tmp_path / ledger.LEDGER
    ledger_file.write_bytes(b'{"pack": "x", "manif')  # a write cut short: its pack was never renamed into place
    packlock.check_ledger(tmp_path)
    assert ledger_file.read_bytes() == b""
    ledger_file.write_bytes(b"not an entry\n")
    with pytest.raises(packoptions.PackError, match=r"nothing can be published into .* until it is mended: restore"):
        pack.build_pack(packoptions.PackOptions(out=tmp_path))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".building")]


def test_a_last_entry_missing_only_its_newline_is_kept_and_the_chain_goes_on(tmp_path):
    from bch.publish import manifest

    builders.recorded_pack(tmp_path, "2019-07-20", "2018-07-19")
    builders.recorded_pack(tmp_path, "2019-07-21", "2018-07-19")
    ledger_file = tmp_path / ledger.LEDGER
    ledger_file.write_bytes(
        ledger_file.read_bytes().rstrip(b"\n")
    )  # a hand edit or a tool that strips the last newline
    kept = ledger_file.read_bytes()
    packlock.check_ledger(tmp_path)
    assert ledger_file.read_bytes() == kept
    assert ledger.recorded_packs(tmp_path) == {"2019-07-20": 1, "2019-07-21": 2}
    third = builders.recorded_pack(tmp_path, "2019-07-22", "2018-07-19")
    entries, broken = ledger.read_ledger(ledger_file)
    assert broken is None
    assert ledger_file.read_bytes().startswith(kept + b"\n")
    assert [entry["pack"] for entry in entries] == ["2019-07-20", "2019-07-21", "2019-07-22"]
    assert entries[2]["prev"] == entries[1]["entry_sha256"]
    assert verify._ledger_problems(third, tmp_path, sha256(third / manifest.MANIFEST)) == []


def test_an_unterminated_last_line_shaped_like_an_entry_is_never_dropped(tmp_path):
    import json

    builders.recorded_pack(tmp_path, "2019-07-20", "2018-07-19")
    ledger_file = tmp_path / ledger.LEDGER
    forged = dict(json.loads(ledger_file.read_text()), pack="2019-07-21", prev=None)  # does not chain on line 1
    ledger_file.write_bytes(ledger_file.read_bytes() + json.dumps(forged).encode())
    before = ledger_file.read_bytes()
    with pytest.raises(
        packoptions.PackError, match=r"^ledger chain broken at line 2: prev is not line 1's entry_sha256; "
    ):
        packlock.check_ledger(tmp_path)
    assert ledger_file.read_bytes() == before  # evidence of an edit, not a write cut short: left for a person


def test_a_dated_folder_the_ledger_does_not_record_is_never_latest_nor_compared_with(tmp_path):
    import shutil

    first = builders.recorded_pack(tmp_path, "2019-07-20", "2018-07-19")
    shutil.copytree(first, tmp_path / "2099-01-01")  # copied in by hand: newer, but never published
    assert [r.path.name for r in packlist.published_packs(tmp_path)] == [first.name]
    packlist.point_latest(tmp_path)
    assert (tmp_path / "latest").resolve() == first
