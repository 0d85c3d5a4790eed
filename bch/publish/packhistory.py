"""A pack against those before it: its fingerprint, whether the edition's newest pack already has it
(--if-changed), the next name never used in the folder, and the failed runs kept under `failed/`.

What makes a pack what it is (its inputs' hashes, the parameters, bch's code and notebooks, the
catalogue) is computed once here, recorded in the manifest, and compared with the packs already
published: a pack published again says which of these changed (`bch.analyse.packchanges.republished`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

from bch import params, paths
from bch.core.digest import files_digest, sha256
from bch.publish import execute, ledger
from bch.publish.packoptions import Published

FAILED = "failed"
FAILURES_KEPT = 10  # failed/<stamp>/ records kept; older ones are removed when a new failure is kept


def next_name(out: Path, day: dt.date) -> str:
    """A free folder name: not on disk (a dangling link counts) and never recorded in the ledger."""
    recorded = ledger.recorded_packs(out)

    def taken(name: str) -> bool:
        return os.path.lexists(out / name) or name in recorded

    base = day.isoformat()
    if not taken(base):
        return base
    n = 2
    while taken(f"{base}.{n}"):
        n += 1
    return f"{base}.{n}"


def fingerprint(run: params.RunParameters) -> dict:
    """What makes a pack what it is: its inputs' hashes, the parameters, and bch's code and notebooks (two
    digests, so a pack published again can say which of them changed: bch.analyse.packchanges.republished)."""
    code = [*paths.PACKAGE.rglob("*.py"), *paths.PACKAGE.rglob("*.j2")]
    # by role, not file name: two inputs of one name (a register and claims both "cases.csv") both count
    roles = {"savings": run.inputs.savings, "register": run.inputs.register}
    roles |= {"revisions": run.inputs.revisions, "claims": run.inputs.claims}
    inputs = {role: sha256(path) for role, path in roles.items() if path is not None}
    parameters = {k: v for k, v in params.plain(run).items() if not k.endswith("_path")}
    return {
        "inputs": inputs,
        "parameters": parameters,
        "code": files_digest(paths.PACKAGE, code),
        "notebooks": files_digest(paths.NOTEBOOKS, paths.NOTEBOOKS.glob("*.ipynb")),
        "catalogue": _catalogue_print(run),
    }


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
            digest.update(f"{name}={sha256(value) if is_file else value}\n".encode())
    for when, why in run.inputs.catalogue.broken:
        digest.update(f"broken {when}: {why}\n".encode())
    return digest.hexdigest()


def unchanged(packs: list, run: params.RunParameters, prints: dict) -> Published | None:
    """The edition's newest pack when it was made from the same inputs, parameters and code (--if-changed)."""
    same = [r for r in packs if r.as_of == run.inputs.as_of.isoformat()]
    if not same or same[-1].manifest.get("fingerprint") != prints:
        return None
    return Published(
        same[-1].path,
        unchanged=True,
        message=f"nothing changed since {same[-1].path.name} (same inputs, parameters and code); nothing published",
    )


def keep_failure(out: Path, stamp: str, failure: execute.NotebookFailed) -> Path:
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
    prune_failures(out / FAILED, newest=kept)
    return kept


def prune_failures(folder: Path, keep: int = FAILURES_KEPT, newest: Path | None = None) -> None:
    """Only the newest `keep` failure records: a daily run failing for weeks must not fill the disk. The record
    just kept (`newest`) always stays, whatever its stamp says: a clock set back must not prune it first."""
    others = [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and p != newest]
    room = keep - (newest is not None)
    for old in sorted(others, key=lambda p: p.name)[: max(len(others) - room, 0)]:
        shutil.rmtree(old, ignore_errors=True)
