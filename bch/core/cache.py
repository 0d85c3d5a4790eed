"""A small on-disk cache of results bch can always recompute, as JSON, named by the SHA-256 of what made them.

Callers keep it outside the project (`bch.paths.cache`); it is an optimisation only: a missing, unreadable,
oversized or malformed entry is a miss (the caller recomputes), and an entry that can't be written is simply not
kept. Each entry carries the SHA-256 of its name and value, checked as it is read, so an entry edited by hand,
copied under another name or damaged is a miss; and the caller validates every value (declared columns, money as
whole pounds). The checksum is not a secret: whoever can write the cache and recompute it could as well edit
bch's own code, so the cache is kept with the same care as the environment bch is installed in.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from bch.core.writers import write_atomic

MAX_ENTRY_BYTES = 4 << 20  # one edition's trend rows: 1,000 functions at ~150 bytes is 150 kB


def key(material: dict) -> str:
    """The SHA-256 of `material` (JSON-able), in a canonical form: equal material, equal key."""
    text = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def load(folder: Path, name: str) -> object | None:
    """The entry's JSON value, or None: absent, not a regular file (never through a link), too large, not JSON."""
    try:
        fd = os.open(Path(folder) / f"{name}.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_ENTRY_BYTES + 1)
        if len(data) > MAX_ENTRY_BYTES:
            return None
        entry = json.loads(data.decode("utf-8"))
        if not isinstance(entry, dict) or set(entry) != {"sha256", "value"}:
            return None
        return entry["value"] if entry["sha256"] == _checksum(name, entry["value"]) else None
    except (OSError, ValueError, RecursionError, TypeError):
        return None
    finally:
        os.close(fd)


def store(folder: Path, name: str, value: object) -> bool:
    """Keep `value` (written atomically); False when it can't be (a read-only home, a full disk): never an error."""
    try:
        entry = {"sha256": _checksum(name, value), "value": value}
        data = json.dumps(entry, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode()
        write_atomic(Path(folder) / f"{name}.json", data)
    except (OSError, ValueError, TypeError):
        return False
    return True


def _checksum(name: str, value: object) -> str:
    return key({"name": name, "value": value})
