"""Every finding code bch reports, declared once: its severity and what it means.

A finding takes its severity from here (`bch.core.findings.finding`) and an undeclared code is refused, so
one code never appears with two severities. `markdown_table` renders the catalogue for docs/finding-codes.md's
"Finding codes" section; a test keeps the two equal.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]


class Code(NamedTuple):
    code: str
    severity: Severity
    meaning: str


CATALOGUE: dict[str, Code] = {}


def _declare(code: str, severity: Severity, meaning: str) -> str:
    if code in CATALOGUE:
        raise ValueError(f"finding code {code!r} is declared twice")
    if severity not in ("error", "warning"):
        raise ValueError(f"finding code {code!r}: severity {severity!r} is neither error nor warning")
    CATALOGUE[code] = Code(code, severity, meaning)
    return code


# -- the savings workbook: bch.read.book, bch.read.layout, bch.read.workbook, bch.read.cellvalues ------------
EMPTY_WORKBOOK = _declare("empty-workbook", "error", "the sheet read holds no cell at all")
HIDDEN_SHEET = _declare(
    "hidden-sheet", "warning", "a sheet is hidden or very hidden; the finding says if it is the one read"
)
HOSTILE_TEXT = _declare(
    "hostile-text", "warning", "text holds control, bidi or zero-width characters; it is shown with them made visible"
)
NO_HEADER = _declare("no-header", "error", "the sheet has no header row of fiscal years (2014/15, 2015/16, …)")
DUPLICATE_YEAR = _declare("duplicate-year", "error", "a fiscal year appears twice in the header")
YEAR_SEQUENCE = _declare("year-sequence", "error", "the header's years are not consecutive, one column after another")
NO_LABEL_COLUMN = _declare("no-label-column", "error", "the header's first year has no label column to its left")
UNKNOWN_UNIT = _declare("unknown-unit", "error", "the header states a unit that is not £, £'000, £k or £m")
NO_UNIT = _declare("no-unit", "error", 'the header states no unit (such as "Total £\'000")')
MERGED_CELLS = _declare("merged-cells", "warning", "cells in the table are merged; all but the first read as blank")
HIDDEN_ROW = _declare("hidden-row", "warning", "a row of the table is hidden; it is still read")
HIDDEN_COLUMN = _declare("hidden-column", "warning", "a column of the table is hidden; it is still read")
VALUE_OUTSIDE_TABLE = _declare(
    "value-outside-table", "error", "a value stands outside the table (below, beside or between it); not counted"
)
BLANK_ROW = _declare("blank-row", "warning", "a blank row inside the table; the table reads on past it")
UNLABELLED_ROW = _declare("unlabelled-row", "error", "a row has figures but no label; not counted")
LABEL_NOT_TEXT = _declare("label-not-text", "warning", "a label is a number or date, not text; read as its text")
DUPLICATE_LABEL = _declare(
    "duplicate-label", "error", "a label repeats an earlier one (or differs only in case or spacing); not counted"
)
UNKNOWN_ROW = _declare("unknown-row", "error", "a row with figures below the totals is not one the table has")
NOTE_AS_DATA = _declare("note-as-data", "warning", "text below the table has no 'Notes' heading; read as a note")
NEGATIVE_SAVING = _declare("negative-saving", "warning", "a function's saving for a year is negative")
FORMULA_NO_VALUE = _declare("formula-no-value", "error", "a formula has no cached value, so no figure to read")
EXCEL_ERROR = _declare("excel-error", "error", "an Excel error (#REF!, #DIV/0!, …) stands instead of a figure")
BOOLEAN_VALUE = _declare("boolean-value", "error", "TRUE or FALSE stands instead of a figure")
DATE_VALUE = _declare("date-value", "error", "a date stands instead of a figure")
NOT_MONEY = _declare(
    "not-money", "error", "a value cell is not an amount of money (tbc, text, past £1tn); never read as 0"
)
UNIT_IN_CELL = _declare("unit-in-cell", "warning", "a figure carries a unit other than the sheet's; read in its own")

# -- the sheet's own arithmetic: bch.analyse.checks ----------------------------------------------------------
ROW_TOTAL = _declare("row-total", "error", "a function's stated Total is not the sum of its years")
YEAR_TOTAL = _declare("year-total", "error", "a year's stated recurrent total is not the sum of its lines")
GRAND_TOTAL = _declare("grand-total", "error", "the stated recurrent Total is not the sum of all lines")
CUMULATIVE = _declare("cumulative", "error", "the annual cumulative row is not the running sum of the year totals")
SAVINGS_TO_DATE = _declare(
    "savings-to-date", "error", "the savings-to-date row is not the running sum of the annual cumulative"
)
COST_SIGN = _declare("cost-sign", "error", "a change-team cost is positive; costs are shown negative")
COST_CUMULATIVE = _declare("cost-cumulative", "error", "the cumulative costs row is not the running sum of the costs")
COST_TOTAL = _declare("cost-total", "error", "the costs row's stated Total is not the sum of the costs")
BLANK_TOTAL = _declare("blank-total", "warning", "a total cell is blank, but the figures it totals are not zero")
MISSING_ROW = _declare("missing-row", "warning", "a summary row the table should state is absent; not cross-checked")
NO_FUNCTIONS = _declare("no-functions", "error", "the table has no function rows above its totals")
YEAR_AFTER_AS_OF = _declare("year-after-as-of", "error", "a fiscal year of the header starts after the as-of date")

# -- the business-case register and its revisions: bch.read.register, bch.read.cases -------------------------
REGISTER_NO_FUNCTION = _declare("register-no-function", "error", "a register row names no function")
DUPLICATE_CASE = _declare("duplicate-case", "error", "a business case is in the register twice")
LABEL_CLAIMED_TWICE = _declare("label-claimed-twice", "error", "one sheet label is claimed by two business cases")
BAD_MONTH = _declare("bad-month", "error", "an approval month is not a month like 'Feb 2015'")
BAD_AMOUNT = _declare("bad-amount", "error", "an amount in a CSV is missing where required or not an amount of money")
NEGATIVE_FORECAST = _declare("negative-forecast", "error", "a forecast is negative; a forecast saving is positive")
ZERO_FORECAST = _declare(
    "zero-forecast", "warning", "a forecast is zero (or -0); read as £0, so the case has no delivery % nor RAG"
)
UNKNOWN_STATUS = _declare("unknown-status", "error", "a business case's status is not one the register allows")
UNKNOWN_CAUSE = _declare("unknown-cause", "warning", "a variance cause is not one the register allows")
REVISION_UNKNOWN_CASE = _declare("revision-unknown-case", "error", "a revision names a case not in the register")
BAD_DATE = _declare("bad-date", "error", "a revision's date is not a date like 2019-01-31 or a month like 2019-01")
BAD_ACTION_DUE = _declare(
    "bad-action-due", "warning", "a register's action_due is not a date like 2019-01-31: read as not stated"
)
BAD_PROFILE = _declare(
    "bad-profile", "warning", "a register's forecast profile is not fiscal years with rising amounts: read as none"
)
ALIAS_UNKNOWN_CASE = _declare(
    "alias-unknown-case", "warning", "a catalogued --alias names a function the register does not have"
)
REVISION_NO_REASON = _declare("revision-no-reason", "warning", "a revision does not say why it was made")
REGISTER_AFTER_AS_OF = _declare(
    "register-after-as-of", "warning", "the register was reviewed after the figures' as-of date (a later time)"
)
REGISTER_STALE = _declare(
    "register-stale", "warning", "the register was last reviewed over six months before the figures' as-of date"
)

# -- the paper's figures and the reconciliation: bch.read.claims, bch.analyse.reconcile ----------------------
UNKNOWN_METRIC = _declare("unknown-metric", "error", "a claim names a metric bch does not compute")
CLAIM_MISMATCH = _declare("claim-mismatch", "error", "the paper's figure differs from the one bch computes")
UNKNOWN_COLUMN = _declare(
    "unknown-column",
    "warning",
    "a register, revisions or claims CSV has a column bch does not read; it is dropped, never published",
)
POSSIBLE_MATCH = _declare(
    "possible-match", "warning", "an unmatched sheet line and business case look alike; proposed, not matched"
)
NO_BUSINESS_CASE = _declare(
    "no-business-case", "warning", "a sheet line matches no business case; shown without a forecast"
)
CASE_MATCHED_TWICE = _declare(
    "case-matched-twice", "error", "two sheet lines match one business case (its labels, an alias); neither is counted"
)
NO_SHEET_LINE = _declare("no-sheet-line", "warning", "a business case's sheet labels are not in the sheet")

# -- one edition against the one before it, and the catalogue's files: bch.analyse.drift ---------------------
FORECAST_REVERTED = _declare(
    "forecast-reverted",
    "warning",
    "a case's latest forecast goes back to one the previous edition had replaced, with no revision saying why",
)
YEAR_RESTATED = _declare(
    "year-restated", "warning", "a fiscal year's total differs from the previous edition's (restated, or a line gone)"
)
NO_NEW_YEAR = _declare("no-new-year", "warning", "the workbook states no fiscal year beyond the previous edition's")
FILE_CHANGED = _declare(
    "file-changed", "error", "a catalogued file's bytes differ from those recorded when its edition was added"
)


def markdown_table() -> str:
    """The catalogue as a Markdown table (code, severity, meaning), in declaration order."""
    rows = ["| code | severity | meaning |", "|---|---|---|"]
    rows += [f"| `{c.code}` | {c.severity} | {c.meaning} |" for c in CATALOGUE.values()]
    return "\n".join(rows) + "\n"
