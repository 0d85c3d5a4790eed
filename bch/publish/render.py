"""A pack's documents: notebooks executed in one kernel while this process renders the board pack
(as soon as the charts exist) and each notebook's reviewer HTML (as it lands)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import functools
import logging
import queue
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bch.analyse import changes, history, packchanges, pipeline, tables
from bch.core import labels
from bch.core.errors import BchError
from bch.present import boardpack, excel, formats, html
from bch.publish import execute, interrupts, manifest, names, packfiles, published


class TablesDiffer(BchError):
    exit_code = 1


class AnalysisTimeout(BchError):
    exit_code = 1


@dataclass
class PackJob:
    run: object  # bch.params.RunParameters
    values: dict  # the notebooks' parameters
    books: list[Path]
    cell_timeout: int
    building: Path
    name: str
    run_date: dt.date
    previous: object | None  # bch.publish.packlist.PackRecord
    parameters: dict
    fingerprint: dict = field(default_factory=dict)  # bch.publish.packhistory.fingerprint of this run
    withdrawn: list = field(default_factory=list)  # (bch.read.withdrawals.Withdrawal, pack names) since `previous`
    unreadable: list = field(default_factory=list)  # (name, why) of packs published after `previous`, unreadable
    versions: dict = field(default_factory=manifest.versions)
    git: dict = field(default_factory=manifest.git_state)


def previous_tables(previous) -> tuple[dict | None, str | None]:
    """The previous pack's tables the comparison reads, or None and why they could not be read (never a
    failed run: an odd earlier pack only means it can't be compared with)."""
    if previous is None:
        return None, None
    found, why = packfiles.read_tables(previous.path, changes.NEEDED)
    return (found, None) if why is None else (None, f"the pack {previous.path.name} could not be read ({why})")


def changes_since(
    previous, current: dict, parameters: dict, fingerprint: dict | None = None
) -> tuple[list[dict], str | None]:
    """What changed since `previous` (a `bch.publish.packlist.PackRecord`), or [] and why it could not be compared;
    `fingerprint` (this run's) against the one its manifest records says why the same edition was published again."""
    if previous is None:
        return [], None
    old, unreadable = previous_tables(previous)
    if unreadable:
        return [], unreadable
    try:
        recorded = previous.manifest
        found = changes.compare(
            old, current, recorded.get("parameters"), parameters, recorded.get("fingerprint"), fingerprint
        )
        return found, None
    except changes.NotComparable as exc:
        return [], f"the pack {previous.path.name} could not be compared ({exc})"


def _reviewer_exporter():
    """One exporter while reviewer.html.j2 stays as it is: building one compiles nbconvert's templates (most
    of a notebook's render), and an edited template is read again (the fingerprint hashes it)."""
    template = html.TEMPLATES / "reviewer.html.j2"
    return _exporter_for(template.stat().st_mtime_ns, template.stat().st_size)


@functools.lru_cache(maxsize=1)
def _exporter_for(mtime_ns: int, size: int):  # the template file's state: the cache's key
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(html.TEMPLATES)],
        template_file="reviewer.html.j2",
        embed_images=True,
    )


def reviewer_html(notebook: Path) -> Path:
    """The executed notebook as HTML with its code, for reviewers (no external requests: the one policy)."""
    import nbformat

    notebook_node = nbformat.read(notebook, as_version=4)
    body, _ = _reviewer_exporter().from_notebook_node(notebook_node, resources={"csp": html.CSP})
    target = notebook.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


def index_html(pack: Path, name: str, as_of: dt.date | None = None) -> None:
    """The pack's own index.html, titled by the figures' as-of date and linked back to the pack list: every file
    it holds so far (the manifest, written last, lists them all)."""
    files = [
        (path.relative_to(pack).as_posix(), f"{path.stat().st_size:,}")
        for path in sorted(p for p in pack.rglob("*") if p.is_file())
    ]
    page = html.render(
        "pack-files.html.j2",
        name=name,
        as_of=formats.long_date_of(as_of),
        files=files,
        board_pack=names.BOARD_PACK,
        pdf=names.BOARD_PACK_PDF,
        manifest=manifest.MANIFEST,
    )
    (pack / names.INDEX).write_text(page, encoding="utf-8")


def check_tables(analysis, building: Path) -> None:
    """The notebooks' CSVs must equal bch's own computation, or nothing is published."""
    for key, table in tables.pack_tables(analysis).items():
        if not tables.read(building, key).equals(tables.as_text(table)):
            raise TablesDiffer(
                f"{key}.csv written by the notebooks differs from bch's own computation; nothing published"
            )


def _import_renderers() -> None:
    """Import the renderers while the kernel works, not after it."""
    import nbconvert  # noqa: F401
    import weasyprint  # noqa: F401


def execute_and_render(job: PackJob, progress=None):
    """Run the notebooks (worker thread, mostly waiting on the kernel) while this thread computes the
    same analysis and renders. Returns (notebook runs, analysis, changes).

    An interrupt or error here kills the kernel, so the worker ends within seconds rather than
    running every notebook to the end while the output folder stays locked. Under `interrupts.deferred()`
    (as `pack.build_pack` runs it) a signal kills it at once and this thread stops between steps.
    """
    execute.import_jsonschema_without_iri_grammar()  # here, before this thread and the worker both import it
    finished: queue.Queue = queue.Queue()
    kernels: list = []
    cancelled = threading.Event()
    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="bch-notebooks")

    # A kernel killed on purpose makes papermill log its death (nbclient's "Kernel died…") on the way
    # out: once this run is stopped that is expected, and the one line the user sees is bch's own.
    papermill_log = logging.getLogger("papermill")
    after_a_stop = _DroppedOnceSet(cancelled)
    papermill_log.addFilter(after_a_stop)

    def kill_kernels() -> None:  # from the signal handler too: no lock (the worker notices the dead kernel)
        for kernel in list(kernels):
            kernel.kill()

    def stop() -> None:
        cancelled.set()
        kill_kernels()

    try:
        with interrupts.on_stop(kill_kernels):
            running = pool.submit(
                execute.execute_all,
                job.books,
                job.building,
                job.values,
                job.cell_timeout,
                progress,
                finished,
                kernels,
                cancelled,
            )
            analysis, found = _render_while_running(job, running, finished, stop)
            return running.result(), analysis, found
    except BaseException:
        stop()
        raise
    finally:
        pool.shutdown(wait=True)
        papermill_log.removeFilter(after_a_stop)


class _DroppedOnceSet(logging.Filter):
    """Drops records once `event` is set or a signal stopped the run (and only this run's filter: another
    run's logging is untouched)."""

    def __init__(self, event: threading.Event):
        super().__init__()
        self.event = event

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self.event.is_set() or interrupts.stopped())


def _render_while_running(job: PackJob, running, finished: queue.Queue, stop):
    rendered = False
    analysis = context = None
    found: list[dict] = []
    try:
        interrupts.check()
        with deadline(job.cell_timeout, "bch's own analysis of the inputs"):
            analysis = pipeline.analyse_run(job.run)
            trend = history.trend(job.run, analysis)
        interrupts.check()
        current = {key: tables.as_text(frame) for key, frame in tables.pack_tables(analysis).items()}
        found, unreadable = changes_since(job.previous, current, job.parameters, job.fingerprint)
        if job.unreadable:  # a later pack the Board may have seen: comparing with an older one would mislead
            name, why = job.unreadable[-1]
            found, unreadable = [], f"the pack {name} could not be read ({labels.clip(why, 160)})"
        found = [*packchanges.withdrawn_editions(job.withdrawn), *found]
        context = {
            "run_date": job.run_date,
            "pack_name": job.name,
            "changes": found,
            "previous_pack": job.previous.path.name if job.previous else None,
            "previous_as_of": job.previous.as_of if job.previous else None,
            "previous_unreadable": unreadable,
            "parameters": job.parameters,
            "versions": job.versions,
            "git": job.git,
            "trend": trend,
        }
        _import_renderers()
        interrupts.check()
    except BaseException:
        stop()  # before waiting for the worker below: it then ends within seconds
        raise
    finally:
        while (executed := finished.get()) is not None:
            if context is None or interrupts.stopped() or (running.done() and running.exception()):
                continue  # a notebook failed, this thread did, or the run was stopped: render nothing more
            if not rendered:
                _board_pack(analysis, context, job.building)
                excel.write_workbook(analysis, job.building / names.WORKBOOK, context["trend"], context["changes"])
                rendered = True
            published.show_published_location(executed, job.building.parent / job.name)
            reviewer_html(executed)
    interrupts.check()
    return analysis, found


@contextmanager
def deadline(seconds: float, what: str):
    """Bound this thread's own work by the per-cell limit (main thread, where POSIX timers exist)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        if interrupts.stopped():
            raise KeyboardInterrupt  # stopping already: the run ends as interrupted, not as timed out
        raise AnalysisTimeout(f"{what} ran longer than the per-cell limit of {seconds}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _board_pack(analysis, context: dict, building: Path) -> None:
    page = boardpack.render_html(boardpack.build_context(analysis, figures_dir=building / "figures", **context))
    (building / names.BOARD_PACK).write_text(page, encoding="utf-8")
    boardpack.render_pdf(page, building / names.BOARD_PACK_PDF)
