"""SHA-256 digests: of a file, read in blocks (how inputs, outputs and editions are told apart), and of a set of
files (how bch's code and notebooks are told apart)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: Path, relative_to: Path | None = None) -> dict:
    """A file as manifests and the board pack's cover list it: its path, SHA-256 and size."""
    shown = path.relative_to(relative_to).as_posix() if relative_to else str(path)
    return {"path": shown, "sha256": sha256(path), "bytes": path.stat().st_size}


def files_digest(base: Path, files) -> str:
    """One SHA-256 over the files' names (from `base`'s name: bch/…, notebooks/…, wherever each is installed) and
    bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(files):
        name = f"{base.name}/{path.relative_to(base).as_posix()}"
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
