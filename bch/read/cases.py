"""The business-case register as a run uses it: with the catalogue's aliases added (`with_aliases`), the
forecasts in force at the as-of date (`in_force`), and a warning when it was reviewed long before the
figures (`freshness`).

Pure: the register is read in `bch.read.register`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from bch.core import codes, labels
from bch.core.findings import Finding, finding
from bch.read.register import Register

STALE_AFTER_DAYS = 183  # a register reviewed more than about six months before the figures is flagged


def with_aliases(register: Register, aliases: list[tuple[str, str, str]]) -> Register:
    """The register with catalogued (label, function, where) aliases added to its cases' sheet labels.

    Aliases live in the catalogue (`bch edition add --alias`), so a frozen register is never edited to
    accept a renamed line. One naming no case here (a later register renamed the function) is a warning
    naming the catalogue entry, never silently dropped.
    """
    if not aliases or register.cases.empty:
        return register
    cases, found = register.cases.copy(), list(register.findings)
    by_name = {labels.normalise(name): index for index, name in enumerate(cases["function"])}
    claimed = {labels.normalise(a): i for i, names in enumerate(cases["aliases"]) for a in names} | by_name
    for label, function, where in aliases:
        shown, named = labels.clip(label, 60), labels.clip(function, 60)  # as a hand-edited catalogue wrote them
        index = by_name.get(labels.normalise(function))
        owner = claimed.get(labels.normalise(label))
        if index is not None and owner is not None and owner != index:
            found.append(
                finding(
                    codes.LABEL_CLAIMED_TWICE,
                    where,
                    f"alias {shown!r} would join {named!r}, but {shown!r} is already the business case "
                    f"{cases.at[owner, 'function']!r} (its name or sheet label); the alias is not applied",
                )
            )
        elif index is None:
            found.append(
                finding(
                    codes.ALIAS_UNKNOWN_CASE,
                    where,
                    f"alias {shown!r} names {named!r}, which is not a business case in {register.path.name}; "
                    "the alias is not applied",
                )
            )
        elif label not in cases.at[index, "aliases"]:
            cases.at[index, "aliases"] = (*cases.at[index, "aliases"], label)
    return dataclasses.replace(register, cases=cases, findings=tuple(found))


def in_force(register: Register, as_of: dt.date | None) -> pd.DataFrame:
    """The cases with the latest forecast in force at `as_of` as their revised forecast.

    The register's own `revised_forecast` is undated: it stands until a dated revision takes effect.
    Revisions dated after `as_of` are not in force yet (all are, when no as-of date is stated).
    Adds revised_on (ISO date or ''), revision_reason, revision_source (the authority: the revision's source,
    or the register row's for its undated revision) and revisions (how many re-forecasts are in force).
    """
    cases = register.cases.copy()
    undated = [pd.notna(r) for r in cases.get("revised_forecast_gbp", [])]
    cases["revised_on"] = ""
    cases["revision_reason"] = [c if r else "" for c, r in zip(cases.get("commentary", []), undated, strict=True)]
    cases["revision_source"] = [s if r else "" for s, r in zip(cases.get("source", []), undated, strict=True)]
    cases["revisions"] = [int(r) for r in undated]
    if register.revisions is None or cases.empty:
        return cases
    dated = register.revisions
    if as_of is not None:
        dated = dated[dated["effective"] <= as_of]
    by_case = {labels.normalise(name): index for index, name in enumerate(cases["function"])}
    for revision in dated.to_dict("records"):
        index = by_case[labels.normalise(revision["function"])]
        cases.loc[index, "revised_forecast_gbp"] = revision["forecast_gbp"]
        cases.loc[index, "revised_on"] = revision["effective"].isoformat()
        cases.loc[index, "revision_reason"] = revision["reason"]
        cases.loc[index, "revision_source"] = revision["source"]
        cases.loc[index, "revisions"] += 1
    return cases


def freshness(inputs) -> list[Finding]:
    """A warning when the register was reviewed long before the figures it explains."""
    reviewed, as_of = inputs.register_reviewed, inputs.as_of
    if reviewed is None or as_of is None:
        return []
    if reviewed > as_of:
        return [
            finding(
                codes.REGISTER_AFTER_AS_OF,
                inputs.register_reviewed_where,
                f"the business-case register was reviewed on {reviewed.isoformat()}, after these figures "
                f"(as at {as_of.isoformat()}): its statuses and commentary describe a later time",
            )
        ]
    if (as_of - reviewed).days <= STALE_AFTER_DAYS:
        return []
    return [
        finding(
            codes.REGISTER_STALE,
            inputs.register_reviewed_where,
            f"the business-case register was last reviewed on {reviewed.isoformat()}, "
            f"{(as_of - reviewed).days} days before these figures (as at {as_of.isoformat()}): "
            "its statuses and commentary may be out of date",
        )
    ]
