"""Editions of the inputs, described as data: the catalogue `data/raw/editions.toml`.

Each edition is one set of figures the Board saw: its as-of date, the paper it came from, the
savings workbook, the business-case register (and when that was last reviewed), forecast
revisions and the paper's quoted figures (both optional). Paths in the catalogue are relative to
its folder. Nothing in the package names an edition: every date a pack states comes from here or
from an explicit option.

I/O only: reading the catalogue and checking each entry; what a run reads is resolved from it in
`bch.read.inputs`.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bch import paths
from bch.core import dates, labels
from bch.core.digest import sha256
from bch.core.errors import InputError, ParameterError

CATALOGUE_NAME = "editions.toml"
TABLE = "edition"
REQUIRED = ("as_of", "title", "document_date", "savings", "register")
STATED = ("scope", "recommendation")  # what page 1 of a pack states from the paper: whose savings, what is asked
OPTIONAL = ("reference", "sheet", "register_reviewed", "revisions", "claims", "aliases", "sha256", *STATED)
FILE_FIELDS = ("savings", "register", "revisions", "claims")
DATE_FIELDS = ("as_of", "document_date", "register_reviewed")
# One edition a year: a catalogue never reaches this. Past it the catalogue is refused in one line, as the trend
# analyses every edition (500 took minutes and over a gigabyte).
MAX_EDITIONS = 200


@dataclass(frozen=True)
class Edition:
    as_of: dt.date
    title: str
    document_date: dt.date
    savings: Path
    register: Path
    reference: str = ""
    sheet: str | None = None
    register_reviewed: dt.date | None = None
    revisions: Path | None = None
    claims: Path | None = None
    aliases: tuple[str, ...] = ()  # "sheet label=register function", in force from this edition on
    sha256: tuple[tuple[str, str], ...] = ()  # (file field, digest) recorded when the edition was added
    scope: str = ""  # whose savings the figures are ("Cambridgeshire's share"), as the paper states it
    recommendation: str = ""  # what the paper asks the Board to do; none: to note the report

    @property
    def key(self) -> str:
        return self.as_of.isoformat()

    def where(self, item: str) -> str:
        """The catalogue entry's field, named as a finding's cell: editions.toml[2019-07-18].claims."""
        return f"{CATALOGUE_NAME}[{self.key}].{item}"

    def provenance(self) -> str:
        """One line naming the source document, for covers and chart captions."""
        date = long_date(self.document_date)
        text = f"{self.title}, {date}" + (f" ({self.reference})" if self.reference else "")
        return labels.neutralise(text)  # a hand-edited catalogue is input too: never a raw bidi control


@dataclass(frozen=True)
class Catalogue:
    path: Path
    editions: tuple[Edition, ...] = ()  # oldest first
    broken: tuple[tuple[dt.date, str], ...] = ()  # (as_of, why) of entries whose files are missing

    def newest(self) -> Edition | None:
        """The newest edition; an error if the newest entry can't be used (never an older one instead)."""
        newest = self.editions[-1] if self.editions else None
        for as_of, why in self.broken:
            if newest is None or as_of > newest.as_of:
                raise InputError(why)
        return newest

    def get(self, as_of: str) -> Edition:
        for when, why in self.broken:
            if when.isoformat() == as_of:
                raise InputError(why)
        for edition in self.editions:
            if edition.key == as_of:
                return edition
        known = ", ".join(e.key for e in self.editions) or "none"
        raise ParameterError(f"no edition as at {as_of!r} in {self.path}; its editions are: {known}")

    def owning(self, item: str, path: Path, prefer: Edition | None = None) -> Edition | None:
        """The edition whose `item` (savings, claims, …) is this file, by path or else by content.

        Editions share files (a register carried forward): `prefer`, the edition being run, owns a file
        it names, so a run states the same owner whether the path came from the catalogue or was given
        (as every notebook of a pack is given it); otherwise the newest edition naming it.
        """
        path = Path(path).resolve()
        ordered = ([prefer] if prefer is not None else []) + list(reversed(self.editions))
        for edition in ordered:
            if getattr(edition, item) is not None and getattr(edition, item).resolve() == path:
                return edition
        digest = sha256(path) if path.is_file() else None
        for edition in ordered:
            mine = getattr(edition, item)
            if digest and mine is not None and mine.is_file() and sha256(mine) == digest:
                return edition
        return None

    def before(self, as_of: dt.date) -> list[Edition]:
        return [e for e in self.editions if e.as_of < as_of]

    def altered(self, files: list[Path], first: list[Edition] = ()) -> list[tuple[str, str, str]]:
        """(catalogue field, file name, why) for each of `files` whose bytes differ from those recorded when an
        edition added it; a file editions share is named once, by the first of `first` (then the newest)."""
        wanted = {Path(f).resolve() for f in files}
        found, seen = [], set()
        for edition in [*first, *reversed(self.editions)]:
            for item, recorded in edition.sha256:
                path = getattr(edition, item)
                if path is None or path.resolve() not in wanted or path.resolve() in seen:
                    continue
                seen.add(path.resolve())
                now = sha256(path) if path.is_file() else None
                if now != recorded:
                    why = (
                        "is gone"
                        if now is None
                        else f"has changed since it was catalogued (SHA-256 {now[:12]}…, recorded {recorded[:12]}…)"
                    )
                    found.append((edition.where(item), path.name, why))
        return found


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"{where} must be a date like 2019-07-18, not {value!r}")


def _no_date_after_today(values: dict, where: str) -> None:
    """A catalogued date past today (the UTC clock packs are dated by) is a hand edit: figures, a paper or a review
    can't be dated at a day not yet reached, and every run would state it on the Board's cover."""
    today = dates.today()
    for name in DATE_FIELDS:
        if name in values and values[name] > today:
            raise InputError(
                f"{where}: {name} {values[name].isoformat()} is after today ({today.isoformat()}, UTC); "
                "a catalogued date can't be one not yet reached: correct the catalogue"
            )


def load(path: str | Path | None = None) -> Catalogue:
    """The catalogue at `path` (default: the project's; an absent file is an empty catalogue); InputError naming
    a bad entry."""
    path = path or paths.CATALOGUE
    if why := paths.unusable(path):  # before resolve(), which raises RuntimeError on a loop of links
        raise InputError(f"editions catalogue {labels.clip(str(path))}: {why}")
    path = Path(path).resolve()
    if not path.exists():
        return Catalogue(path)
    if not path.is_file():
        raise InputError(f"editions catalogue {path} is not a file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"editions catalogue {path} is not valid TOML ({str(exc).splitlines()[0]})") from None
    except OSError as exc:  # no permission, a disk error
        raise InputError(f"editions catalogue {path} can't be read ({exc.strerror or type(exc).__name__})") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively: a hand edit can nest thousands
        raise InputError(f"editions catalogue {path} is not valid TOML (nested too deeply)") from None
    entries = data.get(TABLE, [])
    if not isinstance(entries, list):
        raise InputError(f"editions catalogue {path}: [[{TABLE}]] must be a list of tables")
    if len(entries) > MAX_EDITIONS:
        raise InputError(
            f"editions catalogue {path} lists {len(entries):,} editions; a catalogue of more than {MAX_EDITIONS:,} "
            "is not read (bch.read.editions.MAX_EDITIONS)"
        )
    editions, broken = [], []
    for index, entry in enumerate(entries, start=1):
        try:
            editions.append(_edition(entry, index, path))
        except MissingFile as missing:  # that edition can't be read; the others still can
            broken.append((missing.as_of, str(missing)))
    seen: set[dt.date] = set()
    for when in [e.as_of for e in editions] + [when for when, _ in broken]:
        if when in seen:
            raise InputError(f"editions catalogue {path} lists the edition as at {when.isoformat()} twice")
        seen.add(when)
    return Catalogue(path, tuple(sorted(editions, key=lambda e: e.as_of)), tuple(broken))


class MissingFile(InputError):
    """A catalogued edition names a file that is not there."""

    def __init__(self, message: str, as_of: dt.date):
        super().__init__(message)
        self.as_of = as_of


def _edition(entry: dict, index: int, path: Path) -> Edition:
    where = f"{path.name}, edition {index}"
    if not isinstance(entry, dict):
        raise InputError(f"{where} is not a table")
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise InputError(f"{where} has unknown field(s) {', '.join(unknown)}; known: {', '.join(REQUIRED + OPTIONAL)}")
    missing = [name for name in REQUIRED if name not in entry]
    if missing:
        raise InputError(f"{where} lacks {', '.join(missing)}")
    values: dict = {}
    for name, value in entry.items():
        if name in DATE_FIELDS:
            values[name] = _date(value, f"{where}: {name}")
        elif name == "sha256":
            values[name] = _digests(value, f"{where}: sha256")
        elif name == "aliases":
            values[name] = parse_aliases(value, f"{where}: aliases")
        elif not isinstance(value, str):
            raise InputError(f"{where}: {name} must be text, not {value!r}")
        elif name in FILE_FIELDS:
            values[name] = _catalogued_file(value, path.parent, f"{where}: {name}")
        else:
            values[name] = value.strip()
    _no_date_after_today(values, where)
    for name in FILE_FIELDS:
        if name in values and not values[name].is_file():
            why = f"{where} (as at {values['as_of']}): {name} file {values[name]} does not exist"
            raise MissingFile(why, values["as_of"])
    return Edition(**values)


def _catalogued_file(value: str, folder: Path, where: str) -> Path:
    """The file a catalogue field names, which lives in the catalogue's folder: `bch edition add` copies every
    file there, so a path leading elsewhere (absolute, `..`, a link out) is a hand edit a pack must not follow."""
    if "\0" in value:  # no file name holds NUL; os calls would raise ValueError
        raise InputError(f"{where} {labels.clip(value)!r} holds a NUL character, which no file name can")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \uD800 escape
        raise InputError(f"{where} {labels.clip(value)!r} is not valid UTF-8") from None
    if why := paths.unusable(folder / value):  # before resolve(), which raises RuntimeError on a loop of links
        raise InputError(f"{where} {labels.clip(value)!r}: {why}")
    file = (folder / value).resolve()
    if Path(value).is_absolute() or folder.resolve() not in file.parents:
        raise InputError(
            f"{where} {labels.clip(value)!r} leads out of the catalogue's folder {folder}; "
            "a catalogued file is named by its file name there"
        )
    return file


def _digests(value, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise InputError(f"{where} must be a table of file field = digest, not {value!r:.60}")
    for item, digest in value.items():
        if item not in FILE_FIELDS:
            raise InputError(f"{where} names {item!r:.40}, not one of {', '.join(FILE_FIELDS)}")
        if not isinstance(digest, str) or len(digest) != 64 or set(digest) - set("0123456789abcdef"):
            raise InputError(f"{where}.{item} must be 64 lower-case hex digits, not {digest!r:.80}")
    return tuple(sorted(value.items()))


def alias_parts(alias: str) -> tuple[str, str]:
    """'HR=Human Resources' -> ('HR', 'Human Resources'): a sheet label, then the register function it is."""
    label, _, function = alias.partition("=")
    return label.strip(), function.strip()


def parse_aliases(value, where: str) -> tuple[str, ...]:
    """A list of 'sheet label=register function' texts, each with both sides named."""
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        raise InputError(f'{where} must be a list of texts like "HR=Human Resources", not {value!r}')
    for alias in value:
        label, function = alias_parts(alias)
        if "=" not in alias or not label or not function:
            raise ParameterError(f'{where} {alias!r} is not like "HR=Human Resources" (sheet label=function)')
        plain_text("alias", alias)
    return tuple(a.strip() for a in value)


def plain_text(name: str, text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParameterError(f"--{name} is not valid UTF-8 text") from None
    if found := labels.hostile_characters(text):
        raise ParameterError(f"--{name} holds {', '.join(found)}: control, bidi and zero-width characters are refused")
