"""`bch pack`: publish a dated, immutable, self-describing board pack.

The pack is built in a temporary folder inside the output folder and renamed into place only
when everything succeeded; `latest` then points at the newest edition's newest pack. A failed run
keeps its notebook under `failed/<stamp>/` and touches no published pack. History follows the
editions' as-of dates, not the order of runs.

This module is the build itself, in order; what it was asked is `bch.publish.packoptions`, the output
folder's lock and checks `bch.publish.packlock`, and the pack against those before it (fingerprint,
name, failures kept) `bch.publish.packhistory`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from bch import params, paths
from bch.core import dates, labels
from bch.core.digest import file_entry
from bch.core.errors import BchError, ParameterError
from bch.publish import execute, interrupts, ledger, manifest, notebooks, packhistory, packlist, packlock
from bch.publish.packoptions import PackError, Published, notebook_parameters, run_parameters
from bch.read import withdrawals


def _now() -> dt.datetime:
    return dates.now()


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
    run = run_parameters(options)
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
    notebooks.check_against_notebooks({**values, "output_dir": ""}, options.books)
    out = Path(options.out).resolve()
    packlock.check_output_folder(out)  # before mkdir: an --out inside a published pack must not leave a folder in it
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PackError(f"cannot create the output folder {out}: {exc.strerror or exc}") from None
    prints = packhistory.fingerprint(run)
    if not os.access(out, os.W_OK):
        # --if-changed with nothing changed writes nothing, so a folder it can only read is no reason to fail
        packs = packlist.current_packs(out, _withdrawn(run)) if options.if_changed else []
        unchanged = packhistory.unchanged(packs, run, prints)
        if unchanged is not None:
            return unchanged
        raise PackError(f"cannot write into the output folder {out}")
    with packlock.locked(out):
        interrupts.check()
        packlock.remove_stale(out)
        packlock.check_ledger(out)
        packs = packlist.current_packs(out, _withdrawn(run))  # a withdrawn edition's pack is never compared with
        unchanged = packhistory.unchanged(packs, run, prints) if options.if_changed else None
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
            kept = packhistory.keep_failure(out, stamp, failure)
            raise PackError(f"{failure} (failed notebook kept in {kept})") from None
        except BchError:
            raise
        except OSError as exc:
            raise PackError(f"cannot write the pack into {out}: {exc.strerror or exc}") from None
        finally:
            shutil.rmtree(building, ignore_errors=True)


def _withdrawn(run: params.RunParameters):
    return withdrawals.read(run.inputs.catalogue.path)


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


def _build_into(options, run, values, prints, packs, out, building, started, progress, run_date, git) -> Path:
    from bch.publish import packindex, render

    interrupts.check()  # after the imports: a Ctrl-C during them is taken here

    day = run_date or started.date()  # the folder's day on the same clock (UTC) as started_at
    name = packhistory.next_name(out, day)
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
    render.index_html(building, name, run.inputs.as_of)
    if progress:
        progress(f"checks and manifest: {time.perf_counter() - tick:.1f}s")
    path = manifest.write(building, _manifest_record(job, runs, analysis, changes, started))
    interrupts.check()  # the last moment to stop: from here the pack is published whole
    ledger.record_published(out, name, path)
    target = out / name
    os.rename(building, target)  # atomic within one filesystem; `target` was free under the lock
    withdrawn = withdrawals.read(run.inputs.catalogue.path)
    packlist.point_latest(out, withdrawn)
    packindex.rebuild(out, withdrawn)
    return target


def _manifest_record(job, runs, analysis, changes, started: dt.datetime) -> dict:
    """The manifest of a pack whose notebooks ran (`runs`) and whose every other file is written."""
    from bch.core.findings import count_by_severity

    run, previous = job.run, job.previous
    return {
        "pack": job.name,
        "as_of": run.inputs.as_of.isoformat(),
        "edition": run.inputs.edition.key if run.inputs.edition else None,
        "inputs": [file_entry(p) for p in run.inputs.files()],
        "outputs": manifest.outputs(job.building),
        "parameters": job.parameters,
        "versions": job.versions,
        "git": job.git,
        "fingerprint": job.fingerprint,
        "started_at": started.isoformat(),
        "finished_at": _now().isoformat(),
        "notebooks": [{"name": r.name, "status": r.status, "seconds": r.seconds} for r in runs],
        "findings": count_by_severity(analysis.findings),
        "previous_pack": previous.path.name if previous else None,
        "changes": len(changes),
    }
