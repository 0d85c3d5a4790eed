"""Executing the notebooks with papermill: one kernel for all of them, each failure named by notebook and cell.

A naive run starts a kernel and imports the stack once per notebook. Here one kernel is started
(`bch.publish.kernel`), the stack is imported once, and each notebook runs in it after a namespace
reset, so a notebook still sees only its own variables. The notebooks' parameters are checked
before (`bch.publish.notebooks`).
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bch.core import labels
from bch.core.errors import BchError
from bch.publish import interrupts, notebooks
from bch.publish.kernel import SharedKernel

CHARTS_NOTEBOOK = "3.0-variance-charts.ipynb"  # saves every figure the board pack embeds (bch.present.charts.names)
# The stack is imported once and then frozen out of the garbage collector: it lives as long as the kernel, and the
# full collection each reset between notebooks makes (IPython's) then walks only the notebook's own objects
# (0.17 s to 0.03 s a reset).
WARM_UP = (
    "import pandas, matplotlib, seaborn, bch.analyse.pipeline, bch.present.charts, bch.present.views\n"
    "import gc as _gc\n_gc.collect()\n_gc.freeze()\ndel _gc"
)


def import_jsonschema_without_iri_grammar() -> None:
    """Import jsonschema (under nbformat, so papermill and nbconvert) without its RFC 3987 grammar.

    With rfc3987_syntax installed (jupyterlab brings it), jsonschema compiles that grammar at import:
    about 3 s of every pack's start-up, for IRI format checks that validating a notebook never makes.
    Marked absent only while jsonschema imports: anything importing rfc3987_syntax later still can.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None
    try:
        import nbformat  # noqa: F401  (imports jsonschema, for its validator)
    finally:
        del sys.modules["rfc3987_syntax"]


class NotebookFailed(BchError):
    """A notebook raised, timed out or lost its kernel; names the notebook and cell."""

    exit_code = 1

    def __init__(self, message: str, notebook: Path, runs: list[NotebookRun] | None = None):
        super().__init__(message)
        self.notebook = notebook
        self.runs = runs or []  # every notebook's outcome: ok, failed, not run


@dataclass(frozen=True)
class NotebookRun:
    name: str
    status: str  # ok | failed | not run
    seconds: float


def _failed_cell(output: Path) -> str:
    """'cell 5 (In [7]: first line)': the cell papermill marked failed, else the last it started
    (a timeout or a dead kernel leaves no error output, and papermill marks that cell completed)."""
    try:
        cells = notebooks.cells(output)
    except (OSError, ValueError, KeyError):
        return ""
    started = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    failed = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("exception")]
    if not (failed or started):
        return ""
    index = (failed or started)[0 if failed else -1]
    cell = cells[index]
    source = notebooks.source(cell)
    first = source.strip().splitlines()[0][:60] if source.strip() else ""
    count = cell.get("execution_count")
    return f"cell {index} ({f'In [{count}]: ' if count else ''}{first})"


def _failure_message(notebook: Path, output: Path, exc: Exception, cell_timeout: int) -> str:
    """One line naming the notebook, the cell and what went wrong."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        first_line = (exc.source or "").strip().splitlines()[0] if (exc.source or "").strip() else ""
        return (
            f"{notebook.name} failed at cell {exc.cell_index} (In [{exc.exec_count}]: {first_line[:60]}): "
            f"{exc.ename}: {str(exc.evalue).splitlines()[0] if exc.evalue else ''}".rstrip(": ")
        )
    cell = _failed_cell(output)
    where = f" at {cell}" if cell else ""
    name = type(exc).__name__
    if "Timeout" in name:
        return f"{notebook.name} timed out{where}: a cell ran longer than the per-cell limit ({cell_timeout} s)"
    if "DeadKernel" in name:
        return f"{notebook.name} failed{where}: the kernel died"
    return f"{notebook.name} failed{where}: {name}: {str(exc).splitlines()[0] if str(exc) else ''}"


class Interrupted(BchError):
    """The caller cancelled the run (an interrupt): the notebooks stop between steps."""


def _stop_if(cancelled: threading.Event | None) -> None:
    if (cancelled is not None and cancelled.is_set()) or interrupts.stopped():
        raise Interrupted("the run was interrupted")


_lent: SharedKernel | None = None  # a warmed-up kernel every pack of this process runs in (see `lend`)


@contextmanager
def lend(kernel: SharedKernel):
    """Packs built inside this block run in `kernel` (started and warmed up by the caller) and leave it
    running: one kernel for many packs in one process, as a test matrix of packs wants. A pack on its
    own starts and closes its own kernel. A stopped pack is not killed mid-notebook here: it stops
    after the notebook running at the time."""
    global _lent
    before, _lent = _lent, kernel
    try:
        yield kernel
    finally:
        _lent = before


def execution_order(books: list[Path]) -> list[Path]:
    """The charts notebook first: the board pack needs its figures, and can then be rendered
    while the kernel runs the other notebooks (they are independent of one another)."""
    return sorted(books, key=lambda book: book.name != CHARTS_NOTEBOOK)


def execute_all(
    books: list[Path],
    out_dir: Path,
    parameters: dict,
    cell_timeout: int,
    progress: Callable[[str], None] | None = None,
    finished: queue.Queue | None = None,
    started: list | None = None,
    cancelled: threading.Event | None = None,
) -> list[NotebookRun]:
    """Run each notebook into `out_dir` with `parameters`; NotebookFailed names the first failure.

    Each executed notebook's path is put on `finished` as soon as it is written (then None at
    the end), so a caller in another thread can render it while the next one runs.
    """
    kernel = None
    if _lent is not None:
        try:
            _stop_if(cancelled)  # never put on `started`: a stopped pack must not kill the lender's kernel
            import_jsonschema_without_iri_grammar()
            import papermill

            return _run_each(papermill, _lent, books, out_dir, parameters, cell_timeout, progress, finished, cancelled)
        finally:
            if finished is not None:
                finished.put(None)
    try:
        try:
            _stop_if(cancelled)
            kernel = SharedKernel()
            if started is not None:
                started.append(kernel)  # so the caller can kill it on an interrupt
            _stop_if(cancelled)  # interrupted while it started: never warm it up (close() ends it)
            warming = kernel.send(WARM_UP, first=True)
            import_jsonschema_without_iri_grammar()
            import papermill  # imported here while the kernel imports the stack

            kernel.wait(warming)
        except Interrupted:
            raise
        except Exception as exc:
            reason = labels.one_line(exc)
            raise BchError(f"could not start a python3 kernel with bch's stack: {reason}") from None
        return _run_each(papermill, kernel, books, out_dir, parameters, cell_timeout, progress, finished, cancelled)
    finally:
        if kernel is not None:
            kernel.close()
        if finished is not None:
            finished.put(None)


class _TimeoutReportedByBch(logging.Filter):
    """Drops nbclient's "Timeout waiting for execute reply (Ns)." (logged through papermill's logger, printed bare on
    stderr): a timeout is reported by bch in its own one line, naming the notebook and the cell."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Timeout waiting for execute reply")


def _run_each(pm, kernel, books, out_dir, parameters, cell_timeout, progress, finished, cancelled):
    papermill_log = logging.getLogger("papermill")
    reported = _TimeoutReportedByBch()
    papermill_log.addFilter(reported)
    try:
        return _run_books(pm, kernel, books, out_dir, parameters, cell_timeout, progress, finished, cancelled)
    finally:
        papermill_log.removeFilter(reported)


def _run_books(pm, kernel, books, out_dir, parameters, cell_timeout, progress, finished, cancelled):
    runs: list[NotebookRun] = []
    for index, notebook in enumerate(books):
        _stop_if(cancelled)
        start = time.perf_counter()
        output = out_dir / notebook.name
        try:
            kernel.reset()
            pm.execute_notebook(
                str(notebook),
                str(output),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                execution_timeout=cell_timeout,
                km=kernel.km,
                # saved as each cell starts, so a dead kernel or a timeout still leaves the notebook
                request_save_on_cell_execute=True,
            )
        except Exception as exc:
            seconds = time.perf_counter() - start
            runs.append(NotebookRun(notebook.name, "failed", round(seconds, 2)))
            runs += [NotebookRun(b.name, "not run", 0.0) for b in books[index + 1 :]]
            if progress and not (cancelled is not None and cancelled.is_set()):  # an interrupt says so itself
                progress(f"{notebook.name}: failed after {seconds:.1f}s")
            raise NotebookFailed(_failure_message(notebook, output, exc, cell_timeout), output, runs) from None
        seconds = time.perf_counter() - start
        runs.append(NotebookRun(notebook.name, "ok", round(seconds, 2)))
        if progress:
            progress(f"{notebook.name}: {seconds:.1f}s")
        if finished is not None:
            finished.put(output)
    return runs
