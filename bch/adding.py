"""Adding an edition: its files checked as what they are (the whole savings check, the register, the claims),
copied into the catalogue's folder (never over a different file), and one entry appended to editions.toml
with each file's SHA-256. A use case above the catalogue (`bch.read.editions`, which only reads it) and the
analysis it runs (`bch.analyse.pipeline`); `bch.lifecycle` previews an edition through it and withdraws one.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tomllib
from pathlib import Path

from bch import paths
from bch.core import dates, labels
from bch.core.digest import sha256
from bch.core.errors import InputError, ParameterError
from bch.read import editions
from bch.read.editions import DATE_FIELDS, TABLE, Catalogue, Edition, load, parse_aliases, plain_text


def add(
    catalogue_path: str | Path,
    *,
    as_of: str,
    title: str,
    document_date: str,
    savings: Path,
    register: Path | None = None,
    register_reviewed: str = "",
    revisions: Path | None = None,
    claims: Path | None = None,
    reference: str = "",
    sheet: str = "",
    aliases: tuple[str, ...] = (),
    dry_run: bool = False,
) -> Edition:
    """Check the new edition's files, copy them into the catalogue's folder (never over a different
    file) and append one entry. A register or revisions file left out is the one of the edition just
    before it (a register describes its time: a later one is never lent to an earlier edition).

    Revisions carry forward whatever --register says: they are the Board's decisions, dated, and a new
    register written from an old template must not silently undo one (a reverted forecast is a finding)."""
    catalogue = load(catalogue_path)
    if len(catalogue.editions) + len(catalogue.broken) >= editions.MAX_EDITIONS:  # one more: unreadable
        raise ParameterError(
            f"{catalogue.path} already lists {editions.MAX_EDITIONS:,} editions, the most a catalogue may hold "
            "(bch.read.editions.MAX_EDITIONS); start a new catalogue for the next ones"
        )
    when = _past(as_of, "as_of")
    if any(e.as_of == when for e in catalogue.editions) or any(w == when for w, _ in catalogue.broken):
        raise ParameterError(f"{catalogue.path} already has an edition as at {as_of}; editions are never replaced")
    earlier = catalogue.before(when)
    if register is None:
        if not earlier:
            raise ParameterError(f"no edition precedes {as_of}: give --register (and --register-reviewed)")
        register = earlier[-1].register
        reviewed = earlier[-1].register_reviewed
        register_reviewed = register_reviewed or (reviewed.isoformat() if reviewed else "")
    if revisions is None and earlier:
        revisions = earlier[-1].revisions
    texts = {"title": title, "reference": reference, "sheet": sheet}
    for name, text in texts.items():
        plain_text(name, text)
    files = {"savings": Path(savings), "register": Path(register), "revisions": revisions, "claims": claims}
    for name, path in files.items():  # before resolve(), which raises RuntimeError on a loop of links
        if path and (why := paths.unusable(path)):
            raise ParameterError(f"--{name} {labels.clip(str(path))}: {why}")
    files = {name: Path(path).resolve() for name, path in files.items() if path}
    for name, path in files.items():
        _utf8_name(name, path)
    _check_files(catalogue, files, sheet)
    aliases = parse_aliases(list(aliases), "--alias")
    entry = {
        "as_of": when.isoformat(),
        "title": title.strip(),
        "document_date": _past(document_date, "document_date").isoformat(),
        "reference": reference.strip(),
        "sheet": sheet.strip(),
        "register_reviewed": _past(register_reviewed, "register_reviewed").isoformat() if register_reviewed else "",
    }
    if dry_run:  # checked, nothing copied or written: the edition as it would be, read where its files are
        return _provisional(entry, files, aliases)
    folder = catalogue.path.parent
    folder.mkdir(parents=True, exist_ok=True)
    entry |= {name: _place(path, folder) for name, path in files.items()}  # copied only once all is checked
    block = [f"\n[[{TABLE}]]"]
    block += [f"{k} = {v if k in DATE_FIELDS else toml_string(v)}" for k, v in entry.items() if v]
    block += [f"aliases = [{', '.join(toml_string(a) for a in aliases)}]"] if aliases else []
    # the bytes each file had when it was added: check, pack and verify name a file edited since
    digests = ", ".join(f"{name} = {toml_string(sha256(folder / entry[name]))}" for name in files)
    block.append(f"sha256 = {{ {digests} }}")
    text = "\n".join(block) + "\n"
    tomllib.loads(text)  # what is appended always parses (a torn catalogue would stop every command)
    with open(catalogue.path, "a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return load(catalogue.path).get(when.isoformat())


def _past(text: str, name: str) -> dt.date:
    day = _iso(text, name)
    if day > dates.today():
        raise ParameterError(f"--{name.replace('_', '-')} {text} is in the future")
    return day


def _iso(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"--{name.replace('_', '-')} must be a date like 2019-07-18, not {text!r}") from None


def _utf8_name(option: str, path: Path) -> None:
    """A file's name goes into the catalogue, which is UTF-8 text: a name in another encoding (bytes Python
    holds as surrogates) could not be written there, so it is refused before anything is copied."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        shown = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise ParameterError(f"--{option} {shown}: the file name is not valid UTF-8: rename it") from None


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in escaped) + '"'


def _check_files(catalogue: Catalogue, files: dict[str, Path], sheet: str) -> None:
    """Each file readable as what it is, before anything is copied; a workbook belongs to one edition."""
    from bch.analyse import pipeline
    from bch.read import claims, register

    for name, path in files.items():
        if not path.is_file():
            raise InputError(f"--{name} {path}: no such regular file")
    owner = catalogue.owning("savings", files["savings"])
    if owner is not None:
        raise ParameterError(f"{files['savings'].name} is already the workbook of the edition as at {owner.key}")
    sheet_read, found = pipeline.check_savings(files["savings"], sheet or None)
    if not sheet_read.usable:
        first = next((str(f) for f in found if f.severity == "error"), "its layout can't be read")
        raise ParameterError(f"{files['savings'].name} is not a savings table bch can read: {first}")
    register.read_register(files["register"], files.get("revisions"))
    if "claims" in files:
        claims.read_claims(files["claims"])


def _place(source: Path, folder: Path) -> str:
    """The file's name in `folder`: copied there if absent; an identical file there is reused."""
    source = source.resolve()
    if not source.is_file():
        raise InputError(f"no such file: {source}")
    if source.parent == folder.resolve():
        return source.name
    target = folder / source.name
    if target.exists():
        if sha256(target) != sha256(source):
            raise InputError(
                f"{target} already exists with other content; raw files are never overwritten: rename the new file"
            )
        return target.name
    shutil.copy2(source, target)
    os.chmod(target, 0o444)
    return target.name


def _provisional(entry: dict, files: dict[str, Path], aliases: tuple[str, ...]) -> Edition:
    """The entry `add` would append, its files where they are now (a preview reads them there)."""
    reviewed = entry["register_reviewed"]
    return Edition(
        as_of=dt.date.fromisoformat(entry["as_of"]),
        title=entry["title"],
        document_date=dt.date.fromisoformat(entry["document_date"]),
        reference=entry["reference"],
        sheet=entry["sheet"] or None,
        register_reviewed=dt.date.fromisoformat(reviewed) if reviewed else None,
        aliases=aliases,
        **files,
    )
