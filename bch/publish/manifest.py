"""A pack's manifest: what went into the pack and what came out (hashes, versions, git state, timings),
written as the pack's last file and read back, its shape checked, by `bch verify` (`bch.publish.verify`).

The output folder's ledger, which vouches for each manifest, is `bch.publish.ledger`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import stat
import subprocess
from importlib import metadata
from pathlib import Path

from bch import paths
from bch.core.digest import file_entry
from bch.core.errors import BchError
from bch.publish import names

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


# Every pack has these, besides each notebook's .ipynb and .html (named in manifest["notebooks"]).
REQUIRED = (names.BOARD_PACK, names.BOARD_PACK_PDF, names.INDEX, *names.TABLES)


class ManifestError(BchError):
    """A manifest that cannot be checked at all (not JSON, wrong shape), or a ledger that refuses an entry."""

    exit_code = 1


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


PUBLISHING_CODE = ("bch", "notebooks")  # what makes a pack: a change here not committed is not reproducible


def git_state(root: Path | None = None, package: Path | None = None) -> dict:
    """The commit the project ran at, whether its work tree differed from it (None outside git), and `modified`:
    bch's modules and the notebooks changed or added but not committed (what a pack would run uncommitted). bch's
    modules are looked up where bch runs from (a checkout beside the project, or the project itself)."""
    root, package = root or paths.ROOT, package or paths.PACKAGE.parent
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None, "modified": _uncommitted(package, "bch")}
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    modified = set(_uncommitted(root, *PUBLISHING_CODE))
    if Path(package).resolve() != Path(root).resolve():
        modified |= set(_uncommitted(package, "bch"))
    return {"commit": commit, "dirty": bool(status), "modified": sorted(modified)}


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.rstrip()  # porcelain lines begin with a space: " M bch/x.py"


def _uncommitted(folder: Path, *within: str) -> list[str]:
    """Files a pack runs under `within` (of the git work tree at `folder`) changed or added, not committed."""
    if _git(folder, "rev-parse", "--show-toplevel") is None:
        return []  # an installed package: nothing to commit
    code = _git(folder, "status", "--porcelain", "--untracked-files=all", "--", *within) or ""
    return sorted({line[3:].split(" -> ")[-1] for line in code.splitlines() if _runs(line[3:])})


def _runs(name: str) -> bool:
    """A file a pack runs: a module of bch or a notebook (not a cache, not a checkpoint)."""
    return name.endswith((".py", ".ipynb", ".j2")) and "/." not in f"/{name}" and "__pycache__" not in name


def required(record: dict) -> list[str]:
    """The files a pack with this manifest must list: REQUIRED and each notebook's .ipynb and .html."""
    books = [book["name"] for book in record["notebooks"]]
    return [*REQUIRED, *(name for book in books for name in (book, book.removesuffix(".ipynb") + ".html"))]


def write(pack: Path, record: dict) -> Path:
    """The manifest of the pack being built in `pack`: its last file, written once every other is there."""
    path = pack / MANIFEST
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> tuple[dict, str]:
    """The manifest, its shape checked, and the SHA-256 of its bytes."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise ManifestError(f"{path}: not a regular file (a symlink is not followed)")
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        record = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{path}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ManifestError(f"{path}: not valid JSON (nested too deeply)") from None
    wrong = _shape_problem(record)
    if wrong:
        raise ManifestError(f"{path}: {wrong}")
    return record, hashlib.sha256(data).hexdigest()


def _shape_problem(record) -> str | None:
    if not isinstance(record, dict):
        return f"expected a JSON object, found {_kind(record)}"
    for key, kind in (("outputs", []), ("notebooks", []), ("findings", {}), ("parameters", {})):
        if key not in record:
            return f'no "{key}"'
        if type(record[key]) is not type(kind):
            return f'"{key}" must be {_kind(kind)}, not {_kind(record[key])}'
    for i, entry in enumerate(record["outputs"]):
        if not isinstance(entry, dict):
            return f"outputs[{i}] must be an object, not {_kind(entry)}"
        if not isinstance(entry.get("path"), str) or not entry["path"]:
            return f"outputs[{i}].path must be a non-empty string, not {shown(entry.get('path'))}"
        digest = entry.get("sha256")
        if not (isinstance(digest, str) and len(digest) == 64 and set(digest) <= set("0123456789abcdef")):
            return f"outputs[{i}].sha256 must be 64 lower-case hex digits, not {shown(digest)}"
        if not _count(entry.get("bytes")):
            return f"outputs[{i}].bytes must be a whole number from 0, not {shown(entry.get('bytes'))}"
    for i, book in enumerate(record["notebooks"]):
        name = book.get("name") if isinstance(book, dict) else None
        if not (isinstance(name, str) and name.endswith(".ipynb") and name != ".ipynb"):
            return f"notebooks[{i}].name must be a notebook's file name (….ipynb), not {shown(name)}"
    for severity, n in record["findings"].items():
        if not _count(n):
            return f"findings[{shown(severity)}] must be a whole number from 0, not {shown(n)}"
    return None


def _count(value) -> bool:
    return type(value) is int and value >= 0


def _kind(value) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return kinds.get(type(value), "a number")


def printable(name: str) -> str:
    """A name from the pack or its manifest on one printable line (JSON-quoted when it is not)."""
    return name if name.isprintable() else json.dumps(name)


def shown(value) -> str:
    """A value as JSON on one line, cut short."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:59] + "…"
