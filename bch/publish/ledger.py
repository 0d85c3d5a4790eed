"""The output folder's ledger: one hash-chained line per published pack, appended, never rewritten.

Each entry records a pack's name and its manifest's SHA-256, chained to the entry before, so an edited
manifest, an entry removed or a name used twice shows (`bch verify`, `bch.publish.verify`). Kept apart from
the manifest because it belongs to the output folder, not to any one pack: publishing appends to it under
the folder's lock, and reading it says which packs were published, in what order.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from bch.core.digest import sha256
from bch.publish.manifest import ManifestError

LEDGER = "ledger.jsonl"

_ENTRY_KEYS = ("pack", "manifest_sha256", "prev", "recorded_at", "entry_sha256")


def read_ledger(ledger: Path) -> tuple[list[dict], str | None]:
    """The ledger's entries up to the first broken link, and what broke it (None when intact)."""
    try:
        if not stat.S_ISREG(os.lstat(ledger).st_mode):
            return [], f"ledger chain broken at line 1: {ledger} is not a regular file"
        data = ledger.read_bytes()
    except FileNotFoundError:
        return [], None
    except OSError as exc:
        return [], f"ledger chain broken at line 1: {ledger} cannot be read ({exc.strerror or exc})"
    lines = data.split(b"\n")
    unfinished = lines.pop()  # empty when the file ends with a newline, as every entry does
    if unfinished:
        lines.append(unfinished)  # a whole entry missing only its newline is still an entry
    entries, prev = [], None
    for n, line in enumerate(lines, 1):
        entry, why = _link(line, prev, n)
        if why:
            return entries, f"ledger chain broken at line {n}: {why}"
        entries.append(entry)
        prev = entry["entry_sha256"]
    return entries, None


def torn_tail(ledger: Path) -> int | None:
    """How many bytes of the ledger to keep when its last line is a write cut short (no newline, and not an
    entry at all); None when it is not. A whole entry is never dropped, even one missing its newline."""
    try:
        data = ledger.read_bytes() if stat.S_ISREG(os.lstat(ledger).st_mode) else b""
    except OSError:
        return None
    if not data or data.endswith(b"\n"):
        return None
    keep = data.rfind(b"\n") + 1
    return keep if _unparsed(data[keep:]) else None


def _unparsed(line: bytes) -> str | None:
    """Why a ledger line is not an entry at all (None when it has an entry's shape, chained or not)."""
    try:
        entry = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "not a JSON object"
    if not isinstance(entry, dict) or sorted(entry) != sorted(_ENTRY_KEYS):
        return f"not a ledger entry (its keys must be {', '.join(_ENTRY_KEYS)})"
    if not all(isinstance(entry[k], str) for k in _ENTRY_KEYS if k != "prev"):
        return "not a ledger entry (a value is not a string)"
    return None


def _link(line: bytes, prev: str | None, n: int) -> tuple[dict, str | None]:
    """One ledger line as an entry, and why it does not chain onto `prev` (None when it does)."""
    why = _unparsed(line)
    if why:
        return {}, why
    entry = json.loads(line.decode("utf-8"))
    if entry["prev"] != prev:
        return {}, "prev must be null on the first line" if n == 1 else f"prev is not line {n - 1}'s entry_sha256"
    if _entry_sha256(entry) != entry["entry_sha256"]:
        return {}, "entry_sha256 does not match the entry"
    return entry, None


def _entry_sha256(entry: dict) -> str:
    body = {key: entry[key] for key in _ENTRY_KEYS if key != "entry_sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recorded_packs(out: Path) -> dict[str, int]:
    """The pack names the output folder's ledger holds, each with its line (the order they were published in,
    whatever the clock said): a name once recorded is never reused."""
    entries, _ = read_ledger(Path(out) / LEDGER)
    return {entry["pack"]: line for line, entry in enumerate(entries, start=1)}


def record_published(out: Path, pack_name: str, manifest_path: Path) -> None:
    """Append the pack's manifest digest to the output folder's ledger. Call under the folder's lock,
    just before the pack is renamed into place. ManifestError if the ledger is broken or already
    holds the name; OSError if it cannot be written."""
    import datetime as dt

    ledger = Path(out) / LEDGER
    entries, broken = read_ledger(ledger)
    if broken:
        raise ManifestError(f"{ledger}: {broken}; {pack_name} not recorded")
    if any(entry["pack"] == pack_name for entry in entries):
        raise ManifestError(f"{ledger}: {pack_name} is already recorded; a pack name is never reused")
    entry = {
        "pack": pack_name,
        "manifest_sha256": sha256(manifest_path),
        "prev": entries[-1]["entry_sha256"] if entries else None,
        "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    line = (json.dumps({**entry, "entry_sha256": _entry_sha256(entry)}, ensure_ascii=False) + "\n").encode("utf-8")
    created = not os.path.lexists(ledger)
    # One write to a file opened O_APPEND lands whole after whatever is there; fsync before the
    # pack is published, so a published pack is never missing from the ledger after a crash.
    fd = os.open(ledger, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        line = _after_last_newline(fd) + line
        if os.write(fd, line) != len(line):
            raise OSError(f"short write to {ledger}")
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        folder = os.open(out, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _after_last_newline(fd: int) -> bytes:
    """The newline a ledger whose last entry lacks one needs before the next entry (the entry itself is kept)."""
    size = os.fstat(fd).st_size
    return b"\n" if size and os.pread(fd, 1, size - 1) != b"\n" else b""
