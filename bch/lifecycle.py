"""An edition's life in the catalogue: previewed before it is added, withdrawn when added by mistake.

`preview` runs the whole analysis without a kernel (`bch.analyse.pipeline`) on an edition not yet catalogued,
its files read where they are, so the user sees the findings, proposed matches and quoted-figure check
the Board would see before anything is frozen in data/raw. `withdraw` takes a wrong edition out again:
its block and the raw files no other edition uses go, a `[[withdrawn]]` table records why, and the
output folder's `latest` and index follow (published packs are never deleted).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import tomllib
from pathlib import Path

from bch import adding
from bch.core import dates, labels
from bch.core.digest import sha256
from bch.core.errors import DataError, InputError, ParameterError
from bch.publish import packlist
from bch.read import editions, withdrawals
from bch.read.editions import Catalogue, Edition, Inputs

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_-]+)\s*\]\]?\s*(#.*)?$")


# -- preview ------------------------------------------------------------------------------------


def preview(catalogue: Catalogue, edition: Edition):
    """`bch.analyse.pipeline.Analysis` of `edition` (from `adding.add(..., dry_run=True)`) as if catalogued."""
    from bch.analyse import pipeline

    check_aliases(edition)
    pool = tuple(sorted((*catalogue.editions, edition), key=lambda e: e.as_of))
    provisional = Catalogue(catalogue.path, pool, catalogue.broken)
    claims, claims_edition = editions.default_claims(provisional, edition)
    inputs = Inputs(
        savings=edition.savings,
        forecasts=edition.register,
        claims=claims,
        revisions=edition.revisions,
        sheet=edition.sheet,
        as_of=edition.as_of,
        edition=edition,
        claims_edition=claims_edition,
        register_reviewed=edition.register_reviewed,
        register_reviewed_where=edition.where("register_reviewed"),
        catalogue=provisional,
    )
    return pipeline.analyse(inputs=inputs)


_NOT_INPUTS = (editions.CATALOGUE_NAME, "README.md")


def arrival_warnings(catalogue: Catalogue, edition: Edition) -> list[str]:
    """What is odd about the new edition's place among the others, which no finding of its own figures shows:
    an as-of before the newest edition's, a paper dated before its figures, and files in the catalogue's
    folder that no edition names (an edition block deleted by hand leaves them behind)."""
    found = []
    newest = catalogue.editions[-1] if catalogue.editions else None
    if newest is not None and edition.as_of < newest.as_of:
        found.append(
            f"as at {edition.key}, before the newest edition ({newest.key}): it goes between editions, and "
            f"latest stays on {newest.key}'s packs"
        )
    if edition.document_date < edition.as_of:
        found.append(
            f"the paper is dated {edition.document_date.isoformat()}, before the figures' as-of date {edition.key}"
        )
    folder = catalogue.path.parent
    named = {path.resolve() for e in (*catalogue.editions, edition) for path in _files_of(e)}
    orphans = sorted(
        p.name
        for p in (folder.iterdir() if folder.is_dir() else ())
        if p.is_file() and not p.name.startswith(".") and p.name not in _NOT_INPUTS and p.resolve() not in named
    )
    found += [
        f"{labels.neutralise(name)} in {folder} is named by no edition (a block deleted by hand?)" for name in orphans
    ]
    return found


def _files_of(edition: Edition) -> list[Path]:
    return [path for item in editions.FILE_FIELDS if (path := getattr(edition, item)) is not None]


def check_aliases(edition: Edition) -> None:
    """Each --alias names a business case of the edition's register: a typo is refused, never ignored."""
    from bch.read import register

    if not edition.aliases:
        return
    cases = register.read_register(edition.register, edition.revisions).cases
    known = {labels.normalise(name) for name in cases["function"]}
    owners = {
        labels.normalise(a): name
        for name, names in zip(cases["function"], cases["aliases"], strict=True)
        for a in (*names, name)
    }
    for alias in edition.aliases:
        label, function = editions.alias_parts(alias)
        owner = owners.get(labels.normalise(label))
        if owner is not None and labels.normalise(owner) != labels.normalise(function):
            raise ParameterError(
                f"--alias {alias!r}: {label!r} is already the business case {owner!r} (its name or sheet label); "
                "an alias joins a sheet line to a case that has none"
            )
        if labels.normalise(function) not in known:
            names = ", ".join(repr(name) for name in cases["function"])
            raise ParameterError(
                f"--alias {alias!r}: {function!r} is not a business case of {edition.register.name}; its cases: {names}"
            )


def changes_since(catalogue: Catalogue, edition: Edition, analysis) -> tuple[str, list[dict]]:
    """What moved since the edition before it, as the next pack's changes section will list it:
    (that edition's key, `bch.analyse.changes` records); ('', []) for a first edition."""
    from bch.analyse import changes, pipeline, tables
    from bch.core.errors import BchError

    earlier = catalogue.before(edition.as_of)
    if not earlier:
        return "", []
    try:
        before = pipeline.analyse(inputs=editions.resolve(catalogue.path, earlier[-1].key))
    except BchError as exc:  # an earlier edition that can't be read: the preview says so, the add goes on
        return earlier[-1].key, [{"kind": "not compared", "item": str(exc), "before": None, "after": None}]

    def as_text(result):
        return {key: tables.as_text(frame) for key, frame in tables.pack_tables(result).items()}

    return earlier[-1].key, changes.compare(as_text(before), as_text(analysis))


def summary(analysis, since: tuple[str, list[dict]] = ("", [])) -> list[str]:
    """What the Board would see, in a few lines: findings (errors first), proposals, quoted figures,
    and the changes since the edition before it."""
    from bch.core.findings import count_by_severity
    from bch.core.money import format_gbp_k

    edition = analysis.inputs.edition
    counts = count_by_severity(analysis.findings)
    lines = [f"preview of the edition as at {edition.key} ({edition.savings.name}):"]
    lines.append(f"  findings: {counts['error']} error(s), {counts['warning']} warning(s)")
    ordered = sorted(analysis.findings, key=lambda f: f.severity != "error")
    lines += [f"    {labels.neutralise(str(f))}" for f in ordered if f.severity in ("error", "warning")]
    if analysis.sheet.usable:
        totals = analysis.totals
        lines.append(
            f"  headlines: recurrent {format_gbp_k(totals.get('recurrent_gbp'))} a year, cumulative "
            f"{format_gbp_k(totals.get('cumulative_to_date_gbp'))}"
        )
    lines.append(f"  {_claims_line(analysis)}")
    return lines + _changes_lines(*since)


_CHANGES_SHOWN = 12  # the rest are in the pack; a preview should fit on a screen


def _changes_lines(key: str, found: list[dict]) -> list[str]:
    from bch.core.money import format_gbp_k

    if not key:
        return []
    lines = [f"  changes since the edition as at {key}: {len(found) or 'none'}"]

    def shown(value, money: bool) -> str:
        if value is None:
            return "–"
        return format_gbp_k(int(value)) if money and str(value).lstrip("-").isdigit() else str(value)

    for change in found[:_CHANGES_SHOWN]:
        moved = f" ({shown(change['before'], change.get('money'))} → {shown(change['after'], change.get('money'))})"
        lines.append(labels.neutralise(f"    {change['kind']}: {change['item']}{moved}"))
    if len(found) > _CHANGES_SHOWN:
        lines.append(f"    … and {len(found) - _CHANGES_SHOWN} more")
    return lines


def _claims_line(analysis) -> str:
    quoted = analysis.claims
    if not len(quoted):
        return "quoted figures: none given (--claims)"
    if not analysis.inputs.claims_checked:
        return f"quoted figures: {len(quoted)}, of an earlier paper (shown for information, not checked)"
    wrong = int((~quoted["ok"].astype(bool)).sum())
    return f"quoted figures: {len(quoted)} checked, {wrong} differ from the workbook"


def refuse_errors(analysis) -> None:
    """Error findings stop an add (one line naming the first, as `bch check` prints it)."""
    errors = [f for f in analysis.findings if f.severity == "error"]
    if errors:
        first = labels.neutralise(str(errors[0]))
        raise DataError(
            f"the edition as at {analysis.inputs.edition.key} has {len(errors)} error finding(s), the first: {first}; "
            "nothing added (add it anyway with --accept-errors)"
        )


# -- withdraw -------------------------------------------------------------------------------------


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
