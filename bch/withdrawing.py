"""`bch edition withdraw`: a wrongly added edition taken out again. Its catalogue block and the raw files no
other edition uses go, a `[[withdrawn]]` table records why (and which packs it covers), and the output folder's
`latest` and index follow; published packs are never deleted.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import tomllib
from pathlib import Path

from bch import adding
from bch.core import dates
from bch.core.digest import sha256
from bch.core.errors import InputError, ParameterError
from bch.publish import packlist
from bch.read import editions, withdrawals
from bch.read.editions import Catalogue, Edition

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_-]+)\s*\]\]?\s*(#.*)?$")


def withdraw(catalogue_path: str | Path, as_of: str, reason: str, out: Path | None = None) -> list[Path]:
    """Take the edition as at `as_of` out of the catalogue; returns the raw files deleted.

    Order matters: the output folder's lock is taken first (a `bch pack` running into it is exit 3 before
    anything changes), then the catalogue is rewritten (atomically), so a failure later leaves at worst an
    orphaned file, never an entry naming a file that is gone.
    """
    if not reason.strip():
        raise ParameterError("--reason is required: say why the edition is withdrawn (it is shown beside its packs)")
    editions.plain_text("reason", reason)
    catalogue = editions.load(catalogue_path)
    edition = _withdrawable(catalogue, as_of)
    text = catalogue.path.read_text(encoding="utf-8")
    kept = _without_block(text, as_of, catalogue.path)
    workbook = sha256(edition.savings) if edition else ""  # a broken entry's packs: every pack of that date
    packs = Path(out) if out is not None and Path(out).is_dir() else None
    if packs is not None:
        from bch.publish import packlock

        packlock.check_output_folder(packs)  # a real `latest`, an --out inside a pack: refused before anything changes
    with _locked(packs):
        published = tuple(r.path.name for r in packlist.published_packs(packs) if r.as_of == as_of) if packs else None
        today = dates.today().isoformat()  # the clock packs are dated by
        record = withdrawals.Withdrawal(as_of, today, reason.strip(), workbook, published)
        _write_atomic(catalogue.path, kept.rstrip("\n") + "\n" + _withdrawn_block(record))
        deleted = _delete_unshared(catalogue, edition) if edition else []
        if packs is not None:
            _follow_outputs(packs, withdrawals.read(catalogue.path))
    return deleted


def _locked(out: Path | None):
    """The output folder's pack lock (never while a `bch pack` publishes into it); nothing without one."""
    from contextlib import nullcontext

    from bch.publish import packlock

    return packlock.locked(out) if out is not None else nullcontext()


def _withdrawable(catalogue: Catalogue, as_of: str) -> Edition | None:
    """The catalogued edition as at `as_of`; None for an entry whose files are missing (that one can be
    withdrawn too: it is often why); a ParameterError listing the known editions for any other date."""
    if any(when.isoformat() == as_of for when, _ in catalogue.broken):
        return None
    return catalogue.get(as_of)


def _blocks(text: str) -> list[tuple[str, str]]:
    """The catalogue's text cut at each table header: (table name or '' for the preamble, its text)."""
    blocks: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines(keepends=True):
        match = _HEADER.match(line)
        if match:
            blocks.append((match[1], []))
        blocks[-1][1].append(line)
    return [(name, "".join(lines)) for name, lines in blocks]


def _without_block(text: str, key: str, path: Path) -> str:
    """The catalogue without the one `[[edition]]` block of `key`, every other byte as it was."""
    blocks = _blocks(text)
    found = [i for i, (name, body) in enumerate(blocks) if name == editions.TABLE and _as_of(body) == key]
    if len(found) != 1:
        raise InputError(f"{path}: cannot find the one [[{editions.TABLE}]] block as at {key} to remove")
    kept = "".join(body for i, (_, body) in enumerate(blocks) if i != found[0])
    _same_but(text, kept, key, path)
    return kept


def _same_but(text: str, kept: str, key: str, path: Path) -> None:
    """The rewritten catalogue holds every other entry, unchanged: a cut in the wrong place is refused."""
    before, after = tomllib.loads(text), tomllib.loads(kept)
    wanted = [e for e in before.get(editions.TABLE, []) if str(e.get("as_of")) != key]
    if after.get(editions.TABLE, []) != wanted or {k: v for k, v in before.items() if k != editions.TABLE} != {
        k: v for k, v in after.items() if k != editions.TABLE
    }:
        raise InputError(f"{path}: the edition as at {key} cannot be cut out cleanly; remove its block by hand")


def _as_of(block: str) -> str:
    try:
        entries = tomllib.loads(block).get(editions.TABLE, [])
    except tomllib.TOMLDecodeError:
        return ""
    value = entries[0].get("as_of") if entries else None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _withdrawn_block(record: withdrawals.Withdrawal) -> str:
    text = (
        f"\n[[{withdrawals.TABLE}]]\nas_of = {record.as_of}\nwithdrawn = {record.on}\n"
        f"reason = {adding.toml_string(record.reason)}\n"
        f"savings_sha256 = {adding.toml_string(record.savings_sha256)}\n"
    )
    if record.packs is not None:  # the packs it covers, so the date added again and published is not withdrawn
        text += f"packs = [{', '.join(adding.toml_string(name) for name in record.packs)}]\n"
    tomllib.loads(text)  # what is written always parses
    return text


def _write_atomic(path: Path, text: str) -> None:
    """Temp file in the same folder, fsynced, then renamed over: a reader sees the old or the new, whole."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _delete_unshared(catalogue: Catalogue, edition: Edition) -> list[Path]:
    """The withdrawn edition's files no other edition names, and only those inside the catalogue's folder."""
    folder = catalogue.path.parent.resolve()
    others = [e for e in catalogue.editions if e != edition]
    used = {getattr(e, item).resolve() for e in others for item in editions.FILE_FIELDS if getattr(e, item) is not None}
    deleted = []
    for item in editions.FILE_FIELDS:
        path = getattr(edition, item)
        if path is None or path.resolve() in used or not path.resolve().is_relative_to(folder):
            continue
        path.unlink(missing_ok=True)  # read-only (0o444) files: unlinking needs only the folder writable
        deleted.append(path)
    return deleted


def _follow_outputs(out: Path, withdrawn) -> None:
    """`latest` back to the newest pack of an edition still catalogued, and the index marking the withdrawn."""
    from bch.publish import packindex

    packlist.point_latest(out, withdrawn)
    if packlist.published_packs(out):
        packindex.rebuild(out, withdrawn)
