"""Session fixtures: the shipped edition analysed once, and the published packs the tests read.

A pack takes seconds to build, so each one here is built once per test run and read by every test
that needs it; a test that changes a pack works on a copy (`copytree`). Under pytest-xdist the
workers share them: the first worker to ask builds, the others wait on a lock and read the result.
"""

import atexit
import datetime as dt
import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from filelock import FileLock

from bch import paths
from bch.publish import execute, pack, packoptions
from bch.publish.kernel import SharedKernel
from tests import builders, next_editions

execute.import_jsonschema_without_iri_grammar()  # before the test modules import nbformat (see there)
# Each process of a run (every xdist worker, and the main one, which waits for them) exits without the
# interpreter's last garbage collection, as `bch` does (`bch.cli.run`): in a worker it walks every object the
# tests made, about a second at the end of every run. At exit only: pytest run in-process is untouched.
atexit.register(gc.freeze)


def _signals_as_from_a_terminal() -> None:
    """Ctrl-C and SIGTERM handled as in a shell, however pytest was started: under `trap "" INT` (or nohup, or a
    scheduler) they arrive ignored, every process started from here would inherit that, and the interrupt
    tests would send signals to runs that cannot hear them."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


_signals_as_from_a_terminal()  # at import, in the main process and every xdist worker, before any test starts
# The suite runs the code as it stands in the work tree, committed or not (a developer runs it before committing);
# the refusal of uncommitted code is tested where it is meant (test_ops.py), with the switch turned off there.
os.environ[packoptions.ALLOW_DIRTY_ENV] = "1"
# Every process of the suite (kernels and `python -m bch` included) caches in a folder of its own, never the user's.
_CACHE = tempfile.mkdtemp(prefix="bch-test-cache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)
os.environ[paths.CACHE_ENV] = _CACHE

RUN_DATE = dt.date(2019, 7, 20)  # the shipped edition's pack is published on this day (never the clock's)
KERNEL_FIXTURES = {"shipped_pack", "two_editions", "notebook_kernel", "lent_kernel", "warm_kernel"}
# the next edition's new lines in `two_editions` (£'000 in 2019/20): labels a pack must show as text
NEW_LINES = {builders.HOSTILE_LABEL: 10, builders.DOLLAR_LABEL: 20}


def pytest_collection_modifyitems(items):
    """`notebook` marks exactly the tests that start a kernel, through a pack fixture or themselves. Then the
    modules are ordered for pytest-xdist, which hands them out in this order, each whole to one worker
    (`--dist loadscope --no-loadscope-reorder`), so no worker waits on a pack while work that needs none is left:

    0. the browser module: it needs both shared packs, so its worker builds them back to back from the start;
    1. meanwhile the other worker starts the kernels that need no pack (interrupts, the notebook tests);
    2. then the kernels that need the shipped pack (built first), 3. the quick modules,
    4. and last the modules that read the next edition's pack (built second).
    """
    for item in items:
        if KERNEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.notebook)
    modules: dict[str, list] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)
    ranks = {module: _rank(tests) for module, tests in modules.items()}
    items.sort(key=lambda item: ranks[item.nodeid.split("::")[0]])


def _rank(tests: list) -> int:
    fixtures = {name for test in tests for name in getattr(test, "fixturenames", ())}
    marks = {mark.name for test in tests for mark in test.iter_markers()}
    if "browser" in marks:
        return 0
    if "notebook" in marks and not fixtures & {"shipped_pack", "two_editions"}:
        return 1
    if "two_editions" in fixtures:
        return 4
    return 2 if "notebook" in marks else 3


def shared(tmp_path_factory, name: str, build) -> dict:
    """`build(folder) -> dict of Paths`, run once for the whole test run (every xdist worker). A build that
    failed fails every later request at once with its message, rather than being tried again by each."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return build(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent
    done, failed = root / f"{name}.json", root / f"{name}.failed"
    with FileLock(str(root / f"{name}.lock")):
        if failed.is_file():
            raise RuntimeError(f"{name} could not be built (by another worker): {failed.read_text()}")
        if not done.is_file():
            folder = root / name
            folder.mkdir()
            try:
                built = build(folder)
            except BaseException as exc:
                failed.write_text(f"{type(exc).__name__}: {exc}")
                raise
            done.write_text(json.dumps({key: str(value) for key, value in built.items()}))
    return {key: Path(value) for key, value in json.loads(done.read_text()).items()}


@pytest.fixture
def shipped():
    """An editable copy of the shipped workbook, and its only sheet."""
    book = builders.shipped_book()
    return book, book["Savings"]


class WarmKernel:
    """A python3 kernel with bch's stack imported, as a pack starts it, started the first time it is asked for
    (a worker that never builds a pack never starts one) and again if a test left it dead."""

    def __init__(self):
        self.kernel: SharedKernel | None = None

    def get(self) -> SharedKernel:
        if self.kernel is not None and not self.kernel.alive():
            self.kernel.close()
            self.kernel = None
        if self.kernel is None:
            kernel = SharedKernel()
            try:
                kernel.wait(kernel.send(execute.WARM_UP, first=True))
            except BaseException:
                kernel.close()
                raise
            self.kernel = kernel
        return self.kernel

    def close(self) -> None:
        if self.kernel is not None:
            self.kernel.close()


@pytest.fixture(scope="session")
def warm_kernel():
    """This worker's one warmed kernel, lent to the packs of the tests that ask (`lent_kernel`)."""
    warm = WarmKernel()
    try:
        yield warm
    finally:
        warm.close()


@pytest.fixture
def lent_kernel(warm_kernel):
    """Every `bch pack` of this test runs in the worker's warmed kernel (`execute.lend`): many real packs, one
    kernel start. Only while the test runs: a pack of any other test starts its own, as a user's does."""
    with execute.lend(warm_kernel.get()) as kernel:
        yield kernel


@pytest.fixture
def notebook_kernel(warm_kernel):
    """The worker's python3 kernel with bch's stack imported, as a pack starts it; each notebook test resets it."""
    return warm_kernel.get()


@pytest.fixture(scope="session")
def analysis():
    """The shipped edition analysed once for the session (tests only read it)."""
    from bch.analyse import pipeline

    return pipeline.analyse()


def _publish(out: Path, run_date: dt.date = RUN_DATE, **options) -> Path:
    return pack.build_pack(packoptions.PackOptions(out=out, **options), run_date=run_date).path


@pytest.fixture(scope="session")
def shipped_pack(tmp_path_factory, warm_kernel) -> Path:
    """One pack of the shipped edition, published on RUN_DATE: read it, never change it (copy it first)."""

    def build(tmp: Path) -> dict:
        with execute.lend(warm_kernel.get()):
            return {"pack": _publish(tmp / "packs")}

    return shared(tmp_path_factory, "shipped", build)["pack"]


@pytest.fixture(scope="session")
def two_editions(tmp_path_factory, shipped_pack) -> dict:
    """An output folder holding a copy of `shipped_pack` ("first"), then the next edition's pack ("second"),
    published by `python -m bch pack --catalogue … --edition 2019-07-18 --materiality 15 --if-changed` as a
    scheduler runs it, from a catalogue of both editions. The next edition's workbook has two new lines
    whose labels must stay text (NEW_LINES). Its stdout and stderr are kept ("stdout", "stderr": files),
    and the days before and after it ran ("days"). Read it; copy the folder to change it."""

    def build(tmp: Path) -> dict:
        out = tmp / "packs"
        shutil.copytree(shipped_pack.parent, out, symlinks=True)
        catalogue = next_editions.raw_folder(tmp, 2, NEW_LINES) / "editions.toml"
        argv = ["pack", "--catalogue", str(catalogue), "--edition", "2019-07-18", "--out", str(out)]
        argv += ["--materiality", "15", "--if-changed"]
        before = dt.datetime.now(dt.UTC).date()  # packs are dated on the UTC clock, whatever the TZ
        proc = subprocess.run([sys.executable, "-m", "bch", *argv], capture_output=True, text=True)
        days = f"{before.isoformat()} {dt.datetime.now(dt.UTC).date().isoformat()}"
        if proc.returncode != 0:
            raise RuntimeError(f"bch pack exited {proc.returncode}: {proc.stderr.strip()}")
        kept = {"stdout": proc.stdout, "stderr": proc.stderr, "days": days}
        for name, text in kept.items():
            (tmp / f"{name}.txt").write_text(text, encoding="utf-8")
        return {
            "out": out,
            "first": out / shipped_pack.name,
            "second": Path(proc.stdout.strip()),
            "catalogue": catalogue,
            **{name: tmp / f"{name}.txt" for name in kept},
        }

    return shared(tmp_path_factory, "two-editions", build)
