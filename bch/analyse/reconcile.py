"""Forecast against delivered savings, per function: variance, delivery %, status and RAG.

Pure functions on DataFrames. Signs follow IBCS: variance = actual − forecast, so
under-delivery is negative (bad) and over-delivery positive (good).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from bch.analyse import matching
from bch.core import codes, labels
from bch.core.findings import Finding, finding
from bch.core.money import as_pounds
from bch.core.schema import Schema

DEFAULT_MATERIALITY_PCT = 10.0

VARIANCE = Schema(
    "variance",
    {
        "function": "text",
        "sheet_label": "text",
        "approved": "text",
        "forecast_gbp": "money",
        "revised_forecast_gbp": "money",
        "latest_forecast_gbp": "money",
        "revised_on": "text",
        "revision_reason": "text",
        "revision_source": "text",  # the authority for the revision in force: a minute, a paper's paragraph
        "actual_gbp": "money",
        "variance_gbp": "money",
        "variance_vs_original_gbp": "money",
        "delivery_pct": "pct",
        "delivery_vs_original_pct": "pct",
        "status": "text",
        "rag": "text",
        "register_status": "text",
        "variance_causes": "text",
        "dependency": "text",
        "commentary": "text",
        "source": "text",
        "actual_cells": "text",
    },
)
COLUMNS = VARIANCE.names
MONEY_COLUMNS = VARIANCE.of_kind("money")


def delivery_pct(actual: int | None, forecast: int | None) -> float | None:
    """actual / forecast as a percentage to one decimal place (exact until the final rounding)."""
    if actual is None or not forecast:
        return None
    pct = Decimal(actual) * 100 / Decimal(forecast)
    return float(pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def rag(actual: int, forecast: int, materiality_pct: float) -> str:
    """green: within materiality of forecast or better; amber: within twice it; red: below that."""
    shortfall = Decimal(forecast - actual) * 100 / Decimal(forecast)
    m = Decimal(str(materiality_pct))
    if shortfall <= m:
        return "green"
    return "amber" if shortfall <= 2 * m else "red"


def _status(register_status: str | None, latest: int | None, actual: int | None, materiality_pct: float) -> str:
    if register_status in (None, "no business case"):
        return "no business case"
    if register_status == "not implemented":
        return "not implemented"
    if latest is None:
        return "no forecast"
    if actual is None:
        return "actual unknown"
    if actual == 0 and latest > 0:
        return "no savings delivered"
    if latest == 0:  # nothing forecast (a zero-forecast finding): any saving is above it, never "delivered"
        return "delivered" if actual == 0 else ("over-delivered" if actual > 0 else "under-delivered")
    gap = Decimal(actual - latest) * 100 / Decimal(latest)
    m = Decimal(str(materiality_pct))
    if gap < -m:
        return "under-delivered"
    if gap > m:
        return "over-delivered"
    return "delivered"


def reconcile(
    actuals: pd.DataFrame, cases: pd.DataFrame, materiality_pct: float = DEFAULT_MATERIALITY_PCT
) -> tuple[pd.DataFrame, list[Finding]]:
    """One row per function in the union of register and savings sheet, and the unmatched labels.

    `actuals`: function (the sheet's label), actual_gbp (<NA> if unreadable), label_cell, cells.
    `cases`: the register's frame (see bch.read.register).
    """
    records = cases.to_dict("records")
    lines_of, sheet_only = _lines_by_case(actuals, records)
    matched = {index: found[0] for index, found in lines_of.items() if len(found) == 1}
    findings = _matched_twice(lines_of, records)
    proposed = _propose(sheet_only, [(i, c) for i, c in enumerate(records) if i not in matched])
    findings += _sheet_only_findings(sheet_only, proposed, records)
    maybe = set(proposed.values())

    rows = []
    for index, case in enumerate(records):
        actual, sheet_label, cells = _actual_of(index, case, matched, maybe | set(lines_of), findings)
        rows.append(_row(case, actual, sheet_label, cells, materiality_pct))
    for line in sheet_only:
        rows.append(_row(None, as_pounds(line["actual_gbp"]), line["function"], line["cells"], materiality_pct))
    return VARIANCE.frame(rows), findings


def _lines_by_case(actuals: pd.DataFrame, records: list[dict]) -> tuple[dict[int, list[dict]], list[dict]]:
    """The sheet lines of each case (by index, matched by name or sheet label), and the lines of no case."""
    by_alias: dict[str, int] = {}
    for index, case in enumerate(records):
        for alias in (*case["aliases"], case["function"]):
            by_alias.setdefault(labels.normalise(alias), index)
    lines_of: dict[int, list[dict]] = {}
    sheet_only = []
    for line in actuals.to_dict("records"):
        index = by_alias.get(labels.normalise(line["function"]))
        if index is None:
            sheet_only.append(line)
        else:
            lines_of.setdefault(index, []).append(line)
    return lines_of, sheet_only


def _matched_twice(lines_of: dict[int, list[dict]], records: list[dict]) -> list[Finding]:
    """A finding for each case more than one sheet line matches."""
    findings = []
    for index, found in lines_of.items():
        if len(found) > 1:  # neither line is the case's actual, nor their sum: a person must say which
            shown = ", ".join(f"{line['function']!r} at {line['label_cell']}" for line in found)
            findings.append(
                finding(
                    codes.CASE_MATCHED_TWICE,
                    found[1]["label_cell"],
                    f"business case {records[index]['function']!r} matches {len(found)} sheet lines "
                    f"({shown}); "
                    "none is counted: its actual is unknown",
                )
            )
    return findings


def _sheet_only_findings(sheet_only: list[dict], proposed: dict[str, int], records: list[dict]) -> list[Finding]:
    """A finding for each sheet line of no case: a possible match to propose, or no business case."""
    findings = []
    for line in sheet_only:
        if line["function"] in proposed:
            case = records[proposed[line["function"]]]
            findings.append(
                finding(
                    codes.POSSIBLE_MATCH,
                    line["label_cell"],
                    f"sheet line {line['function']!r} matches no business case, and the case {case['function']!r} "
                    f"({case['register_cell']}) has no sheet line: if they are one, accept with: bch edition add … "
                    f"--alias {alias_option(line['function'], case['function'])}; until then the case's actual is "
                    "unknown",
                )
            )
        else:
            findings.append(
                finding(
                    codes.NO_BUSINESS_CASE,
                    line["label_cell"],
                    f"sheet line {line['function']!r} matches no business case in the register; "
                    "shown without a forecast",
                )
            )
    return findings


def _actual_of(
    index: int, case: dict, matched: dict[int, dict], unknown: set[int], findings: list[Finding]
) -> tuple[int | None, str | None, str]:
    """(actual, sheet label, cells) of a case: its one sheet line's, unknown, or 0 when it has no line."""
    line = matched.get(index)
    if line is not None:
        return as_pounds(line["actual_gbp"]), line["function"], line["cells"]
    if index in unknown:  # never £0 beside a line a reader would take for this case
        return None, None, ""
    if case["aliases"]:
        findings.append(
            finding(
                codes.NO_SHEET_LINE,
                case["labels_cell"],
                f"business case {case['function']!r} names sheet label(s) {', '.join(case['aliases'])!r} "
                "that the savings sheet does not have; its actual is unknown",
            )
        )
        return None, None, ""
    return 0, None, ""  # the register says the case has no line in the sheet: nothing removed from budget


def alias_option(label: str, function: str) -> str:
    """The --alias value accepting a proposed match, quoted for a POSIX shell as the user would type it."""
    import shlex

    text = f"{label}={function}"
    return f'"{text}"' if not any(c in text for c in '"$`\\!') else shlex.quote(text)


def _propose(lines: list[dict], lineless: list[tuple[int, dict]]) -> dict[str, int]:
    """Each unmatched sheet line named like exactly one case without a line: line label -> case index."""
    proposals = {}
    for line in lines:
        alike = [i for i, case in lineless if matching.alike(line["function"], case["function"])]
        if len(alike) == 1:
            proposals[line["function"]] = alike[0]
    return proposals


def _row(
    case: pd.Series | None, actual: int | None, sheet_label: str | None, cells: str, materiality_pct: float
) -> dict:
    forecast = as_pounds(case["forecast_gbp"]) if case is not None else None
    revised = as_pounds(case["revised_forecast_gbp"]) if case is not None else None
    latest = revised if revised is not None else forecast
    register_status = case["status"] if case is not None else None
    status = _status(register_status, latest, actual, materiality_pct)
    measurable = status not in ("no business case", "not implemented", "no forecast", "actual unknown")
    return {
        "function": case["function"] if case is not None else sheet_label,
        "sheet_label": sheet_label,
        "approved": case["approved"] if case is not None else None,
        "forecast_gbp": forecast,
        "revised_forecast_gbp": revised,
        "latest_forecast_gbp": latest,
        "revised_on": case.get("revised_on", "") if case is not None else "",
        "revision_reason": case.get("revision_reason", "") if case is not None else "",
        "revision_source": case.get("revision_source", "") if case is not None else "",
        "actual_gbp": actual,
        "variance_gbp": actual - latest if measurable else None,
        "variance_vs_original_gbp": actual - forecast if measurable and forecast is not None else None,
        "delivery_pct": delivery_pct(actual, latest) if measurable else None,
        "delivery_vs_original_pct": delivery_pct(actual, forecast) if measurable else None,
        "status": status,
        "rag": rag(actual, latest, materiality_pct) if measurable and latest else "none",
        "register_status": register_status or "not in register",
        "variance_causes": case["variance_causes"] if case is not None else "",
        "dependency": case["dependency"] if case is not None else "",
        "commentary": case["commentary"] if case is not None else "",
        "source": case["source"] if case is not None else "",
        "actual_cells": cells,
    }


def totals(table: pd.DataFrame) -> dict:
    """Original, latest forecast and actual summed over the cases with a variance figure; `left_out`: the cases
    with a forecast the sums leave out (function, latest forecast, why: its status, e.g. actual unknown)."""
    measured = table[table["variance_gbp"].notna()]
    unmeasured = table[table["variance_gbp"].isna() & table["latest_forecast_gbp"].notna()]

    def total(column: str) -> int:
        return sum(int(v) for v in measured[column] if not pd.isna(v))  # Python ints: never wraps

    return {
        "forecast_gbp": total("forecast_gbp"),
        "latest_forecast_gbp": total("latest_forecast_gbp"),
        "actual_gbp": total("actual_gbp"),
        "variance_gbp": total("variance_gbp"),
        "cases": len(measured),
        "left_out": tuple(
            (str(f), int(v), str(s))
            for f, v, s in zip(
                unmeasured["function"], unmeasured["latest_forecast_gbp"], unmeasured["status"], strict=True
            )
        ),
    }
