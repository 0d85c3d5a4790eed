"""Figures computed from the sheet's line items: year totals, running sums, headline totals.

Pure functions on a `SavingsSheet`. A blank line item counts as no saving (the row's stated
total is checked against exactly that); an unreadable one makes every figure that needs it
<NA>/None, so a total is never quietly short.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from bch.core import labels
from bch.core.money import as_pounds
from bch.read.sheet import TOTAL, SavingsSheet, exact_sum, money_series


def sum_savings(frame: pd.DataFrame, column: str = "saving_gbp"):
    """The column summed as int pounds (blank = no saving); <NA> if any cell was unreadable."""
    if (frame["status"] == "unreadable").any():
        return pd.NA
    return exact_sum(frame[column])


def totals_by_year(sheet: SavingsSheet) -> pd.Series:
    """Sum of every function's saving per fiscal year, in the sheet's year order."""
    return sheet.by_year.copy()


def totals_by_function(sheet: SavingsSheet) -> pd.Series:
    """Sum of each function's savings over the years, in the sheet's row order."""
    return sheet.by_function.copy()


def running_sum(series: pd.Series) -> pd.Series:
    """Cumulative sum in which a missing figure makes every later one missing too."""
    out, total = [], 0
    for value in series:
        total = pd.NA if total is pd.NA or value is pd.NA else total + int(value)
        out.append(total)
    return money_series(out, series.index)


def change_team_costs(sheet: SavingsSheet) -> pd.Series:
    """The change-team costs per year as stated (negative), blanks as 0; empty if the row is absent."""
    rows = sheet.stated[
        (sheet.stated["measure"] == labels.CHANGE_TEAM_COSTS) & sheet.stated["fiscal_year"].isin(sheet.years)
    ]
    if rows.empty:
        return pd.Series([], dtype="Int64", index=pd.Index([], name="fiscal_year"))
    amounts = rows["amount_gbp"].where(rows["status"] != "blank", 0)
    return pd.Series(list(amounts), index=pd.Index(list(rows["fiscal_year"]), name="fiscal_year"), dtype="Int64")


def stated(sheet: SavingsSheet, measure: str) -> pd.DataFrame:
    """The cells the sheet states for one summary row, indexed by fiscal year (and 'Total')."""
    rows = sheet.stated[sheet.stated["measure"] == measure]
    return rows.set_index("fiscal_year")


class HeadlineFigure(NamedTuple):
    key: str  # in `headline_totals`, the trend, the Headlines sheet
    title: str  # a column or row heading: the index, the text report
    label: str  # under the figure on the board pack's card and in the Headlines sheet; {first_year} filled in
    spans: str  # the cells it is computed from: "lines" or "costs" (`lines_span`, `costs_span`)


# The three headline figures, declared once: every presenter (board pack, Excel, index, report, trend) reads them.
HEADLINE_FIGURES = (
    HeadlineFigure("recurrent_gbp", "Recurrent savings a year", "recurrent savings a year (all functions)", "lines"),
    HeadlineFigure("cumulative_to_date_gbp", "Cumulative savings", "cumulative savings since {first_year}", "lines"),
    HeadlineFigure(
        "change_team_costs_gbp", "Change-team costs", "change-team costs over the same years (not netted)", "costs"
    ),
)
HEADLINE_KEYS = tuple(figure.key for figure in HEADLINE_FIGURES)


def headline_spans(sheet: SavingsSheet) -> dict[str, str]:
    """Each headline figure's source cells, by its key."""
    spans = {"lines": lines_span(sheet), "costs": costs_span(sheet)}
    return {figure.key: spans[figure.spans] for figure in HEADLINE_FIGURES}


def headline_totals(sheet: SavingsSheet) -> dict[str, int | None]:
    """Recurrent savings, cumulative savings to date and change-team costs (positive), in £."""
    if not sheet.usable:
        return dict.fromkeys(HEADLINE_KEYS)
    to_date = cumulative_savings(sheet)
    costs = change_team_costs(sheet)
    return {
        "recurrent_gbp": as_pounds(sum_savings(sheet.lines)),
        "cumulative_to_date_gbp": as_pounds(to_date.iloc[-1]) if len(to_date) else None,
        "change_team_costs_gbp": None if costs.empty or costs.isna().any() else -exact_sum(costs),
    }


def by_function(sheet: SavingsSheet) -> list[dict]:
    return [{"function": name, "actual_gbp": as_pounds(v)} for name, v in totals_by_function(sheet).items()]


def by_year(sheet: SavingsSheet) -> list[dict]:
    return [{"fiscal_year": year, "recurrent_gbp": as_pounds(v)} for year, v in totals_by_year(sheet).items()]


def actuals(sheet: SavingsSheet) -> pd.DataFrame:
    """Each function's delivered savings with where they came from: function, actual_gbp, label_cell, cells."""
    totals = totals_by_function(sheet)
    first = sheet.lines.groupby("function", sort=False)["cell"].first()
    last = sheet.lines.groupby("function", sort=False)["cell"].last()
    frame = sheet.functions[["function", "label_cell"]].copy()
    frame["actual_gbp"] = list(totals.reindex(frame["function"]))
    frame["actual_gbp"] = frame["actual_gbp"].astype("Int64")
    frame["cells"] = [f"{first[name]}:{last[name].split('!')[-1]}" for name in frame["function"]]
    return frame[["function", "actual_gbp", "label_cell", "cells"]].reset_index(drop=True)


def cumulative_savings(sheet: SavingsSheet) -> pd.Series:
    """'Total savings from 2014/15' computed: the running sum of the running sum of year totals."""
    return running_sum(running_sum(totals_by_year(sheet)))


def cumulative_costs(sheet: SavingsSheet) -> pd.Series:
    """Cumulative change-team costs computed (negative, as the sheet shows them)."""
    return running_sum(change_team_costs(sheet))


def _span(cells: list[str]) -> str:
    """The range from the first to the last of some cells: Savings!B3:F8 ('' for none)."""
    if not cells:
        return ""
    sheet, first = cells[0].rsplit("!", 1)
    return f"{sheet}!{first}:{cells[-1].rsplit('!', 1)[1]}"


def lines_span(sheet: SavingsSheet) -> str:
    """Where the line items sit, for a reader tracing a total: Savings!B3:F8."""
    return _span(list(sheet.lines["cell"]))


def costs_span(sheet: SavingsSheet) -> str:
    rows = sheet.stated[(sheet.stated["measure"] == labels.CHANGE_TEAM_COSTS) & (sheet.stated["fiscal_year"] != TOTAL)]
    return _span(list(rows["cell"]))
