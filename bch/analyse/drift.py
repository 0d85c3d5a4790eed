"""Drift between editions, as findings: what a new edition undoes or restates of the one before it.

A paper the Board sees every year is read against last year's: a forecast that quietly goes back to a value
the Board had replaced, a year's total that moved with no line saying why, a workbook that adds no year, a
catalogued file whose bytes changed after it was published. Each is a finding naming the cell or file.
Pure: tables and values in, findings out (reading the earlier edition is the caller's job).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from bch.core import codes, labels
from bch.core.findings import Finding, finding
from bch.core.money import as_pounds, format_gbp_k
from bch.read.sheet import SavingsSheet


def forecast_history(cases: pd.DataFrame, revisions: pd.DataFrame | None, as_of: dt.date | None) -> dict[str, list]:
    """Each case's forecasts in the order they took effect (normalised function -> [pounds, …]): the approved
    forecast, the register's undated revision, then each dated revision in force at `as_of`."""
    history: dict[str, list] = {}
    for case in cases.to_dict("records"):
        values = [as_pounds(case[column]) for column in ("forecast_gbp", "revised_forecast_gbp")]
        history[labels.normalise(case["function"])] = [(v, "") for v in values if v is not None]
    if revisions is not None:
        for revision in revisions.to_dict("records"):
            effective, pounds = revision["effective"], as_pounds(revision["forecast_gbp"])
            if pounds is None or (as_of is not None and effective > as_of):
                continue
            history.setdefault(labels.normalise(revision["function"]), []).append((pounds, effective.isoformat()))
    return history


def reverted_forecasts(
    cases: pd.DataFrame,
    history: dict[str, list],
    earlier: dict[str, list],
    earlier_key: str,
    earlier_as_of: dt.date,
) -> list[Finding]:
    """A case whose latest forecast goes back to one the earlier edition had superseded, with no dated
    revision after that edition to say so: a warning at the case's register row."""
    found = []
    for case in cases.to_dict("records"):
        key = labels.normalise(case["function"])
        now, then = history.get(key, []), earlier.get(key, [])
        if not now or not then:
            continue
        (latest, effective), (superseding, since) = now[-1], then[-1]
        superseded = [pounds for pounds, _ in then[:-1]]
        decided_since = effective and dt.date.fromisoformat(effective) > earlier_as_of
        if latest == superseding or latest not in superseded or decided_since:
            continue
        when = f" from {since}" if since else ""
        found.append(
            finding(
                codes.FORECAST_REVERTED,
                case["register_cell"],
                f"{labels.display(case['function'])}'s latest forecast {format_gbp_k(latest)} is one the edition as "
                f"at {earlier_key} had replaced: there it was {format_gbp_k(superseding)}{when}, and no revision "
                "dated since says why it went back (a revision left out of this edition?)",
                stated=latest,
                computed=superseding,
            )
        )
    return found


def restated_years(sheet: SavingsSheet, earlier: SavingsSheet, earlier_key: str) -> list[Finding]:
    """A fiscal year both editions state whose total of lines differs: restated, or a line deleted or renamed."""
    found = []
    for year, cell in zip(sheet.years, sheet.year_cells or [None] * len(sheet.years), strict=True):
        if year not in earlier.by_year.index:
            continue
        now, then = as_pounds(sheet.by_year.get(year)), as_pounds(earlier.by_year.get(year))
        if now is None or then is None or now == then:
            continue
        gone = _lines_gone(sheet, earlier, year)
        why = f" (no longer a line: {', '.join(gone)})" if gone else ""
        found.append(
            finding(
                codes.YEAR_RESTATED,
                cell,
                f"{year}'s savings total {format_gbp_k(now)}; the edition as at {earlier_key} stated "
                f"{format_gbp_k(then)} for it{why}",
                stated=now,
                computed=then,
            )
        )
    return found


def _lines_gone(sheet: SavingsSheet, earlier: SavingsSheet, year: str) -> list[str]:
    def saved(lines: pd.DataFrame) -> set[str]:
        mine = lines[(lines["fiscal_year"] == year) & (lines["status"] == "value")]
        return {labels.normalise(f) for f, v in zip(mine["function"], mine["saving_gbp"], strict=True) if as_pounds(v)}

    now = saved(sheet.lines)
    shown = {labels.normalise(f): labels.display(f) for f in earlier.lines["function"]}
    return [shown[key] for key in sorted(saved(earlier.lines) - now)]


def no_new_year(sheet: SavingsSheet, earlier: SavingsSheet, earlier_key: str) -> list[Finding]:
    """A later edition whose workbook states no fiscal year beyond the earlier edition's last."""
    if not sheet.years or not earlier.years or sheet.years[-1] > earlier.years[-1]:
        return []
    cell = sheet.year_cells[-1] if sheet.year_cells else None
    return [
        finding(
            codes.NO_NEW_YEAR,
            cell,
            f"the workbook's last fiscal year is {sheet.years[-1]}; the edition as at {earlier_key} already went to "
            f"{earlier.years[-1]}: is this last year's workbook?",
        )
    ]


def altered_files(altered: list[tuple[str, str, str]]) -> list[Finding]:
    """(edition's catalogue field, file name, why) of catalogued files whose bytes are not the ones recorded."""
    return [
        finding(
            codes.FILE_CHANGED,
            where,
            f"{labels.neutralise(name)} {why}; published packs were made from the "
            "recorded bytes: restore the file, or add the corrected one as a new edition",
        )
        for where, name, why in altered
    ]
