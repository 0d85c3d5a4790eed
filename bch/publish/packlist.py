"""The packs published in an output folder: which there are, in what order, which one a new pack is compared
with, which are withdrawn, and the `latest` link. Read by publishing (`bch.publish.pack`), the index
(`bch.publish.packindex`) and withdrawing (`bch.withdrawing`); it writes only the `latest` link.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

from bch.publish import ledger, packfiles
from bch.read import withdrawals

LATEST = "latest"
PACK_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}(\.\d+)?$")  # YYYY-MM-DD, then .2, .3 for later runs that day


class PackRecord(NamedTuple):
    path: Path
    as_of: str  # ISO date of the edition the pack states
    manifest: dict


def run_order(name: str) -> tuple[str, int]:
    day, _, n = name.partition(".")
    return day, int(n or 1)


def published_packs(out: Path) -> list[PackRecord]:
    """Published packs in `out` in edition order: by as-of date, then by run (oldest first).

    Once the folder has a ledger, only the packs it records count: a dated folder copied in by hand
    never becomes `latest` nor what the next pack is compared with. Runs are then in the ledger's order,
    the order they were published in: a clock set back names a later pack with an earlier day. A manifest
    edited since (its as-of date made 9999-12-31, say) no longer matches its entry: never `latest`, never compared.
    """
    entries = ledger.read_ledger(out / ledger.LEDGER)[0] if (out / ledger.LEDGER).exists() else None
    recorded = {entry["pack"]: line for line, entry in enumerate(entries or [], start=1)}
    digests = {entry["pack"]: entry["manifest_sha256"] for entry in entries or []}
    found = []
    for path in out.iterdir():
        if path.is_symlink() or not path.is_dir() or not PACK_NAME.match(path.name):
            continue
        if entries is not None and path.name not in recorded:
            continue
        record, _ = packfiles.read_manifest(path, digests.get(path.name) if entries is not None else None)
        if record is None:
            continue  # not a manifest this bch writes: never compared with, never `latest`
        found.append(PackRecord(path, packfiles.as_of_of(record), record))
    if entries is not None:
        return sorted(found, key=lambda r: (r.as_of, recorded[r.path.name]))
    return sorted(found, key=lambda r: (r.as_of, run_order(r.path.name)))


def unreadable_after(out: Path, previous: PackRecord | None) -> list[tuple[str, str]]:
    """(name, why) of packs the ledger recorded after `previous` (all, when there is none) whose manifest can't be
    read as bch writes it: a new pack says it could not compare with them, never "first pack" or a silent skip."""
    if not (out / ledger.LEDGER).exists():
        return []
    entries, _ = ledger.read_ledger(out / ledger.LEDGER)
    names = [entry["pack"] for entry in entries]
    after = names[names.index(previous.path.name) + 1 :] if previous and previous.path.name in names else names
    found = []
    for name, entry in zip(names, entries, strict=True):
        if name in after and (out / name).is_dir() and not (out / name).is_symlink():
            record, why = packfiles.read_manifest(out / name, entry["manifest_sha256"])
            if record is None:
                found.append((name, why))
    return found


def manifest_of(folder: Path | None) -> dict:
    """A published pack's manifest as it stands ({} when it can't be read: a report, never a failure)."""
    record, _ = packfiles.read_manifest(Path(folder))
    return record or {}


def previous_pack(packs: list[PackRecord], as_of: str) -> PackRecord | None:
    """What a new pack of `as_of` is compared with: the newest of the same edition (a restatement),
    else the newest of the latest earlier edition (what moved since the Board last saw it)."""
    same = [r for r in packs if r.as_of == as_of]
    if same:
        return same[-1]
    earlier = [r for r in packs if r.as_of < as_of]
    return earlier[-1] if earlier else None


def withdrawn_since(out: Path, previous: PackRecord | None, withdrawn) -> list[tuple]:
    """(withdrawal, its pack names) for each withdrawn edition published after `previous`: the Board may have
    seen those packs, so the next one names what was withdrawn and why."""
    recorded = ledger.recorded_packs(out)
    after = recorded.get(previous.path.name, 0) if previous else 0
    found: dict = {}
    for record in published_packs(out):
        gone = withdrawals.of(record, withdrawn)
        if gone is not None and recorded.get(record.path.name, 0) > after:
            found.setdefault(gone, []).append(record.path.name)
    return list(found.items())


def current_packs(out: Path, withdrawn=()) -> list[PackRecord]:
    """`published_packs` but those of withdrawn editions (`bch.read.withdrawals`): they stay on disk, listed."""
    return [r for r in published_packs(out) if withdrawals.of(r, withdrawn) is None]


def point_latest(out: Path, withdrawn=()) -> None:
    """`latest` -> the newest edition's newest pack (an older edition re-run leaves it where it was),
    never one of a withdrawn edition's; no such pack at all leaves no `latest`."""
    packs = current_packs(out, withdrawn)
    if not packs and withdrawn:
        (out / LATEST).unlink(missing_ok=True)
    if not packs:
        return
    link = out / f".latest-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(packs[-1].path.name)
    os.replace(link, out / LATEST)
