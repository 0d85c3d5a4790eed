"""The business-case register: forecasts per function, their status and why they varied.

I/O: reads the register (one row per business case; the shipped one transcribes §5.1 and
§6.2–§6.8 of the paper) and, optionally, a file of dated forecast revisions, into frames of exact
amounts, plus findings naming bad cells. What a run makes of the register read (aliases, the forecasts in
force, its freshness) is in `bch.read.cases`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bch.core import codes, dates, labels, money
from bch.core.findings import Finding, finding
from bch.core.schema import Schema
from bch.read import actions, csvfiles

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
# As many cases as a savings table may have function lines (bch.read.workbook.MAX_FUNCTIONS): past it, a pack's
# charts, pages and workbook would grow without bound (10,000 cases ran a pack for 18 minutes at 5 GB).
MAX_CASES = 1_000
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
        **actions.SCHEMA,
        "forecast_cell": "text",
    },
)


@dataclass(frozen=True)
class Register:
    path: Path
    cases: pd.DataFrame  # function, aliases, approved (YYYY-MM), forecast_gbp, revised_forecast_gbp, status, ...
    findings: tuple[Finding, ...]
    revisions: pd.DataFrame | None = None  # dated re-forecasts (REVISION_FIELDS), oldest first


def read_register(path: str | Path, revisions: str | Path | None = None) -> Register:
    frame, findings = csvfiles.read_known(
        path,
        COLUMNS,
        "business-case register",
        optional=actions.COLUMNS,
        cap=(MAX_CASES, "bch.read.register.MAX_CASES"),
    )
    records = []
    seen: dict[str, str] = {}  # normalised function -> its cell
    claimed: dict[str, str] = {}  # normalised sheet label -> function claiming it
    for index, row in enumerate(frame.to_dict("records")):

        def where(column: str, index=index) -> str:
            return csvfiles.ref(path, frame, index, column)

        if _new_case(row["function"], where, seen, findings):
            records.append(_case(row, where, claimed, findings))
    cases = CASES.frame(records)
    if revisions is None:
        return Register(Path(path), cases, tuple(findings))
    dated, revision_findings = read_revisions(revisions, set(seen))
    return Register(Path(path), cases, tuple(findings + revision_findings), dated)


def _new_case(name: str, where, seen: dict[str, str], findings: list[Finding]) -> bool:
    """Whether the row names a function no row above named (else a finding: the row is not read)."""
    if not name:
        findings.append(finding(codes.REGISTER_NO_FUNCTION, where("function"), "a register row names no function"))
        return False
    key = labels.normalise(name)
    if key in seen:
        findings.append(
            finding(
                codes.DUPLICATE_CASE, where("function"), f"{name!r} is in the register twice (first at {seen[key]})"
            )
        )
        return False
    seen[key] = where("function")
    return True


def _case(row: dict, where, claimed: dict[str, str], findings: list[Finding]) -> dict:
    """One business case's record, with a finding for each of its cells that can't be read."""
    name = row["function"]
    aliases = _sheet_labels(row, name, where, claimed, findings)
    approved = _approved(row, where, findings)
    forecast = _amount(row, "forecast", where, findings)
    revised = _amount(row, "revised_forecast", where, findings)
    status = _status(row, where, findings)
    causes = _causes(row, where, findings)
    return {
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
        **actions.read(row, where, findings),
        "forecast_cell": where("forecast"),
    }


def _sheet_labels(row: dict, name: str, where, claimed: dict[str, str], findings: list[Finding]) -> list[str]:
    """The sheet labels the case claims; a finding for one another case claimed first."""
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
    return aliases


def _approved(row: dict, where, findings: list[Finding]) -> str | None:
    """The approval month as YYYY-MM; None (and a finding, if one is written) when it is not a month."""
    if not row["approved"]:
        return None
    approved = dates.parse_month(row["approved"])
    if approved is None:
        findings.append(
            finding(
                codes.BAD_MONTH,
                where("approved"),
                f"approval month {row['approved']!r} is not a month like 'Feb 2015'",
            )
        )
    return approved


def _status(row: dict, where, findings: list[Finding]) -> str:
    status = row["status"].casefold()
    if status not in STATUSES:
        findings.append(
            finding(
                codes.UNKNOWN_STATUS,
                where("status"),
                f"status {row['status']!r} is not one of: {', '.join(STATUSES)}",
            )
        )
    return status


def _causes(row: dict, where, findings: list[Finding]) -> list[str]:
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
    return causes


def read_revisions(path: str | Path, known: set[str]) -> tuple[pd.DataFrame, list[Finding]]:
    """Dated re-forecasts: one row per revision (a case may be re-forecast many times)."""
    frame, findings = csvfiles.read_known(path, REVISION_COLUMNS, "forecast revisions")
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
                stated=pounds,
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
