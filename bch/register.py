"""The business-case register: forecasts per function, their status and why they varied.

I/O: reads data/raw/business-cases.csv (one row per business case, transcribed from §5.1 and
§6.2–§6.8 of the paper) into a frame of exact amounts, plus findings naming bad cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bch import csvfiles, labels, money, paths
from bch.findings import Finding, error, warning

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
STATUSES = ("implemented", "partly implemented", "not implemented", "no savings yet", "no business case")
CAUSES = ("scope change", "dependency delay", "demand change", "consultation outcome", "regulation/accommodation")
_MONTH_FORMATS = ("%b %Y", "%B %Y", "%b %y", "%B %y", "%Y-%m")


@dataclass(frozen=True)
class Register:
    path: Path
    cases: pd.DataFrame  # function, aliases, approved (YYYY-MM), forecast_gbp, revised_forecast_gbp, status, ...
    findings: tuple[Finding, ...]


def parse_month(text: str) -> str | None:
    """'Feb 2015', 'May 16', 'October 2015', '2015-10' -> '2015-02' etc.; None if not a month."""
    for fmt in _MONTH_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y-%m")
        except ValueError:
            continue
    return None


def read_register(path: str | Path = paths.BUSINESS_CASES) -> Register:
    frame = csvfiles.read_text_table(path, COLUMNS, "business-case register")
    findings: list[Finding] = []
    records = []
    seen: dict[str, str] = {}
    claimed: dict[str, str] = {}  # normalised sheet label -> function claiming it
    for index, row in enumerate(frame.to_dict("records")):

        def where(column: str, index=index) -> str:
            return csvfiles.ref(path, frame, index, column)

        name = row["function"]
        if not name:
            findings.append(error("register-no-function", where("function"), "a register row names no function"))
            continue
        key = labels.normalise(name)
        if key in seen:
            findings.append(
                error("duplicate-case", where("function"), f"{name!r} is in the register twice (first at {seen[key]})")
            )
            continue
        seen[key] = where("function")
        aliases = [a.strip() for a in row["sheet_labels"].split(";") if a.strip()]
        for alias in aliases:
            other = claimed.setdefault(labels.normalise(alias), name)
            if other != name:
                findings.append(
                    error(
                        "label-claimed-twice",
                        where("sheet_labels"),
                        f"sheet label {alias!r} is claimed by both {other!r} and {name!r}",
                    )
                )
        approved = None
        if row["approved"]:
            approved = parse_month(row["approved"])
            if approved is None:
                findings.append(
                    error(
                        "bad-month",
                        where("approved"),
                        f"approval month {row['approved']!r} is not a month like 'Feb 2015'",
                    )
                )
        forecast = _amount(row, "forecast", where, findings)
        revised = _amount(row, "revised_forecast", where, findings)
        status = row["status"].casefold()
        if status not in STATUSES:
            findings.append(
                error(
                    "unknown-status", where("status"), f"status {row['status']!r} is not one of: {', '.join(STATUSES)}"
                )
            )
        causes = [c.strip().casefold() for c in row["variance_causes"].split(";") if c.strip()]
        for cause in causes:
            if cause not in CAUSES:
                findings.append(
                    warning(
                        "unknown-cause", where("variance_causes"), f"cause {cause!r} is not one of: {', '.join(CAUSES)}"
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
    cases = pd.DataFrame.from_records(records)
    if not cases.empty:
        for column in ("forecast_gbp", "revised_forecast_gbp"):
            cases[column] = cases[column].astype("Int64")
    return Register(Path(path), cases, tuple(findings))


def _amount(row: pd.Series, column: str, where, findings: list[Finding]) -> int | None:
    written = row[column]
    if not written:
        return None
    try:
        pounds = money.parse_amount(written, 1).pounds
    except money.MoneyError as exc:
        findings.append(error("bad-amount", where(column), f"{column.replace('_', ' ')}: {exc}"))
        return None
    if pounds < 0:
        findings.append(
            error(
                "negative-forecast",
                where(column),
                f"{column.replace('_', ' ')} {written!r} is negative; a forecast saving is positive",
            )
        )
        return None
    return pounds
