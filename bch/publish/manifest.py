"""What went into a pack and what came out: hashes, versions, git state, timings; and `bch verify`.

A pack is checked against its manifest, the manifest against the pack's own files (findings.csv,
the notebooks' injected parameters), and the manifest's digest against the output folder's
append-only, hash-chained ledger, so an edited manifest shows even when it hashes its files right.
Nothing outside the pack is read but that ledger: a listed path must be relative, normalised and
reached through no symlink.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import stat
import subprocess
from importlib import metadata
from pathlib import Path, PurePosixPath

from bch import paths
from bch.core.digest import file_entry, sha256
from bch.core.errors import BchError

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
LEDGER = "ledger.jsonl"
# Every pack has these, besides each notebook's .ipynb and .html (named in manifest["notebooks"]).
REQUIRED = (
    "board-pack.html",
    "board-pack.pdf",
    "index.html",
    "savings-tidy.csv",
    "findings.csv",
    "variance.csv",
    "claims.csv",
)
_ENTRY_KEYS = ("pack", "manifest_sha256", "prev", "recorded_at", "entry_sha256")


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


# -- bch verify ---------------------------------------------------------------------------------


def verify(pack: Path) -> list[str]:
    """Problems found checking a published pack (empty when it is intact); ManifestError when the
    manifest itself is malformed."""
    root, out = _pack_and_output_folder(pack)
    record, digest = _load(root / MANIFEST)
    problems, listed = [], set()
    for entry in record["outputs"]:
        rel = entry["path"]
        if rel in listed:
            problems.append(f"listed twice: {_p(rel)}")
            continue
        listed.add(rel)
        problems.extend(_entry_problems(root, entry))
    for rel, is_link in _on_disk(root).items():
        if rel not in listed:
            problems.append(f"not in the manifest: {_p(rel)}" + (" (a symlink)" if is_link else ""))
    if not record["notebooks"]:
        problems.append("the manifest names no notebooks")
    problems.extend(f"required but not listed: {_p(rel)}" for rel in required(record) if rel not in listed)
    problems.extend(_findings_problems(root, record["findings"]))
    problems.extend(_parameter_problems(root, record))
    problems.extend(_ledger_problems(root, out, digest))
    if not problems:  # an edited manifest's input paths are not trusted to be read at all
        problems.extend(_input_problems(record.get("inputs")))
    return problems


def _pack_and_output_folder(pack: Path) -> tuple[Path, Path]:
    """The pack's real folder and the output folder holding the path given (`OUT/latest`: OUT). `latest` is a
    symlink to a pack, allowed unlike any inside a pack, but only to a pack beside it: a link to a pack elsewhere
    would be checked against that pack's own ledger, which whoever placed it there could have written."""
    given = Path(os.path.abspath(pack))  # `..` and `.` taken lexically: the folder named, not where links lead
    root, out = given.resolve(), given.parent.resolve()
    if root.parent != out:
        raise ManifestError(
            f"{_p(str(pack))}: leads to {_p(str(root))}, outside its output folder {_p(str(out))}; "
            f"a pack is verified only against the {LEDGER} of the folder that holds it"
        )
    return root, out


def _input_problems(inputs) -> list[str]:
    """Inputs still where the pack read them whose bytes changed since: the pack no longer matches its sources
    (a file moved away or another machine's path is not a problem: nothing there to compare)."""
    problems = []
    for entry in inputs if isinstance(inputs, list) else []:
        where, recorded = (entry.get("path"), entry.get("sha256")) if isinstance(entry, dict) else (None, None)
        if not isinstance(where, str) or not isinstance(recorded, str) or "\0" in where:
            continue
        path = Path(where)
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except (OSError, ValueError):
            continue
        if regular and sha256(path) != recorded:
            problems.append(f"input changed since this pack was made: {_p(where)} (its figures are not the file's now)")
    return problems


def required(record: dict) -> list[str]:
    """The files a pack with this manifest must list: REQUIRED and each notebook's .ipynb and .html."""
    books = [book["name"] for book in record["notebooks"]]
    return [*REQUIRED, *(name for book in books for name in (book, book.removesuffix(".ipynb") + ".html"))]


def _load(path: Path) -> tuple[dict, str]:
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
            return f"outputs[{i}].path must be a non-empty string, not {_show(entry.get('path'))}"
        digest = entry.get("sha256")
        if not (isinstance(digest, str) and len(digest) == 64 and set(digest) <= set("0123456789abcdef")):
            return f"outputs[{i}].sha256 must be 64 lower-case hex digits, not {_show(digest)}"
        if not _count(entry.get("bytes")):
            return f"outputs[{i}].bytes must be a whole number from 0, not {_show(entry.get('bytes'))}"
    for i, book in enumerate(record["notebooks"]):
        name = book.get("name") if isinstance(book, dict) else None
        if not (isinstance(name, str) and name.endswith(".ipynb") and name != ".ipynb"):
            return f"notebooks[{i}].name must be a notebook's file name (….ipynb), not {_show(name)}"
    for severity, n in record["findings"].items():
        if not _count(n):
            return f"findings[{_show(severity)}] must be a whole number from 0, not {_show(n)}"
    return None


def _count(value) -> bool:
    return type(value) is int and value >= 0


def _kind(value) -> str:
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return kinds.get(type(value), "a number")


def _p(name: str) -> str:
    """A name from the pack or its manifest on one printable line (JSON-quoted when it is not)."""
    return name if name.isprintable() else json.dumps(name)


def _show(value) -> str:
    """A value as JSON on one line, cut short."""
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:59] + "…"


def _refusal(root: Path, rel: str) -> str | None:
    """Why a listed path must not be read (None when it may): it must be relative, normalised,
    inside the pack and reached through no symlink. A missing file is not refused here."""
    pure = PurePosixPath(rel)
    if "\x00" in rel:
        return "not a file name"
    if pure.is_absolute():
        return "an absolute path"
    if ".." in pure.parts:
        return "a path with '..'"
    if not pure.parts or pure.as_posix() != rel:
        return "not a normalised path"
    current = root
    for i, part in enumerate(pure.parts, 1):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            return "a symlink" if i == len(pure.parts) else f"through the symlink {'/'.join(pure.parts[:i])}"
    return None


def _regular(root: Path, rel: str) -> Path | None:
    """The listed file, when it may be read and is a regular file."""
    if _refusal(root, rel):
        return None
    path = root / rel
    try:
        return path if stat.S_ISREG(os.lstat(path).st_mode) else None
    except OSError:
        return None


def _entry_problems(root: Path, entry: dict) -> list[str]:
    rel = entry["path"]
    why = _refusal(root, rel)
    if why:
        return [f"refused, not read: {_p(rel)} ({why})"]
    path = root / rel
    try:
        info = os.lstat(path)
    except OSError:
        return [f"missing: {_p(rel)}"]
    if not stat.S_ISREG(info.st_mode):
        return [f"not a regular file: {_p(rel)}"]
    if info.st_size != entry["bytes"] or sha256(path) != entry["sha256"]:
        return [f"changed: {_p(rel)}"]
    return []


def _on_disk(root: Path) -> dict[str, bool]:
    """Every file in the pack but the manifest (relative path -> is a symlink); symlinked folders
    are listed, never entered."""
    found = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        links = [d for d in dirs if (here / d).is_symlink()]
        for name in sorted([*files, *links]):
            rel = (here / name).relative_to(root).as_posix()
            if rel != MANIFEST:
                found[rel] = (here / name).is_symlink()
    return dict(sorted(found.items()))


def _findings_problems(root: Path, stated: dict) -> list[str]:
    import csv

    path = _regular(root, "findings.csv")
    if path is None:
        return []  # reported above as missing or refused
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            severities = [row.get("severity") for row in reader]
            columns = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [f"findings.csv cannot be read: {exc}"]
    if "severity" not in columns:
        return ["findings.csv has no severity column"]
    counts = {"error": 0, "warning": 0}
    for severity in severities:
        counts[str(severity)] = counts.get(str(severity), 0) + 1
    if counts == stated:
        return []
    return [f"findings: the manifest counts {_counts(stated)}; findings.csv has {_counts(counts)}"]


def _counts(counts: dict) -> str:
    return ", ".join(f"{severity} {n}" for severity, n in sorted(counts.items())) or "none"


def _parameter_problems(root: Path, record: dict) -> list[str]:
    """Each executed notebook's injected parameters against the manifest's (output_dir aside: the
    notebooks ran in a folder that was renamed into the pack)."""
    stated = record["parameters"]
    problems = []
    for book in record["notebooks"]:
        path = _regular(root, book["name"])
        name = _p(book["name"])
        if path is None:
            continue  # reported above as missing or refused
        try:
            injected = injected_parameters(path)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        for key in sorted((injected.keys() | stated.keys()) - {"output_dir"}):
            if key not in stated:
                problems.append(f"{name} ran with {key} = {_show(injected[key])}; the manifest has no {key}")
            elif key not in injected:
                problems.append(f"{name} was not given {_p(key)}; the manifest says {_show(stated[key])}")
            elif not _same(injected[key], stated[key]):
                problems.append(
                    f"{name} ran with {key} = {_show(injected[key])}; the manifest says {_show(stated[key])}"
                )
    return problems


def injected_parameters(notebook: Path) -> dict:
    """The names and values of an executed notebook's papermill `injected-parameters` cell."""
    import ast

    try:
        cells = json.loads(notebook.read_bytes().decode("utf-8"))["cells"]
        cell = next(c for c in cells if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    except StopIteration:
        raise ValueError("no cell tagged injected-parameters") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise ValueError("not a readable notebook") from None
    source = cell.get("source", "")
    source = source if isinstance(source, str) else "".join(map(str, source))
    values = {}
    try:
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                values[node.targets[0].id] = ast.literal_eval(node.value)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        raise ValueError("its injected-parameters cell holds more than plain values") from None
    return values


def _same(a, b) -> bool:
    """Equal as JSON values: 10 and 10.0 are one number, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) in (int, float, str, type(None)) and a == b


# -- the ledger: one hash-chained line per published pack, in the output folder ------------------


def _ledger_problems(root: Path, out: Path, digest: str) -> list[str]:
    ledger = out / LEDGER
    if not os.path.lexists(ledger):
        return [f"not in the ledger: {root.name} (no {LEDGER} in {out})"]
    entries, broken = read_ledger(ledger)
    if broken:
        return [broken]  # entries past a break vouch for nothing
    mine = [n for n, entry in enumerate(entries, 1) if entry["pack"] == root.name]
    if not mine:
        return [f"not in the ledger: {root.name}"]
    if len(mine) > 1:
        return [f"{root.name} is recorded more than once in the ledger (lines {', '.join(map(str, mine))})"]
    if entries[mine[0] - 1]["manifest_sha256"] != digest:
        return [f"{MANIFEST} differs from its ledger entry (line {mine[0]}): edited since it was published"]
    return []


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
