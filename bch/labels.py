"""Row labels of the savings sheet, recognised after trimming and folding case and spaces."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s\u00a0\u202f]+")

# The sheet's summary rows, by the measure each one states.
RECURRENT_TOTAL = "recurrent_total"
ANNUAL_CUMULATIVE = "annual_cumulative"
SAVINGS_TO_DATE = "savings_to_date"
CHANGE_TEAM_COSTS = "change_team_costs"
CUMULATIVE_COSTS = "cumulative_change_team_costs"

MEASURE_LABELS = {
    RECURRENT_TOTAL: "Total recurrent in each year",
    ANNUAL_CUMULATIVE: "Total annual cumulative",
    SAVINGS_TO_DATE: "Total savings from 2014/15",
    CHANGE_TEAM_COSTS: "BCH Change Team costs",
    CUMULATIVE_COSTS: "Total Cumulative Change Team costs",
}
_PATTERNS = [
    (RECURRENT_TOTAL, re.compile(r"total recurrent( in each year)?")),
    (ANNUAL_CUMULATIVE, re.compile(r"total annual cumulative")),
    (SAVINGS_TO_DATE, re.compile(r"total savings (from|since) \d{4}/\d{2}")),
    (CUMULATIVE_COSTS, re.compile(r"total cumulative (bch )?change team costs?")),
    (CHANGE_TEAM_COSTS, re.compile(r"(bch )?change team costs?")),
]
NOTES = "notes"


def normalise(label: object) -> str:
    """Trim, fold case and collapse runs of spaces: the key two labels are compared by."""
    if label is None:
        return ""
    return _SPACES.sub(" ", str(label)).strip().casefold()


def display(label: object) -> str:
    """The label as written, trimmed, with inner runs of spaces kept as written."""
    return "" if label is None else str(label).strip()


def measure_of(label: object) -> str | None:
    """Which summary row a label names, or None for a line item (a function)."""
    key = normalise(label)
    for measure, pattern in _PATTERNS:
        if pattern.fullmatch(key):
            return measure
    return None


def is_notes_heading(label: object) -> bool:
    return normalise(label).rstrip(":") == NOTES
