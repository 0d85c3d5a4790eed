"""What went into a pack and what came out: hashes, versions, git state, timings."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from bch import paths

PACKAGES = (
    "bch",
    "pandas",
    "openpyxl",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "weasyprint",
)
MANIFEST = "manifest.json"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: Path, relative_to: Path | None = None) -> dict:
    shown = path.relative_to(relative_to).as_posix() if relative_to else str(path)
    return {"path": shown, "sha256": sha256(path), "bytes": path.stat().st_size}


def outputs(pack: Path) -> list[dict]:
    """Every file in the pack but the manifest itself, sorted by path."""
    files = sorted(p for p in pack.rglob("*") if p.is_file() and p.name != MANIFEST)
    return [file_entry(p, pack) for p in files]


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_state(root: Path = paths.ROOT) -> dict:
    """The commit the code ran at and whether the work tree differed from it (None outside git)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def verify(pack: Path) -> list[str]:
    """Problems found re-hashing a published pack against its manifest (empty when it is intact)."""
    import json

    manifest = json.loads((pack / MANIFEST).read_text())
    problems = []
    listed = set()
    for entry in manifest["outputs"]:
        path = pack / entry["path"]
        listed.add(entry["path"])
        if not path.is_file():
            problems.append(f"missing: {entry['path']}")
        elif sha256(path) != entry["sha256"] or path.stat().st_size != entry["bytes"]:
            problems.append(f"changed: {entry['path']}")
    for entry in outputs(pack):
        if entry["path"] not in listed:
            problems.append(f"not in the manifest: {entry['path']}")
    return problems
