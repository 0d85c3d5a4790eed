"""Executing the notebooks with papermill: one kernel for all of them, parameters checked first.

A naive run starts a kernel and imports the stack once per notebook. Here one kernel is started,
the stack is imported once, and each notebook runs in it after a namespace reset, so a notebook
still sees only its own variables.
"""

from __future__ import annotations

import ast
import logging
import os
import queue
import shutil
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bch import paths
from bch.core import labels
from bch.core.errors import BchError, ParameterError
from bch.publish import interrupts

KERNEL_FOLDER_PREFIX = "bch-kernel-"
CHARTS_NOTEBOOK = "3.0-variance-charts.ipynb"  # saves every figure the board pack embeds (bch.present.charts.names)
KERNEL_START_TIMEOUT = 60
WARM_UP = "import pandas, matplotlib, seaborn, bch.analyse.pipeline, bch.present.charts, bch.present.views"
TYPES = {"str": str, "float": float, "int": int, "bool": bool}  # the annotations a parameters cell may use


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


def remove_stale_kernel_folders() -> None:
    """Socket folders left by runs that were killed (their process is gone)."""
    import re
    import tempfile

    pattern = re.compile(rf"^{KERNEL_FOLDER_PREFIX}(\d+)-")
    for folder in Path(tempfile.gettempdir()).glob(f"{KERNEL_FOLDER_PREFIX}*"):
        match = pattern.match(folder.name)
        if match and not alive(int(match[1])):
            shutil.rmtree(folder, ignore_errors=True)


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (this process counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def notebooks() -> list[Path]:
    """The pack's notebooks, in their numbered order."""
    return sorted(paths.NOTEBOOKS.glob("[0-9]*.ipynb"))


def declared_parameters(notebook: Path) -> dict[str, type]:
    """Names and types of a notebook's parameters: each assignment in its `parameters` cell, typed by its
    annotation (`materiality_pct: float = 10.0  # help`, as `papermill --help-notebook` reads it), else by
    its value. Parsed as Python, read as plain JSON: this runs before the kernel starts, and a cell
    papermill's line-by-line reading would misread (`"a # b"`, `a = 1; b = 2`) is still read right.
    """
    import json

    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        cell = next((c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParameterError(f"cannot read {notebook.name} as a notebook: {str(exc).splitlines()[0]}") from None
    if cell is None:
        raise ParameterError(f"{notebook.name} has no cell tagged 'parameters'")
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    try:
        body = ast.parse(source).body
    except SyntaxError as exc:
        raise ParameterError(f"{notebook.name}'s parameters cell is not Python (line {exc.lineno})") from None
    declared = {}
    for node in body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            # an annotation bch does not check (`str | None`) takes any value, as the kernel would
            declared[node.target.id] = TYPES.get(ast.unparse(node.annotation), object)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    declared[target.id] = _type_of(notebook, target.id, node.value)
    return declared


def _type_of(notebook: Path, name: str, value: ast.expr) -> type:
    try:
        return type(ast.literal_eval(value))
    except (ValueError, TypeError, SyntaxError):
        raise ParameterError(f"{notebook.name} parameter {name}: {ast.unparse(value)} is not a plain value") from None


def check_against_notebooks(values: dict, books: list[Path]) -> None:
    """Refuse (before any kernel starts) a parameter a notebook lacks or would get with the wrong type."""
    for notebook in books:
        declared = declared_parameters(notebook)
        for name, value in values.items():
            if name not in declared:
                raise ParameterError(f"{notebook.name} has no parameter {name!r}; it has: {', '.join(declared)}")
            wanted = declared[name]
            fits = isinstance(value, wanted) or (wanted is float and isinstance(value, int))
            if not fits or (isinstance(value, bool) and wanted is not bool):
                raise ParameterError(
                    f"{notebook.name} parameter {name} is {wanted.__name__}; got {type(value).__name__} ({value!r})"
                )


def _failed_cell(output: Path) -> str:
    """'cell 5 (In [7]: first line)': the cell papermill marked failed, else the last it started
    (a timeout or a dead kernel leaves no error output, and papermill marks that cell completed)."""
    import json

    try:
        cells = json.loads(output.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return ""
    started = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    failed = [i for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("exception")]
    if not (failed or started):
        return ""
    index = (failed or started)[0 if failed else -1]
    cell = cells[index]
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
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


class SharedKernel:
    """One python3 kernel, started once, reused by every notebook of a pack."""

    def __init__(self, cwd: Path | None = None):
        import tempfile

        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        # An async manager, as nbclient expects: with a blocking one its output poll blocks the
        # event loop, and a kernel that dies mid-cell is never noticed.
        # Local sockets rather than TCP: nothing listens on a port, and ipykernel has nothing to warn of.
        # The folder names this process, so a later run can remove it if this one is killed.
        remove_stale_kernel_folders()
        self._sockets = tempfile.mkdtemp(prefix=f"{KERNEL_FOLDER_PREFIX}{os.getpid()}-")
        self.km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets, "k"))
        env = {**os.environ, "MPLBACKEND": "agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        # No IPython history: the count is reset between notebooks, and a history database then
        # prints "Session/line number was not unique" into the published notebooks.
        try:
            start = run_sync(self.km.start_kernel)
            start(cwd=str(cwd or paths.NOTEBOOKS), env=env, extra_arguments=["--HistoryManager.enabled=False"])
        except BaseException:
            # close() is never reached for a kernel that did not start: remove its key file and sockets here
            # (jupyter_client would only at garbage collection, which `bch.cli.run` skips at exit)
            self.km.cleanup_connection_file()
            shutil.rmtree(self._sockets, ignore_errors=True)
            raise

    def alive(self) -> bool:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process is None or process.poll() is None

    def kill(self) -> None:
        """End the kernel process at once (from any thread): a waiting notebook then fails within seconds."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            process.kill()

    def send(self, code: str, first: bool = False):
        """Start running `code` without waiting; `wait` collects it. Lets the caller work meanwhile.

        Only the first call waits for the kernel to be ready (a 0.2 s poll); later requests on a
        running kernel are simply queued by zmq until the new client connects.
        """
        from jupyter_client.blocking import BlockingKernelClient

        # as KernelManager.client() builds one, but blocking: this thread waits on it directly
        client = BlockingKernelClient(**self.km.get_connection_info(session=True), parent=self.km)
        client.start_channels(iopub=False, stdin=False, hb=False, control=False)
        if first:
            client.wait_for_ready(timeout=KERNEL_START_TIMEOUT)
        # store_history=False: bch's own requests don't advance the notebooks' In [n] counter
        return client, client.execute(code, store_history=False)

    def wait(self, sent) -> None:
        client, msg_id = sent
        import queue as queues

        try:
            deadline = time.monotonic() + KERNEL_START_TIMEOUT
            while True:
                if not self.alive():
                    raise BchError("the kernel died while starting")
                if time.monotonic() > deadline:
                    raise BchError(f"the kernel did not answer within {KERNEL_START_TIMEOUT}s")
                try:
                    reply = client.get_shell_msg(timeout=0.5)  # short waits: a killed kernel is noticed
                except queues.Empty:
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise BchError(f"the kernel could not start the stack: {content.get('ename')}: {content.get('evalue')}")

    def run(self, code: str) -> None:
        """Run `code` in the kernel and wait for it. A fresh client each time: the notebook clients
        papermill attaches to this kernel leave earlier clients' channels unusable."""
        self.wait(self.send(code))

    def reset(self) -> None:
        """Forget the previous notebook's variables and start its count at In [1]; keep imported modules."""
        self.run("get_ipython().run_line_magic('reset', '-f'); get_ipython().execution_count = 1")

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            shutil.rmtree(self._sockets, ignore_errors=True)


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
