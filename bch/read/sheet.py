"""The savings table as the sheet presents it: amounts with their cells, and the sums every check shares.

No I/O: `bch.read.workbook` builds a `SavingsSheet`; `bch.analyse.summary` and `bch.analyse.checks` read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from bch.core.findings import Finding
from bch.core.money import as_pounds
from bch.core.schema import Schema, money_array

TOTAL = "Total"  # the fiscal_year of a row's Total column

LINES = Schema(
    "savings lines",
    {"function": "text", "fiscal_year": "text", "saving_gbp": "money", "cell": "text", "status": "text"},
)
STATED = Schema(
    "stated rows",
    {
        "measure": "text",
        "label": "text",
        "fiscal_year": "text",
        "amount_gbp": "money",
        "cell": "text",
        "status": "text",
    },
)
FUNCTIONS = Schema(
    "function lines",
    {
        "function": "text",
        "key": "text",
        "row": "count",
        "label_cell": "text",
        "total_gbp": "money",
        "total_cell": "text",
        "total_status": "text",
    },
)
# The lines a pack publishes (savings-tidy.csv): the value lines, each with its cell.
TIDY = Schema("savings-tidy", {c: LINES.columns[c] for c in ("function", "fiscal_year", "saving_gbp", "cell")})
LINE_COLUMNS, STATED_COLUMNS, FUNCTION_COLUMNS = LINES.names, STATED.names, FUNCTIONS.names


@dataclass(frozen=True)
class SavingsSheet:
    """The savings table as the sheet presents it.

    `lines`: one row per function and year cell (status value|blank|unreadable; saving_gbp is
    <NA> unless status is value). `stated`: the summary rows the sheet states (totals, cumulative
    rows, change-team costs), the same way. `functions`: one row per function line.
    `usable` is False when the layout can't be interpreted; the findings then say why.
    `by_year`, `by_function`: the line items summed once, when the sheet is built (copy before changing).
    """

    path: Path
    sheet: str
    unit: str | None
    factor: int | None
    years: tuple[str, ...]
    lines: pd.DataFrame
    stated: pd.DataFrame
    functions: pd.DataFrame
    notes: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    year_cells: tuple[str, ...] = ()  # the header cell of each fiscal year, e.g. Savings!B2
    usable: bool = True
    by_year: pd.Series = field(init=False, repr=False, compare=False)
    by_function: pd.Series = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # derived from the frames, which nothing changes: set once here, as a frozen dataclass allows
        order = list(self.functions["function"])
        object.__setattr__(self, "by_year", sums_by(self.lines, "fiscal_year", list(self.years), "fiscal_year"))
        object.__setattr__(self, "by_function", sums_by(self.lines, "function", order, "function"))

    def tidy(self) -> pd.DataFrame:
        """The line items as a tidy table: function, fiscal_year, saving_gbp, cell (blanks left out)."""
        kept = self.lines[self.lines["status"] != "blank"]
        return kept[TIDY.names].reset_index(drop=True)


def exact_sum(amounts) -> int:
    """Python-int sum of amounts (missing ones count 0): exact, where a numpy int64 sum would wrap."""
    return sum(pounds for pounds in map(as_pounds, amounts) if pounds is not None)


def sums_by(lines: pd.DataFrame, key: str, order: list[str], name: str) -> pd.Series:
    """Savings summed per `key` in `order`, in Python ints; <NA> for a group holding an unreadable cell."""
    sums: dict[str, int] = {}
    unreadable: set[str] = set()
    for group, status, amount in zip(lines[key], lines["status"], lines["saving_gbp"], strict=True):
        if status == "unreadable":
            unreadable.add(group)
        elif (pounds := as_pounds(amount)) is not None:
            sums[group] = sums.get(group, 0) + pounds
    values = [pd.NA if group in unreadable else sums.get(group, 0) for group in order]
    return money_series(values, pd.Index(order, name=name))


def money_series(values: list, index: pd.Index) -> pd.Series:
    """Int64 for the tables; a sum past int64 (impossible under money.MAX_CREDIBLE_GBP) stays an exact object."""
    return pd.Series(money_array(values), index=index)
