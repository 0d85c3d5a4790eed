"""The sheet's own arithmetic, checked: footing, cross-footing, running sums, signs.

Pure functions from a `SavingsSheet` to findings. Each compares what a cell states with what
the line items give, and names both figures and the cell.
"""

from __future__ import annotations

import pandas as pd

from bch.analyse import summary
from bch.core import codes, fiscal, labels
from bch.core.findings import Finding, finding
from bch.core.money import format_gbp
from bch.read.sheet import TOTAL, SavingsSheet


def check_sheet(sheet: SavingsSheet) -> list[Finding]:
    """Every arithmetic check of the savings table; none when the layout was unusable."""
    if not sheet.usable:
        return []
    return [
        *check_function_totals(sheet),
        *check_year_totals(sheet),
        *check_running_sums(sheet),
        *check_change_team_costs(sheet),
        *check_rows_present(sheet),
    ]


def _compare(stated_cell, computed, code: str, what: str, blank_ok: bool = False) -> Finding | None:
    """One stated cell against the figure computed for it (None when either can't be read).

    `blank_ok`: the table leaves this cell blank by design (the costs row has no Total).
    """
    if computed is pd.NA or computed is None or stated_cell["status"] == "unreadable":
        return None
    cell = stated_cell["cell"]
    if stated_cell["status"] == "blank":
        if computed == 0 or blank_ok:
            return None
        return finding(codes.BLANK_TOTAL, cell, f"blank, but {what} gives {format_gbp(computed)}", computed=computed)
    stated = stated_cell["amount_gbp"]
    if int(stated) != int(computed):
        message = f"states {format_gbp(stated)} but {what} gives {format_gbp(computed)}"
        return finding(code, cell, message, stated=stated, computed=computed)
    return None


def _compare_row(
    sheet: SavingsSheet, measure: str, computed: pd.Series, code: str, what: str, blank_ok: bool = False
) -> list[Finding]:
    rows = summary.stated(sheet, measure)
    found = []
    for year, expected in computed.items():
        if year in rows.index:
            mismatch = _compare(rows.loc[year], expected, code, what.format(year=year), blank_ok)
            if mismatch:
                found.append(mismatch)
    return found


def check_function_totals(sheet: SavingsSheet) -> list[Finding]:
    """Each function's stated Total = the sum of its years."""
    found = []
    computed = summary.totals_by_function(sheet).to_dict()
    for fn in sheet.functions.to_dict("records"):
        if fn["total_status"] == "absent":
            continue
        stated_cell = {"status": fn["total_status"], "amount_gbp": fn["total_gbp"], "cell": fn["total_cell"]}
        mismatch = _compare(stated_cell, computed[fn["function"]], codes.ROW_TOTAL, f"the years of {fn['function']!r}")
        if mismatch:
            found.append(mismatch)
    return found


def check_year_totals(sheet: SavingsSheet) -> list[Finding]:
    """'Total recurrent in each year' = the sum of that year's lines; its Total = all lines."""
    by_year = summary.totals_by_year(sheet)
    found = _compare_row(sheet, labels.RECURRENT_TOTAL, by_year, codes.YEAR_TOTAL, "the lines of {year}")
    grand = summary.sum_savings(sheet.lines)
    grand_series = pd.Series([grand], index=[TOTAL], dtype="Int64")
    found += _compare_row(sheet, labels.RECURRENT_TOTAL, grand_series, codes.GRAND_TOTAL, "the sum of all lines")
    return found


def check_running_sums(sheet: SavingsSheet) -> list[Finding]:
    """'Total annual cumulative' and 'Total savings from …' = the running sums they claim to be."""
    cumulative = summary.running_sum(summary.totals_by_year(sheet))
    to_date = summary.running_sum(cumulative)
    return [
        *_compare_row(
            sheet, labels.ANNUAL_CUMULATIVE, cumulative, codes.CUMULATIVE, "the running sum of the lines to {year}"
        ),
        *_compare_row(
            sheet,
            labels.SAVINGS_TO_DATE,
            to_date,
            codes.SAVINGS_TO_DATE,
            "the running sum of the annual cumulative to {year}",
        ),
    ]


def check_change_team_costs(sheet: SavingsSheet) -> list[Finding]:
    """Costs are negative; their cumulative row is their running sum; a stated Total is their sum."""
    found = []
    for row in summary.stated(sheet, labels.CHANGE_TEAM_COSTS).to_dict("records"):
        if row["status"] == "value" and row["amount_gbp"] > 0:
            found.append(
                finding(
                    codes.COST_SIGN,
                    row["cell"],
                    f"change-team cost {format_gbp(row['amount_gbp'])} is positive; costs are shown negative",
                    stated=row["amount_gbp"],
                )
            )
    costs = summary.change_team_costs(sheet)
    if costs.empty:
        return found
    found += _compare_row(
        sheet,
        labels.CUMULATIVE_COSTS,
        summary.running_sum(costs),
        codes.COST_CUMULATIVE,
        "the running sum of costs to {year}",
    )
    total = pd.NA if costs.isna().any() else sum(int(v) for v in costs)
    found += _compare_row(
        sheet,
        labels.CHANGE_TEAM_COSTS,
        pd.Series([total], index=[TOTAL], dtype="Int64"),
        codes.COST_TOTAL,
        "the sum of costs",
        blank_ok=True,
    )
    return found


def check_rows_present(sheet: SavingsSheet) -> list[Finding]:
    """Every summary row the table should state is there, and so is at least one function."""
    present = set(sheet.stated["measure"])
    where = label_column(sheet)
    found = [
        finding(codes.MISSING_ROW, where, f"the sheet has no {label!r} row, so it is not cross-checked")
        for measure, label in labels.MEASURE_LABELS.items()
        if measure not in present
    ]
    if sheet.functions.empty:
        # the header names the table bch looked under: the finding's cell, as there is no function line to name
        header = f"{sheet.year_cells[0]}:{sheet.year_cells[-1].rpartition('!')[2]}" if sheet.year_cells else None
        found.append(finding(codes.NO_FUNCTIONS, header, "the table has no function rows above its totals"))
    return found


def label_column(sheet: SavingsSheet) -> str | None:
    """The table's label column from its header to its last row, where a summary row was looked for:
    Savings!A2:A13 (None when the table has no function line to place it)."""
    import re

    if sheet.functions.empty or not sheet.year_cells:
        return None
    split = re.compile(r"^(?P<sheet>.+)!(?P<column>[A-Z]+)(?P<row>\d+)$")
    first = split.match(sheet.functions["label_cell"].iloc[0])
    rows = [int(m["row"]) for m in map(split.match, [*sheet.stated["cell"], *sheet.year_cells]) if m]
    rows += [int(r) for r in sheet.functions["row"]]
    return f"{first['sheet']}!{first['column']}{min(rows)}:{first['column']}{max(rows)}"


def check_years_stated(sheet: SavingsSheet, as_of) -> list[Finding]:
    """A fiscal year that starts after the as-of date: the date or the sheet is wrong, never both right."""
    if as_of is None or not sheet.usable:
        return []
    found = []
    for year, cell in zip(sheet.years, sheet.year_cells, strict=True):
        starts = fiscal.starts_on(year)
        if starts is not None and starts > as_of:
            found.append(
                finding(
                    codes.YEAR_AFTER_AS_OF,
                    cell,
                    f"fiscal year {year} starts on {starts.isoformat()}, after the as-of date {as_of.isoformat()}: "
                    "the figures can't be as at that date (give the right --as-of or edition)",
                )
            )
    return found
