"""`bch pack`: publish a dated, immutable, self-describing board pack.

The pack is built in a temporary folder inside the output folder and renamed into place only
when everything succeeded; `latest` then points at it. A failed run keeps its notebook under
`failed/<stamp>/` and touches no published pack.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import fcntl
import json
import os
import queue
import re
import shutil
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bch import boardpack, changes, execute, manifest, params, paths, pipeline, tables
from bch.errors import BchError

LOCK = ".bch-pack.lock"
LATEST = "latest"
FAILED = "failed"
_PACK_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}(\.\d+)?$")


class PackBusy(BchError):
    """Another `bch pack` holds the output folder's lock."""

    exit_code = 3


class PackError(BchError):
    """The pack could not be built or written; nothing was published."""

    exit_code = 1


@dataclass
class PackOptions:
    savings: Path = paths.SAVINGS_WORKBOOK
    forecasts: Path = paths.BUSINESS_CASES
    claims: Path = paths.PAPER_CLAIMS
    as_of: str = params.SPEC["as_of"][1]
    materiality: float = 10.0
    strict: bool = False
    out: Path = paths.OUTPUTS
    cell_timeout: int = execute.DEFAULT_CELL_TIMEOUT
    books: list[Path] = field(default_factory=execute.notebooks)


def notebook_parameters(options: PackOptions) -> dict:
    """The values handed to every notebook (output_dir is set per run)."""
    return {
        "savings_path": str(Path(options.savings).resolve()),
        "forecasts_path": str(Path(options.forecasts).resolve()),
        "claims_path": str(Path(options.claims).resolve()),
        "as_of": options.as_of,
        "materiality_pct": options.materiality,
        "strict": options.strict,
    }


@contextmanager
def _locked(out: Path):
    handle = open(out / LOCK, "a+")  # noqa: SIM115 (held for the whole run)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PackBusy(
                f"another bch pack is running into {out} (lock {out / LOCK}); try again when it ends"
            ) from None
        yield
    finally:
        handle.close()


def published_packs(out: Path) -> list[Path]:
    """Published packs in `out`, oldest first (a pack is a dated folder with a manifest)."""

    def order(p: Path):
        day, _, n = p.name.partition(".")
        return day, int(n or 1)

    found = [p for p in out.iterdir() if p.is_dir() and _PACK_NAME.match(p.name) and (p / manifest.MANIFEST).is_file()]
    return sorted(found, key=order)


def _next_name(out: Path, day: dt.date) -> str:
    base = day.isoformat()
    if not (out / base).exists():
        return base
    n = 2
    while (out / f"{base}.{n}").exists():
        n += 1
    return f"{base}.{n}"


def _previous_tables(out: Path) -> tuple[str | None, dict | None]:
    packs = published_packs(out)
    if not packs:
        return None, None
    last = packs[-1]
    try:
        previous = {name: tables.read(last, name) for name in tables.NAMES}
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return last.name, None
    return last.name, previous


def _reviewer_html(notebook: Path) -> Path:
    """The executed notebook as HTML with its code, for reviewers (no external requests)."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(boardpack.TEMPLATE.parent)],
        template_file="reviewer.html.j2",
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    target = notebook.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


def _index_html(pack: Path, name: str) -> None:
    import html

    rows = []
    for path in sorted(p for p in pack.rglob("*") if p.is_file()):
        rel = path.relative_to(pack).as_posix()
        rows.append(f'<li><a href="{html.escape(rel)}">{html.escape(rel)}</a> ({path.stat().st_size:,} bytes)</li>')
    page = (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>BCH board pack {html.escape(name)}</title>"
        "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:50em;margin:2em auto}</style></head><body>"
        f"<h1>BCH board pack {html.escape(name)}</h1>"
        "<p>For the Board: <a href='board-pack.html'>board-pack.html</a> (and <a href='board-pack.pdf'>PDF</a>). "
        "For reviewers: the executed notebooks with their code. manifest.json lists every file's SHA-256.</p>"
        f"<ul>{''.join(rows)}</ul></body></html>"
    )
    (pack / "index.html").write_text(page, encoding="utf-8")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _keep_failure(out: Path, stamp: str, failure: execute.NotebookFailed) -> Path:
    kept = out / FAILED / stamp
    kept.mkdir(parents=True, exist_ok=True)
    if failure.notebook.is_file():
        shutil.copy2(failure.notebook, kept / failure.notebook.name)
    runs = "".join(f"{r.name}: {r.status} ({r.seconds:.1f}s)\n" for r in failure.runs)
    (kept / "error.txt").write_text(f"{failure}\n\n{runs}", encoding="utf-8")
    return kept


def _render_board_pack(analysis, context: dict, figures_dir: Path, building: Path) -> None:
    page = boardpack.render_html(boardpack.build_context(analysis, figures_dir=figures_dir, **context))
    (building / "board-pack.html").write_text(page, encoding="utf-8")
    boardpack.render_pdf(page, building / "board-pack.pdf")


def _import_renderers() -> None:
    """Import the renderers while the kernel works, not after it."""
    import nbconvert  # noqa: F401
    import weasyprint  # noqa: F401


def build_pack(
    options: PackOptions, progress: Callable[[str], None] | None = None, run_date: dt.date | None = None
) -> Path:
    """Execute, render and publish one pack; returns its folder. Raises BchError subclasses."""
    values = notebook_parameters(options)
    run = params.validate(**values, output_dir=str(Path(options.out).resolve() / ".check"))
    execute.check_against_notebooks({**values, "output_dir": ""}, options.books)
    out = Path(options.out).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PackError(f"cannot create the output folder {out}: {exc.strerror or exc}") from None
    if not os.access(out, os.W_OK):
        raise PackError(f"cannot write into the output folder {out}")
    with _locked(out):
        started = _now()
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        building = out / f".building-{stamp}-{os.getpid()}"
        building.mkdir()
        try:
            return _build_into(options, run, values, out, building, started, progress, run_date)
        except execute.NotebookFailed as failure:
            kept = _keep_failure(out, stamp, failure)
            raise PackError(f"{failure} (failed notebook kept in {kept})") from None
        except BchError:
            raise
        except OSError as exc:
            raise PackError(f"cannot write the pack into {out}: {exc.strerror or exc}") from None
        finally:
            shutil.rmtree(building, ignore_errors=True)


def execution_order(books: list[Path]) -> list[Path]:
    """The charts notebook first: the board pack needs its figures, and can then be rendered here
    while the kernel runs the other notebooks (they are independent of one another)."""
    return sorted(books, key=lambda book: "chart" not in book.name)


def _build_into(options, run, values, out, building, started, progress, run_date) -> Path:
    # Notebooks run in a worker thread that mostly waits on the kernel (a process of its own);
    # this thread meanwhile computes the same analysis, renders the board pack as soon as the
    # charts exist, and renders each notebook for reviewers as it lands.
    day = run_date or dt.date.today()
    name = _next_name(out, day)
    order = execution_order(options.books)
    finished: queue.Queue = queue.Queue()
    rendered = False
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="bch-notebooks") as pool:
        running = pool.submit(
            execute.execute_all,
            order,
            building,
            {**values, "output_dir": str(building)},
            options.cell_timeout,
            progress,
            finished,
        )
        try:
            analysis = pipeline.analyse(
                run.savings_path, None, run.forecasts_path, run.claims_path, run.materiality_pct
            )
            expected = {key: tables.as_text(frame) for key, frame in tables.pack_tables(analysis).items()}
            previous_name, previous = _previous_tables(out)
            found_changes = changes.compare(previous, expected)
            inputs = [manifest.file_entry(p) for p in (run.savings_path, run.forecasts_path, run.claims_path)]
            versions, git = manifest.versions(), manifest.git_state()
            context = {
                "as_of": run.as_of,
                "run_date": day,
                "pack_name": name,
                "inputs": inputs,
                "changes": found_changes,
                "previous_pack": previous_name if previous is not None else None,
                "parameters": {**run.plain(), "output_dir": f"{out}/{name}"},
                "versions": versions,
                "git": git,
            }
            _import_renderers()
        finally:
            while (executed := finished.get()) is not None:
                if running.done() and running.exception():
                    continue  # a notebook failed: render nothing more
                if not rendered:
                    _render_board_pack(analysis, context, building / "figures", building)
                    rendered = True
                _reviewer_html(executed)
        runs = running.result()
    tick = time.perf_counter()
    for key, table in expected.items():
        if not tables.read(building, key).equals(table):
            raise PackError(f"{key}.csv written by the notebooks differs from bch's own computation; nothing published")
    _index_html(building, name)
    if progress:
        progress(f"checks and manifest: {time.perf_counter() - tick:.1f}s")
    from bch.findings import count_by_severity

    record = {
        "pack": name,
        "inputs": inputs,
        "outputs": manifest.outputs(building),
        "parameters": {**run.plain(), "output_dir": f"{out}/{name}"},
        "versions": versions,
        "git": git,
        "started_at": started.isoformat(),
        "finished_at": _now().isoformat(),
        "notebooks": [{"name": r.name, "status": r.status, "seconds": r.seconds} for r in runs],
        "findings": count_by_severity(analysis.findings),
        "previous_pack": previous_name,
        "changes": len(found_changes),
    }
    (building / manifest.MANIFEST).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    target = out / name
    os.rename(building, target)  # atomic within one filesystem; `target` was free under the lock
    link = out / f".latest-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(name)
    os.replace(link, out / LATEST)
    return target
