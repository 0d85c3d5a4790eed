"""Adding an edition: its files checked as what they are (the whole savings check, the register, the claims),
copied into the catalogue's folder (never over a different file), and one entry appended to editions.toml
with each file's SHA-256. A use case above the catalogue (`bch.read.editions`, which only reads it) and the
analysis it runs (`bch.analyse.pipeline`); `bch.previewing` previews an edition through it, `bch.withdrawing`
takes one out again.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from bch import paths
from bch.core import dates, labels
from bch.core.digest import sha256
from bch.core.errors import InputError, ParameterError
from bch.read import editions
from bch.read.editions import DATE_FIELDS, TABLE, Catalogue, Edition, load, parse_aliases, plain_text


def _option(help: str, metavar: str | None = None, *, required: bool = False, flag: str | None = None) -> dict:
    """A field's command-line option: its help, metavar, whether it is required, and its flag if not --<field>."""
    return {"help": help, "metavar": metavar, "required": required, "flag": flag}


@dataclass(frozen=True)
class NewEdition:
    """An edition to add, as `bch edition add` takes it. Each field is one option (`--as-of`, …, `--alias`), its
    help declared here and nowhere else: the command line is built from these fields."""

    as_of: str = field(metadata=_option("the date the figures are stated at", "DATE", required=True))
    savings: Path = field(metadata=_option("the savings workbook as received", "FILE", required=True))
    title: str = field(metadata=_option("the source document's title", required=True))
    document_date: str = field(metadata=_option("the source document's date", "DATE", required=True))
    reference: str = field(default="", metadata=_option("e.g. the table and paragraphs transcribed"))
    sheet: str = field(default="", metadata=_option("the sheet to read", "NAME"))
    register: Path | None = field(
        default=None, metadata=_option("business-case register (default: the newest's)", "FILE")
    )
    register_reviewed: str = field(default="", metadata=_option("when the register was last reviewed", "DATE"))
    revisions: Path | None = field(default=None, metadata=_option("dated forecast revisions (CSV)", "FILE"))
    claims: Path | None = field(default=None, metadata=_option("the figures this edition's paper quotes (CSV)", "FILE"))
    scope: str = field(default="", metadata=_option("whose savings the figures are (default: the newest's)"))
    recommendation: str = field(default="", metadata=_option("what the paper asks the Board to do"))
    aliases: tuple[str, ...] = field(
        default=(),
        metadata=_option(
            "a sheet line label that is a register function, from this edition on (repeatable)",
            '"LABEL=FUNCTION"',
            flag="--alias",
        ),
    )


def option_of(name: str) -> str:
    """The command-line option of a `NewEdition` field: --as-of, …, --alias."""
    meta = next(f.metadata for f in fields(NewEdition) if f.name == name)
    return meta["flag"] or "--" + name.replace("_", "-")


def options() -> list[tuple[str, dict]]:
    """Each field as (option, argparse keywords): a file is a Path, --alias repeats, every default the field's."""
    found = []
    for f in fields(NewEdition):
        meta = {"dest": f.name, "required": f.metadata["required"], "metavar": f.metadata["metavar"]}
        meta["help"] = f.metadata["help"]
        if f.name == "aliases":
            meta |= {"action": "append", "default": []}
        elif "Path" in str(f.type):
            meta |= {"type": Path}
        if not f.metadata["required"] and "default" not in meta:
            meta["default"] = f.default
        found.append((option_of(f.name), meta))
    return found


def add(catalogue_path: str | Path, new: NewEdition, *, dry_run: bool = False) -> Edition:
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
    when = _past(new.as_of, "as_of")
    if any(e.as_of == when for e in catalogue.editions) or any(w == when for w, _ in catalogue.broken):
        raise ParameterError(f"{catalogue.path} already has an edition as at {new.as_of}; editions are never replaced")
    new = _carried_forward(new, catalogue.before(when))
    for name in ("title", "reference", "sheet", *editions.STATED):
        plain_text(name, getattr(new, name))
    files = _files(new)
    _check_files(catalogue, files, new.sheet)
    aliases = parse_aliases(list(new.aliases), "--alias")
    entry = {
        "as_of": when.isoformat(),
        "title": new.title.strip(),
        "document_date": _past(new.document_date, "document_date").isoformat(),
        "reference": new.reference.strip(),
        "sheet": new.sheet.strip(),
        "register_reviewed": _past(new.register_reviewed, "register_reviewed").isoformat()
        if new.register_reviewed
        else "",
        **{name: getattr(new, name).strip() for name in editions.STATED},
    }
    if dry_run:  # checked, nothing copied or written: the edition as it would be, read where its files are
        return _provisional(entry, files, aliases)
    folder = catalogue.path.parent
    folder.mkdir(parents=True, exist_ok=True)
    entry |= {name: _place(path, folder) for name, path in files.items()}  # copied only once all is checked
    _append(catalogue.path, _block(entry, aliases, {name: sha256(folder / entry[name]) for name in files}))
    return load(catalogue.path).get(when.isoformat())


def _carried_forward(new: NewEdition, earlier: list[Edition]) -> NewEdition:
    """The register (and when it was reviewed) and the revisions of the edition before, where none is given."""
    if new.register is None:
        if not earlier:
            raise ParameterError(f"no edition precedes {new.as_of}: give --register (and --register-reviewed)")
        reviewed = earlier[-1].register_reviewed
        new = replace(
            new,
            register=earlier[-1].register,
            register_reviewed=new.register_reviewed or (reviewed.isoformat() if reviewed else ""),
        )
    if new.revisions is None and earlier:
        new = replace(new, revisions=earlier[-1].revisions)
    if not new.scope and earlier:  # the figures' scope holds from one edition to the next; a recommendation never
        new = replace(new, scope=earlier[-1].scope)
    return new


def _files(new: NewEdition) -> dict[str, Path]:
    """The edition's files by field, resolved; a path the OS can't look up or a name not UTF-8 is refused."""
    given = {"savings": Path(new.savings), "register": Path(new.register)}
    given |= {"revisions": new.revisions, "claims": new.claims}
    for name, path in given.items():  # before resolve(), which raises RuntimeError on a loop of links
        if path and (why := paths.unusable(path)):
            raise ParameterError(f"{option_of(name)} {labels.clip(str(path))}: {why}")
    files = {name: Path(path).resolve() for name, path in given.items() if path}
    for name, path in files.items():
        _utf8_name(name, path)
    return files


def _block(entry: dict, aliases: tuple[str, ...], digests: dict[str, str]) -> str:
    """The catalogue table appended for the edition, with the bytes each file had when it was added (check, pack
    and verify name a file edited since); it always parses (a torn catalogue would stop every command)."""
    block = [f"\n[[{TABLE}]]"]
    block += [f"{k} = {v if k in DATE_FIELDS else toml_string(v)}" for k, v in entry.items() if v]
    block += [f"aliases = [{', '.join(toml_string(a) for a in aliases)}]"] if aliases else []
    block.append(f"sha256 = {{ {', '.join(f'{name} = {toml_string(d)}' for name, d in digests.items())} }}")
    text = "\n".join(block) + "\n"
    tomllib.loads(text)
    return text


def _append(catalogue: Path, text: str) -> None:
    with open(catalogue, "a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


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
        **{name: entry[name] for name in editions.STATED},
        **files,
    )
