"""The business-case register: forecasts per function, their status and why they varied.

I/O: reads the register (one row per business case; the shipped one transcribes §5.1 and
§6.2–§6.8 of the paper) and, optionally, a file of dated forecast revisions, into frames of exact
amounts, plus findings naming bad cells. `in_force` and `freshness` are pure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bch.core import codes, labels, money
from bch.core.findings import Finding, finding
from bch.core.schema import Schema
from bch.read import csvfiles

COLUMNS = [
    "function",
    "sheet_labels",
    "approved",
    "forecast",
    "revised_forecast",
    "status",
    "variance_causes",
    "dependency",
    "commentary",
    "source",
]
# The one declaration of the statuses a register may state: `bch check`, `bch edition add` and packs all
# read the register through `read_register`, so a status is accepted or refused by every command alike.
# "ended": the function no longer runs; the savings it delivered still count (reconciled as implemented).
ENDED = "ended"
STATUSES = ("implemented", "partly implemented", "not implemented", "no savings yet", "no business case", ENDED)
CAUSES = ("scope change", "dependency delay", "demand change", "consultation outcome", "regulation/accommodation")
_MONTH_FORMATS = ("%b %Y", "%B %Y", "%b %y", "%B %y", "%Y-%m")
REVISION_COLUMNS = ["function", "effective", "forecast", "reason", "source"]
REVISIONS = Schema(
    "forecast revisions",
    {
        "function": "text",
        "effective": "any",
        "forecast_gbp": "money",
        "reason": "text",
        "source": "text",
        "cell": "text",
    },
)
REVISION_FIELDS = REVISIONS.names
CASES = Schema(
    "business cases",
    {
        "function": "text",
        "aliases": "any",
        "approved": "text",
        "forecast_gbp": "money",
        "revised_forecast_gbp": "money",
        "status": "text",
        "variance_causes": "text",
        "dependency": "text",
        "commentary": "text",
        "source": "text",
        "register_cell": "text",
        "labels_cell": "text",
    },
)
STALE_AFTER_DAYS = 183  # a register reviewed more than about six months before the figures is flagged


@dataclass(frozen=True)
class Register:
    path: Path
    cases: pd.DataFrame  # function, aliases, approved (YYYY-MM), forecast_gbp, revised_forecast_gbp, status, ...
    findings: tuple[Finding, ...]
    revisions: pd.DataFrame | None = None  # dated re-forecasts (REVISION_FIELDS), oldest first


def parse_month(text: str) -> str | None:
    """'Feb 2015', 'May 16', 'October 2015', '2015-10' -> '2015-02' etc.; None if not a month."""
    for fmt in _MONTH_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y-%m")
        except ValueError:
            continue
    return None


def read_register(path: str | Path, revisions: str | Path | None = None) -> Register:
    frame, findings = csvfiles.neutralise_frame(
        csvfiles.read_text_table(path, COLUMNS, "business-case register"), path, "business-case register"
    )
    records = []
    seen: dict[str, str] = {}
    claimed: dict[str, str] = {}  # normalised sheet label -> function claiming it
    for index, row in enumerate(frame.to_dict("records")):

        def where(column: str, index=index) -> str:
            return csvfiles.ref(path, frame, index, column)

        name = row["function"]
        if not name:
            findings.append(finding(codes.REGISTER_NO_FUNCTION, where("function"), "a register row names no function"))
            continue
        key = labels.normalise(name)
        if key in seen:
            findings.append(
                finding(
                    codes.DUPLICATE_CASE, where("function"), f"{name!r} is in the register twice (first at {seen[key]})"
                )
            )
            continue
        seen[key] = where("function")
        aliases = [a.strip() for a in row["sheet_labels"].split(";") if a.strip()]
        for alias in aliases:
            other = claimed.setdefault(labels.normalise(alias), name)
            if other != name:
                findings.append(
                    finding(
                        codes.LABEL_CLAIMED_TWICE,
                        where("sheet_labels"),
                        f"sheet label {alias!r} is claimed by both {other!r} and {name!r}",
                    )
                )
        approved = None
        if row["approved"]:
            approved = parse_month(row["approved"])
            if approved is None:
                findings.append(
                    finding(
                        codes.BAD_MONTH,
                        where("approved"),
                        f"approval month {row['approved']!r} is not a month like 'Feb 2015'",
                    )
                )
        forecast = _amount(row, "forecast", where, findings)
        revised = _amount(row, "revised_forecast", where, findings)
        status = row["status"].casefold()
        if status not in STATUSES:
            findings.append(
                finding(
                    codes.UNKNOWN_STATUS,
                    where("status"),
                    f"status {row['status']!r} is not one of: {', '.join(STATUSES)}",
                )
            )
        causes = [c.strip().casefold() for c in row["variance_causes"].split(";") if c.strip()]
        for cause in causes:
            if cause not in CAUSES:
                findings.append(
                    finding(
                        codes.UNKNOWN_CAUSE,
                        where("variance_causes"),
                        f"cause {cause!r} is not one of: {', '.join(CAUSES)}",
                    )
                )
        records.append(
            {
                "function": name,
                "aliases": tuple(aliases),
                "approved": approved,
                "forecast_gbp": forecast,
                "revised_forecast_gbp": revised,
                "status": status,
                "variance_causes": "; ".join(causes),
                "dependency": row["dependency"],
                "commentary": row["commentary"],
                "source": row["source"],
                "register_cell": where("function"),
                "labels_cell": where("sheet_labels"),
            }
        )
    cases = CASES.frame(records)
    if revisions is None:
        return Register(Path(path), cases, tuple(findings))
    dated, revision_findings = read_revisions(revisions, set(seen))
    return Register(Path(path), cases, tuple(findings + revision_findings), dated)


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


def read_revisions(path: str | Path, known: set[str]) -> tuple[pd.DataFrame, list[Finding]]:
    """Dated re-forecasts: one row per revision (a case may be re-forecast many times)."""
    frame, findings = csvfiles.neutralise_frame(
        csvfiles.read_text_table(path, REVISION_COLUMNS, "forecast revisions"), path, "forecast revisions"
    )
    records = []
    for index, row in enumerate(frame.to_dict("records")):

        def where(column: str, index=index) -> str:
            return csvfiles.ref(path, frame, index, column)

        if labels.normalise(row["function"]) not in known:
            findings.append(
                finding(
                    codes.REVISION_UNKNOWN_CASE, where("function"), f"{row['function']!r} is not a case in the register"
                )
            )
            continue
        effective = _effective(row["effective"])
        if effective is None:
            findings.append(
                finding(
                    codes.BAD_DATE,
                    where("effective"),
                    f"revision date {row['effective']!r} is not a date like 2019-01-31 or a month like 2019-01",
                )
            )
            continue
        forecast = _amount(row, "forecast", where, findings)
        if forecast is None:
            if not row["forecast"]:
                findings.append(finding(codes.BAD_AMOUNT, where("forecast"), "a revision states no forecast"))
            continue
        if not row["reason"]:
            findings.append(finding(codes.REVISION_NO_REASON, where("reason"), "a revision should say why it was made"))
        records.append(
            {
                "function": row["function"],
                "effective": effective,
                "forecast_gbp": forecast,
                "reason": row["reason"],
                "source": row["source"],
                "cell": where("forecast"),
            }
        )
    revisions = REVISIONS.frame(records).sort_values("effective", kind="stable")
    return revisions.reset_index(drop=True), findings


def _effective(text: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


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


def _amount(row: pd.Series, column: str, where, findings: list[Finding]) -> int | None:
    written = row[column]
    if not written:
        return None
    try:
        pounds = money.parse_amount(written, 1).pounds
    except money.MoneyError as exc:
        findings.append(finding(codes.BAD_AMOUNT, where(column), f"{column.replace('_', ' ')}: {exc}"))
        return None
    if pounds < 0:
        findings.append(
            finding(
                codes.NEGATIVE_FORECAST,
                where(column),
                f"{column.replace('_', ' ')} {written!r} is negative; a forecast saving is positive",
            )
        )
        return None
    if pounds == 0:  # a case forecast to save nothing is a slip or a placeholder; delivered against it means nothing
        findings.append(
            finding(
                codes.ZERO_FORECAST,
                where(column),
                f"{column.replace('_', ' ')} {written!r} is zero; a forecast saving is positive, so no delivery % "
                "nor RAG can be shown for it",
            )
        )
    return pounds
