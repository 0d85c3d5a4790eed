"""`bch verify`: a published pack checked against its manifest, and the manifest against the ledger.

A pack is checked against its manifest, the manifest against the pack's own files (findings.csv,
the notebooks' injected parameters), and the manifest's digest against the output folder's
append-only, hash-chained ledger, so an edited manifest shows even when it hashes its files right.
Nothing outside the pack is read but that ledger: a listed path must be relative, normalised and
reached through no symlink.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from bch.core.digest import sha256
from bch.publish import names, notebooks, published
from bch.publish.ledger import LEDGER, read_ledger
from bch.publish.manifest import MANIFEST, ManifestError, load, printable, required, shown


def verify(pack: Path) -> list[str]:
    """Problems found checking a published pack (empty when it is intact); ManifestError when the
    manifest itself is malformed."""
    root, out = _pack_and_output_folder(pack)
    record, digest = load(root / MANIFEST)
    problems, listed = [], set()
    for entry in record["outputs"]:
        rel = entry["path"]
        if rel in listed:
            problems.append(f"listed twice: {printable(rel)}")
            continue
        listed.add(rel)
        problems.extend(_entry_problems(root, entry))
    for rel, is_link in _on_disk(root).items():
        if rel not in listed:
            problems.append(f"not in the manifest: {printable(rel)}" + (" (a symlink)" if is_link else ""))
    if not record["notebooks"]:
        problems.append("the manifest names no notebooks")
    problems.extend(f"required but not listed: {printable(rel)}" for rel in required(record) if rel not in listed)
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
            f"{printable(str(pack))}: leads to {printable(str(root))}, "
            f"outside its output folder {printable(str(out))}; "
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
            changed = f"input changed since this pack was made: {printable(where)}"
            problems.append(f"{changed} (its figures are not the file's now)")
    return problems


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
        return [f"refused, not read: {printable(rel)} ({why})"]
    path = root / rel
    try:
        info = os.lstat(path)
    except OSError:
        return [f"missing: {printable(rel)}"]
    if not stat.S_ISREG(info.st_mode):
        return [f"not a regular file: {printable(rel)}"]
    if info.st_size != entry["bytes"] or sha256(path) != entry["sha256"]:
        return [f"changed: {printable(rel)}"]
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

    path = _regular(root, names.FINDINGS)
    if path is None:
        return []  # reported above as missing or refused
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            severities = [row.get("severity") for row in reader]
            columns = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [f"{names.FINDINGS} cannot be read: {exc}"]
    if "severity" not in columns:
        return [f"{names.FINDINGS} has no severity column"]
    counts = {"error": 0, "warning": 0}
    for severity in severities:
        counts[str(severity)] = counts.get(str(severity), 0) + 1
    if counts == stated:
        return []
    return [f"findings: the manifest counts {_counts(stated)}; {names.FINDINGS} has {_counts(counts)}"]


def _counts(counts: dict) -> str:
    return ", ".join(f"{severity} {n}" for severity, n in sorted(counts.items())) or "none"


def _parameter_problems(root: Path, record: dict) -> list[str]:
    """Each executed notebook's injected parameters against the manifest's (output_dir aside: the
    notebooks ran in a folder that was renamed into the pack)."""
    stated = record["parameters"]
    problems = []
    for book in record["notebooks"]:
        path = _regular(root, book["name"])
        name = printable(book["name"])
        if path is None:
            continue  # reported above as missing or refused
        try:
            injected = notebooks.injected_parameters(path)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        for key in sorted((injected.keys() | stated.keys()) - {"output_dir"}):
            if key not in stated:
                problems.append(f"{name} ran with {key} = {shown(injected[key])}; the manifest has no {key}")
            elif key not in injected:
                problems.append(f"{name} was not given {printable(key)}; the manifest says {shown(stated[key])}")
            elif not (_same(injected[key], stated[key]) or published.names_same_file(injected[key], stated[key])):
                problems.append(
                    f"{name} ran with {key} = {shown(injected[key])}; the manifest says {shown(stated[key])}"
                )
    return problems


def _same(a, b) -> bool:
    """Equal as JSON values: 10 and 10.0 are one number, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) in (int, float, str, type(None)) and a == b


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
