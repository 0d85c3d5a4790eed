"""`bch pack`: publish a dated, immutable, self-describing board pack.

The pack is built in a temporary folder inside the output folder and renamed into place only
when everything succeeded; `latest` then points at the newest edition's newest pack. A failed run
keeps its notebook under `failed/<stamp>/` and touches no published pack. History follows the
editions' as-of dates, not the order of runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from bch import params, paths
from bch.core import dates, labels
from bch.core.digest import file_entry
from bch.core.errors import BchError, ParameterError
from bch.publish import execute, interrupts, manifest, packlist
from bch.read import withdrawals

LOCK = ".bch-pack.lock"
LEDGER = manifest.LEDGER
ALLOW_DIRTY_ENV = "BCH_ALLOW_DIRTY"
FAILED = "failed"
FAILURES_KEPT = 10  # failed/<stamp>/ records kept; older ones are removed when a new failure is kept
_TEMPORARY = re.compile(r"^\.(?:building-\d{8}T\d{6}Z|latest)-(\d+)$")


class PackBusy(BchError):
    """Another `bch pack` holds the output folder's lock."""

    exit_code = 3


class PackError(BchError):
    """The pack could not be built or written; nothing was published."""

    exit_code = 1


# Every declared pack parameter is a field, with its default: add a parameter and it is here.
PackOptions = dataclasses.make_dataclass(
    "PackOptions",
    [(p.name, p.kind, dataclasses.field(default=p.cli_default())) for p in params.of(params.PACK)]
    + [
        ("out", Path, dataclasses.field(default_factory=lambda: paths.OUTPUTS)),
        ("if_changed", bool, dataclasses.field(default=False)),
        # publishing from uncommitted code or notebooks, stated on the cover; BCH_ALLOW_DIRTY=1 is the same switch
        ("allow_dirty", bool, dataclasses.field(default_factory=lambda: os.environ.get(ALLOW_DIRTY_ENV) == "1")),
        ("books", list, dataclasses.field(default_factory=execute.notebooks)),
    ],
)
PackOptions.__module__ = __name__
PackOptions.__doc__ = "What `bch pack` was asked to do: the declared parameters, the output folder, the notebooks."


class Published(NamedTuple):
    path: Path | None
    unchanged: bool = False
    message: str = ""


def _run(options) -> params.RunParameters:
    values = {p.name: getattr(options, p.name) for p in params.of(params.PACK) if p.name != "cell_timeout"}
    params.check_value("cell_timeout", options.cell_timeout)
    return params.validate(base=Path.cwd(), **values)


def notebook_parameters(run: params.RunParameters) -> dict:
    """The values handed to every notebook: the run's resolved inputs, stated in full for reviewers."""
    return params.plain(run)


@contextmanager
def _locked(out: Path):
    from filelock import FileLock, Timeout

    lock = FileLock(out / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise PackBusy(f"another bch pack is running into {out} (lock {out / LOCK}); try again when it ends") from None
    except OSError as exc:
        raise PackError(f"cannot take the lock {out / LOCK}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()


def _next_name(out: Path, day: dt.date) -> str:
    """A free folder name: not on disk (a dangling link counts) and never recorded in the ledger."""
    recorded = manifest.recorded_packs(out)

    def taken(name: str) -> bool:
        return os.path.lexists(out / name) or name in recorded

    base = day.isoformat()
    if not taken(base):
        return base
    n = 2
    while taken(f"{base}.{n}"):
        n += 1
    return f"{base}.{n}"


def _now() -> dt.datetime:
    return dates.now()


def _remove_stale(out: Path) -> None:
    """Temporary folders and links of runs whose process is gone (killed mid-run)."""
    for path in out.iterdir():
        match = _TEMPORARY.match(path.name)
        if not match or execute.alive(int(match[1])):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def check_output_folder(out: Path) -> None:
    link = out / packlist.LATEST
    if os.path.lexists(link) and not link.is_symlink():
        raise PackError(f"{link} is a real file or folder, not the link bch keeps: move it away, then run again")
    for parent in (out, *out.parents):  # `out` may not exist yet: this runs before anything is created
        if packlist.PACK_NAME.match(parent.name) and _is_file(parent / manifest.MANIFEST):
            raise PackError(f"--out {out} is inside the published pack {parent}; packs are never written into")


def _is_file(path: Path) -> bool:
    """is_file() that answers False where the OS can't look the path up (a name too long, no permission): the
    mkdir that follows says why in its own one line."""
    try:
        return path.is_file()
    except OSError:
        return False


def _check_ledger(out: Path) -> None:
    """Before any kernel starts: a ledger this run could not extend stops it now, with the way out.

    An unterminated last line that is not an entry is a write cut short (a crash while recording, before
    that pack was renamed into place, so no pack is lost): it is dropped and the run goes on. A whole entry
    missing only its newline is not broken at all: it is kept, and the next entry starts on a line of its own.
    """
    ledger = out / LEDGER
    _, why = manifest.read_ledger(ledger)
    if why is None:
        return
    keep = manifest.torn_tail(ledger)
    if keep is not None:
        with open(ledger, "r+b") as handle:
            handle.truncate(keep)
        if manifest.read_ledger(ledger)[1] is None:
            return
    raise PackError(
        f"{why}; nothing can be published into {out} until it is mended: restore {LEDGER} from a copy, or move it "
        "aside to start a new chain (bch verify then reports the packs before it as not in the ledger)"
    )


def fingerprint(run: params.RunParameters) -> dict:
    """What makes a pack what it is: its inputs' hashes, the parameters, and bch's code and notebooks (two
    digests, so a pack published again can say which of them changed: bch.analyse.packchanges.republished)."""
    code = [*paths.PACKAGE.rglob("*.py"), *paths.PACKAGE.rglob("*.j2")]
    # by role, not file name: two inputs of one name (a register and claims both "cases.csv") both count
    roles = {"savings": run.inputs.savings, "forecasts": run.inputs.forecasts}
    roles |= {"revisions": run.inputs.revisions, "claims": run.inputs.claims}
    inputs = {role: manifest.sha256(path) for role, path in roles.items() if path is not None}
    parameters = {k: v for k, v in params.plain(run).items() if not k.endswith("_path")}
    return {
        "inputs": inputs,
        "parameters": parameters,
        "code": _files_digest(paths.PACKAGE, code),
        "notebooks": _files_digest(paths.NOTEBOOKS, paths.NOTEBOOKS.glob("*.ipynb")),
        "catalogue": _catalogue_print(run),
    }


def _files_digest(base: Path, files) -> str:
    """One SHA-256 over the files' names (from `base`'s name: bch/…, notebooks/…, wherever each is installed) and
    bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(files):
        name = f"{base.name}/{path.relative_to(base).as_posix()}"
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _catalogue_print(run: params.RunParameters) -> str:
    """Every catalogued edition up to this one, fields and files: the cover, the register's review
    date and the trend read them, so a change to any is a change to the pack."""
    digest = hashlib.sha256()
    as_of = run.inputs.as_of
    for edition in run.inputs.catalogue.editions:
        if as_of is not None and edition.as_of > as_of:
            continue
        for name, value in sorted(vars(edition).items()):
            if name == "aliases" and not value:
                continue  # a field added later: an edition without aliases prints as it did before it
            is_file = isinstance(value, Path) and value.is_file()
            digest.update(f"{name}={manifest.sha256(value) if is_file else value}\n".encode())
    for when, why in run.inputs.catalogue.broken:
        digest.update(f"broken {when}: {why}\n".encode())
    return digest.hexdigest()


def build_pack(options, progress: Callable[[str], None] | None = None, run_date: dt.date | None = None) -> Published:
    """Execute, render and publish one pack. Raises BchError subclasses, and KeyboardInterrupt after Ctrl-C
    or SIGTERM, taken only between steps (`bch.publish.interrupts`): nothing is then published. A signal while the
    finished pack is put in place (milliseconds) lets it be published."""
    with interrupts.deferred():
        try:
            published = _build_pack(options, progress, run_date)
        except BchError:
            interrupts.check()  # stopped first: the run ends as interrupted, not with what failed after
            raise
        if published.unchanged:
            interrupts.check()
        return published


def _build_pack(options, progress, run_date) -> Published:
    run = _run(options)
    if run.inputs.as_of is None:
        raise ParameterError(
            f"{run.inputs.savings.name} is in no catalogued edition and no --as-of was given: give --as-of YYYY-MM-DD "
            "(the date its figures are stated at), or add it with `bch edition add`"
        )
    _before_any_kernel(run, run_date or _now().date())
    git = _uncommitted_code_refused(manifest.git_state(), options.allow_dirty)
    if not options.books:
        raise ParameterError(
            f"no notebooks in {paths.NOTEBOOKS}: a project folder holds notebooks/ beside data/ (copy them from bch's "
            "repository)"
        )
    values = notebook_parameters(run)
    execute.check_against_notebooks({**values, "output_dir": ""}, options.books)
    out = Path(options.out).resolve()
    check_output_folder(out)  # before mkdir: an --out inside a published pack must not leave a folder in it
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PackError(f"cannot create the output folder {out}: {exc.strerror or exc}") from None
    prints = fingerprint(run)
    if not os.access(out, os.W_OK):
        # --if-changed with nothing changed writes nothing, so a folder it can only read is no reason to fail
        packs = packlist.current_packs(out, _withdrawn(run)) if options.if_changed else []
        unchanged = _unchanged(packs, run, prints)
        if unchanged is not None:
            return unchanged
        raise PackError(f"cannot write into the output folder {out}")
    with _locked(out):
        interrupts.check()
        _remove_stale(out)
        _check_ledger(out)
        packs = packlist.current_packs(out, _withdrawn(run))  # a withdrawn edition's pack is never compared with
        unchanged = _unchanged(packs, run, prints) if options.if_changed else None
        if unchanged is not None:
            return unchanged
        started = _now()
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        building = out / f".building-{stamp}-{os.getpid()}"
        building.mkdir()
        try:
            return Published(
                _build_into(options, run, values, prints, packs, out, building, started, progress, run_date, git)
            )
        except execute.NotebookFailed as failure:
            kept = _keep_failure(out, stamp, failure)
            raise PackError(f"{failure} (failed notebook kept in {kept})") from None
        except BchError:
            raise
        except OSError as exc:
            raise PackError(f"cannot write the pack into {out}: {exc.strerror or exc}") from None
        finally:
            shutil.rmtree(building, ignore_errors=True)


def _withdrawn(run: params.RunParameters):
    return withdrawals.read(run.inputs.catalogue.path)


def _unchanged(packs: list, run: params.RunParameters, prints: dict) -> Published | None:
    """The edition's newest pack when it was made from the same inputs, parameters and code (--if-changed)."""
    same = [r for r in packs if r.as_of == run.inputs.as_of.isoformat()]
    if not same or same[-1].manifest.get("fingerprint") != prints:
        return None
    return Published(
        same[-1].path,
        unchanged=True,
        message=f"nothing changed since {same[-1].path.name} (same inputs, parameters and code); nothing published",
    )


def _before_any_kernel(run: params.RunParameters, today: dt.date) -> None:
    """What can refuse a run without a notebook: figures stated at a day not yet reached, a workbook whose layout
    bch can't read (exit 2), and a strict run whose inputs have error findings (one line, exit 1, and no failed/
    folder: nothing failed but the data)."""
    from bch.analyse import pipeline

    if run.inputs.as_of > today:
        raise ParameterError(
            f"the figures are stated as at {run.inputs.as_of.isoformat()}, after today ({today.isoformat()}): "
            "a pack can't state figures at a day not yet reached"
        )
    _layout_refused(*pipeline.check_savings(run.inputs.savings, run.inputs.sheet, run.inputs.as_of))
    if run.strict:
        pipeline.enforce_strict(pipeline.analyse_run(run), strict=True)


def _layout_refused(sheet, found) -> None:
    """A table bch can't read (no header, broken years, no label column or unit, empty) or one with no functions:
    the notebooks would fail on it with a message naming another line, so the finding says why, here and now."""
    from bch.core import codes

    unreadable = not sheet.usable or sheet.functions.empty
    if not unreadable:
        return
    why = next((f for f in found if f.code == codes.NO_FUNCTIONS or (not sheet.usable and f.severity == "error")), None)
    raise ParameterError(
        f"{sheet.path.name} is a layout bch can't read, so no pack is made (bch check lists every finding): "
        + (labels.clip(" ".join(str(why).split())) if why else "its layout can't be read")
    )


def _uncommitted_code_refused(git: dict, allow_dirty: bool) -> dict:
    """The git state, unless bch or a notebook holds uncommitted changes and they were not allowed: an analyst's
    what-if saved in a notebook must not reach the Board unsaid."""
    modified = git.get("modified") or []
    if modified and not allow_dirty:
        shown = labels.neutralise(", ".join(modified[:5])) + (f" and {len(modified) - 5} more" if modified[5:] else "")
        raise ParameterError(
            f"uncommitted changes to code a pack runs: {shown}; commit them (a pack must be reproducible from its "
            "commit), or give --allow-dirty to publish them, stated on the cover"
        )
    return {**git, "allow_dirty": bool(modified)}


def _keep_failure(out: Path, stamp: str, failure: execute.NotebookFailed) -> Path:
    """The failure record: the one-line message first (small, so it survives a full disk), then the notebook."""
    kept = out / FAILED / stamp
    runs = "".join(f"{r.name}: {r.status} ({r.seconds:.1f}s)\n" for r in failure.runs)
    try:
        kept.mkdir(parents=True, exist_ok=True)
        (kept / "error.txt").write_text(f"{failure}\n\n{runs}", encoding="utf-8")
        if failure.notebook.is_file():
            shutil.copy2(failure.notebook, kept / failure.notebook.name)
    except OSError as exc:
        return Path(f"{kept} (incomplete: {exc.strerror or exc})")
    _prune_failures(out / FAILED)
    return kept


def _prune_failures(folder: Path, keep: int = FAILURES_KEPT) -> None:
    """Only the newest `keep` failure records: a daily run failing for weeks must not fill the disk."""
    stamps = sorted((p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()), key=lambda p: p.name)
    for old in stamps[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def _build_into(options, run, values, prints, packs, out, building, started, progress, run_date, git) -> Path:
    from bch.publish import packindex, render

    interrupts.check()  # after the imports: a Ctrl-C during them is taken here

    day = run_date or started.date()  # the folder's day on the same clock (UTC) as started_at
    name = _next_name(out, day)
    as_of = run.inputs.as_of.isoformat()
    previous = packlist.previous_pack(packs, as_of)
    withdrawn = packlist.withdrawn_since(out, previous, withdrawals.read(run.inputs.catalogue.path))
    unreadable = packlist.unreadable_after(out, previous)
    parameters = {**params.plain(run), "output_dir": f"{out}/{name}"}
    job = render.PackJob(
        run=run,
        values={**values, "output_dir": str(building)},
        books=execute.execution_order(options.books),
        cell_timeout=options.cell_timeout,
        building=building,
        name=name,
        run_date=day,
        previous=previous,
        parameters=parameters,
        git=git,
        fingerprint=prints,
        withdrawn=withdrawn,
        unreadable=unreadable,
    )
    runs, analysis, changes = render.execute_and_render(job, progress)
    tick = time.perf_counter()
    render.check_tables(analysis, building)
    render.index_html(building, name)
    if progress:
        progress(f"checks and manifest: {time.perf_counter() - tick:.1f}s")
    from bch.core.findings import count_by_severity

    record = {
        "pack": name,
        "as_of": as_of,
        "edition": run.inputs.edition.key if run.inputs.edition else None,
        "inputs": [file_entry(p) for p in run.inputs.files()],
        "outputs": manifest.outputs(building),
        "parameters": parameters,
        "versions": job.versions,
        "git": job.git,
        "fingerprint": prints,
        "started_at": started.isoformat(),
        "finished_at": _now().isoformat(),
        "notebooks": [{"name": r.name, "status": r.status, "seconds": r.seconds} for r in runs],
        "findings": count_by_severity(analysis.findings),
        "previous_pack": previous.path.name if previous else None,
        "changes": len(changes),
    }
    (building / manifest.MANIFEST).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    interrupts.check()  # the last moment to stop: from here the pack is published whole
    manifest.record_published(out, name, building / manifest.MANIFEST)
    target = out / name
    os.rename(building, target)  # atomic within one filesystem; `target` was free under the lock
    withdrawn = withdrawals.read(run.inputs.catalogue.path)
    packlist.point_latest(out, withdrawn)
    packindex.rebuild(out, withdrawn)
    return target
