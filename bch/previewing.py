"""`bch edition add`'s preview: the whole analysis without a kernel (`bch.analyse.pipeline`) on an edition not
yet catalogued, its files read where they are, so the user sees the findings, proposed matches, the quoted-figure
check and the changes since the edition before, as the Board would, before anything is frozen in data/raw.
"""

from __future__ import annotations

from pathlib import Path

from bch.core import labels
from bch.core.errors import DataError, ParameterError
from bch.read import editions
from bch.read.editions import Catalogue, Edition
from bch.read.inputs import Inputs, default_claims, resolve


def preview(catalogue: Catalogue, edition: Edition):
    """`bch.analyse.pipeline.Analysis` of `edition` (from `adding.add(..., dry_run=True)`) as if catalogued."""
    from bch.analyse import pipeline

    check_aliases(edition)
    pool = tuple(sorted((*catalogue.editions, edition), key=lambda e: e.as_of))
    provisional = Catalogue(catalogue.path, pool, catalogue.broken)
    claims, claims_edition = default_claims(provisional, edition)
    inputs = Inputs(
        savings=edition.savings,
        register=edition.register,
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
        before = pipeline.analyse(inputs=resolve(catalogue.path, earlier[-1].key))
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
