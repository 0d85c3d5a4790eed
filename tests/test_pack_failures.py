"""`bch pack` when something goes wrong: nothing is published, the failed notebook and its message are
kept, `latest` and the earlier pack are untouched; bad parameters and usage are refused before any kernel."""

import fcntl
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from bch import cli, paths
from bch.core.errors import BchError, DataError, ParameterError
from bch.publish import execute, pack, packlist, packlock, packoptions
from tests import builders


def run_pack(out: Path, **options) -> Path:
    return pack.build_pack(packoptions.PackOptions(out=out, **options)).path


def notebook_with(tmp_path: Path, extra_source: str) -> Path:
    """A notebook with load-and-check's title and parameters cell, then `extra_source`."""
    nb = nbformat.read(paths.NOTEBOOKS / "1.0-load-and-check.ipynb", as_version=4)
    nb.cells = [*nb.cells[:2], nbformat.v4.new_code_cell(extra_source, id="extra-cell")]
    path = tmp_path / "9.0-broken.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def with_a_pack(tmp_path, shipped_pack):
    """An output folder holding one published pack (a copy of the session's shipped pack)."""
    out = tmp_path / "packs"
    shutil.copytree(shipped_pack.parent, out, symlinks=True)
    first = out / shipped_pack.name
    return out, first, builders.tree_digest(first)


@pytest.fixture
def unwarmed_kernel(monkeypatch):
    """For notebooks that import nothing of bch's stack: the kernel skips the warm-up that imports it
    (about 2 s of CPU; every pack the other tests build warms its kernel)."""
    monkeypatch.setattr(execute, "WARM_UP", "pass")


def assert_nothing_published(out: Path, first: Path, digest: dict) -> Path:
    """No new pack, `latest` and the old pack untouched, the failed notebook and message kept."""
    packs = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert packs == sorted([first.name, "failed", "index.html", "latest", "ledger.jsonl"])
    assert (out / "latest").resolve() == first
    assert builders.tree_digest(first) == digest
    assert not [p for p in out.iterdir() if p.name.startswith(".building")]
    kept = sorted((out / "failed").iterdir())
    assert len(kept) == 1
    assert len(list(kept[0].glob("*.ipynb"))) == 1
    assert (kept[0] / "error.txt").read_text().strip()
    return kept[0]


def test_strict_with_a_junk_cell_is_refused_before_any_kernel(with_a_pack, tmp_path, shipped, monkeypatch):
    out, first, digest = with_a_pack
    book, ws = shipped
    ws["C3"] = "tbc"
    junk = builders.save(book, tmp_path, "junk.xlsx")
    monkeypatch.setattr(execute, "SharedKernel", lambda *a, **k: pytest.fail("a kernel was started"))
    with pytest.raises(DataError) as failure:
        run_pack(out, savings_path=str(junk), as_of="2018-07-19", strict=True)
    assert str(failure.value) == (
        "strict run: 1 error finding(s); the first: ERROR [not-money] Savings!C3: 'tbc' is not an amount of money; "
        "it is not counted (a non-figure is never read as 0)"
    )
    untouched = [first.name, "index.html", "latest", "ledger.jsonl", packlock.LOCK]
    assert sorted(p.name for p in out.iterdir()) == sorted(untouched)  # no failed/: no notebook ran
    assert builders.tree_digest(first) == digest


def test_a_failing_notebook_is_kept_with_papermills_banner_and_the_runs_record(with_a_pack, tmp_path, unwarmed_kernel):
    out, first, digest = with_a_pack
    broken = notebook_with(tmp_path, "raise ValueError('the figures do not add up')")
    with pytest.raises(packoptions.PackError) as failure:
        run_pack(out, books=[broken])
    assert "9.0-broken.ipynb failed at cell" in str(failure.value)
    assert "ValueError: the figures do not add up" in str(failure.value)
    kept = assert_nothing_published(out, first, digest)
    failed = nbformat.read(kept / "9.0-broken.ipynb", as_version=4)
    assert any("An Exception was encountered" in "".join(c.source) for c in failed.cells)  # papermill's banner
    assert re.fullmatch(
        r"9.0-broken.ipynb failed at cell 3 \(In \[3\]: raise ValueError\('the figures do not add up'\)\): "
        r"ValueError: the figures do not add up\n\n9.0-broken.ipynb: failed \(\d+\.\d+s\)\n",
        (kept / "error.txt").read_text(),
    )


def test_a_killed_kernel(with_a_pack, tmp_path, unwarmed_kernel):
    out, first, digest = with_a_pack
    broken = notebook_with(tmp_path, "import os\nos._exit(9)")
    with pytest.raises(
        packoptions.PackError,
        match=r"9.0-broken.ipynb failed at cell \d+ \((In \[\d+\]: )?import os\): the kernel died",
    ):
        run_pack(out, books=[broken])
    assert_nothing_published(out, first, digest)


def test_a_cell_that_times_out(with_a_pack, tmp_path, unwarmed_kernel):
    out, first, digest = with_a_pack
    broken = notebook_with(tmp_path, "import time\ntime.sleep(30)")
    with pytest.raises(
        packoptions.PackError, match=r"9.0-broken.ipynb timed out at cell \d+ \((In \[\d+\]: )?import time\)"
    ):
        run_pack(out, books=[broken], cell_timeout=2)
    assert_nothing_published(out, first, digest)


@pytest.mark.parametrize(
    ("declared", "changed_to", "message"),
    [
        ("strict: bool = False", "", r"1.0-old.ipynb has no parameter 'strict'"),
        ("materiality_pct: float = 10.0", "materiality_pct: str = '10'", r"materiality_pct is str; got float"),
    ],
    ids=["missing", "ill-typed"],
)
def test_a_parameter_the_notebook_cannot_take_is_refused_before_any_kernel(tmp_path, declared, changed_to, message):
    nb = nbformat.read(paths.NOTEBOOKS / "1.0-load-and-check.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert declared in cell.source
    cell.source = cell.source.replace(declared, changed_to)
    path = tmp_path / "1.0-old.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ParameterError, match=message):
        run_pack(tmp_path / "packs", books=[path])
    assert not (tmp_path / "packs").exists()


def test_a_second_run_at_once_is_refused(tmp_path):
    out = tmp_path / "packs"
    out.mkdir()
    with open(out / packlock.LOCK, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(packlock.PackBusy, match="another bch pack is running into"):
            run_pack(out)
    assert packlock.PackBusy.exit_code == 3


def test_an_output_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(BchError, match="cannot create the output folder"):
        run_pack(blocker / "packs")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--materiality", "150"], "--materiality must be from 0 to under 100"),
        (["--as-of", "19/07/2018"], "--as-of must be an ISO date"),
        (["--savings", "nope.xlsx"], "--savings: no such file"),
        (["--cell-timeout", "0"], "--cell-timeout must be at least 1, not 0"),
        (["--unknown", "1"], "unrecognized arguments: --unknown"),
    ],
)
def test_cli_usage_errors_exit_2_before_any_kernel(tmp_path, capsys, argv, message):
    """In this process, as `bch pack` parses them (argparse's own errors leave by SystemExit)."""
    try:
        code = cli.main(["pack", "--out", str(tmp_path / "packs"), *argv])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "packs").exists()


def test_a_cell_timeout_is_one_line_from_the_cli(tmp_path, capsys, caplog, unwarmed_kernel):
    """nbclient's own "Timeout waiting for execute reply" never reaches stderr: bch's one line says it."""
    project = tmp_path / "project"
    shutil.copytree(paths.RAW, project / "data" / "raw")
    (project / "notebooks").mkdir()
    notebook_with(project / "notebooks", "import time\ntime.sleep(30)")
    out = tmp_path / "packs"
    code = cli.main(["--project", str(project), "pack", "--quiet", "--cell-timeout", "1", "--out", str(out)])
    err = capsys.readouterr().err
    # pytest captures log records itself; outside it the record would print bare on stderr, a second line
    assert "Timeout waiting" not in caplog.text
    kept = sorted((out / "failed").iterdir())
    assert code == 1
    assert err == (
        "bch: error: 9.0-broken.ipynb timed out at cell 3 (In [3]: import time): a cell ran longer than the per-cell "
        f"limit (1 s) (failed notebook kept in {kept[0]})\n"
    )
    assert not [p.name for p in out.iterdir() if packlist.PACK_NAME.match(p.name) or p.name == packlist.LATEST]
