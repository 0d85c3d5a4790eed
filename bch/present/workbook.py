"""What `bch-pack.xlsx` holds, sheet by sheet, and how a reader sees each column: headers in words, cell
references naming the workbook they point into. `bch.present.excel` writes and prints what this builds.
"""

from __future__ import annotations

import re

import pandas as pd

from bch.core import cells, labels
from bch.core.schema import Schema
from bch.present import formats

HEADLINES = "Headlines"
HEADLINE_TABLE = Schema("headlines", {"measure": "text", "label": "text", "amount_gbp": "money", "cells": "text"})
BY_YEAR = Schema(
    "by-year",
    {
        "fiscal_year": "text",
        "recurrent_added_gbp": "money",
        "recurrent_a_year_by_then_gbp": "money",
        "cumulative_savings_gbp": "money",
    },
)
COSTS = Schema(
    "change-team-costs",
    {"fiscal_year": "text", "change_team_costs_gbp": "money", "cumulative_change_team_costs_gbp": "money"},
)
CHANGES = Schema(
    "changes",
    {"kind": "text", "item": "text", "before": "text", "after": "text", "before_gbp": "money", "after_gbp": "money"},
)
CELL_COLUMNS = ("cell", "cells", "actual_cells", "metric_cell")  # hold Sheet!A1 references into the source
DATE_COLUMNS = ("as_of", "about_as_of", "revised_on", "figures as at")
WORDS = {  # a column's header where its name does not read as words on its own
    "rag": "RAG",
    "as_of": "As at",
    "about_as_of": "About the edition as at",
    "fiscal_year": "Fiscal year",
    "ok": "Agrees",
    "sheet_label": "Label in the sheet",
    "delivery_vs_original_pct": "Delivery against the original forecast (%)",
    "variance_vs_original_gbp": "Variance against the original forecast (£)",
    "cumulative_to_date_gbp": "Cumulative savings to date (£)",
    "recurrent_gbp": "Recurrent savings a year (£)",
}


class Percent(float):
    """A fraction the workbook shows as a percentage (a value outside a column named *_pct)."""


def heading(column: str) -> str:
    """'latest_forecast_gbp' -> 'Latest forecast (£)', 'delivery_pct' -> 'Delivery (%)', 'rag' -> 'RAG'."""
    if column in WORDS:
        return WORDS[column]
    unit = {"_gbp": " (£)", "_pct": " (%)"}.get(column[-4:], "")
    words = (column[:-4] if unit else column).replace("_", " ").strip()
    return words[:1].upper() + words[1:] + unit


def cell_heading(column: str, source: str) -> str:
    return f"{heading(column)}, in {source}" if source else heading(column)


def name_the_workbook(text: str, sheet: str, source: str) -> str:
    """'Savings!C3' -> '[savings.xlsx]Savings!C3': a reference names the workbook it points
    into (the pack's own Savings sheet has other values at C3)."""
    if not source or not sheet:
        return text
    written = cells.quote_sheet(sheet)  # as the reference writes it: Savings!C3, 'Table 5.2'!C3
    named = f"[{labels.neutralise(source)}]{written}!"  # a file name is input: never a control or bidi character
    return re.sub(rf"(?<![\w\]']){re.escape(written)}!", lambda _: named, text)  # a function: never a template


def sheets(analysis, trend=None, changes=None) -> dict[str, pd.DataFrame]:
    """Every sheet of the pack's workbook, by its title, in order."""
    from bch.analyse import reconcile
    from bch.analyse.tables import pack_tables

    tables = pack_tables(analysis)
    out = {
        "Variance": tables["variance"][reconcile.COLUMNS],
        "Savings": tables["savings-tidy"],
        "By year": by_year(analysis),
        "Change-team costs": costs(analysis),
        "Findings": tables["findings"],
        "Claims": tables["claims"],
        HEADLINES: headlines(analysis),
    }
    if trend is not None and trend.enough:
        out["Trend"] = trend.cases
        out["Changes since the last pack"] = changes_frame(changes or [])
    out["About"] = about(analysis)
    return out


def changes_frame(changes: list[dict]) -> pd.DataFrame:
    """The changes since the last pack as the board pack words them (£k), with exact pounds beside a money one."""

    def exact(value, money: bool) -> int | None:
        if not money or formats.is_missing(value):
            return None
        try:
            return int(value)  # a pack's CSVs hold money as whole-pound text: '92000'
        except (TypeError, ValueError):
            return None

    rows = [
        (
            c["kind"],
            c["item"],
            formats.change_value(c["before"], c["money"]),
            formats.change_value(c["after"], c["money"]),
            exact(c["before"], c["money"]),
            exact(c["after"], c["money"]),
        )
        for c in changes
    ]
    return CHANGES.frame(rows)


def _pounds(value) -> int | None:
    return None if formats.is_missing(value) else abs(int(value))


def by_year(analysis) -> pd.DataFrame:
    """Each fiscal year: recurrent savings added, recurrent savings a year by then and cumulative savings."""
    from bch.analyse import summary

    sheet = analysis.sheet
    cumulative = summary.cumulative_savings(sheet)
    rows, running = [], 0
    for row in summary.by_year(sheet):
        added = row["recurrent_gbp"]
        running = None if added is None or running is None else running + added
        year = row["fiscal_year"]
        rows.append((year, added, running, _pounds(cumulative.get(year))))
    return BY_YEAR.frame(rows)


def costs(analysis) -> pd.DataFrame:
    """The change team's costs in each fiscal year and to date (shown beside the savings, never netted)."""
    from bch.analyse import summary

    sheet = analysis.sheet
    each, to_date = summary.change_team_costs(sheet), summary.cumulative_costs(sheet)
    rows = [(year, _pounds(each.get(year)), _pounds(to_date.get(year))) for year in each.index]
    return COSTS.frame(rows)


def headlines(analysis) -> pd.DataFrame:
    """The board pack's headline figures with the cells they are computed from: the three from the sheet and
    the savings delivered by the business cases with forecasts."""
    from bch.analyse import summary

    first_year = analysis.sheet.years[0] if analysis.sheet.years else "the first year"
    shown = formats.headlines(analysis.totals, first_year, summary.headline_spans(analysis.sheet))
    rows = [(h.key, h.label, h.pounds, h.cells) for h in shown]
    delivered = formats.delivery(analysis.variance_totals, analysis.variance["status"], analysis.materiality_pct)
    if delivered is not None:
        measured = analysis.variance[analysis.variance["variance_gbp"].notna()]
        cells = "; ".join(c for c in measured["actual_cells"] if isinstance(c, str) and c)
        rows.append(("delivered_gbp", formats.delivered_label(delivered), delivered.actual, cells))
    return HEADLINE_TABLE.frame(rows)


def about(analysis) -> pd.DataFrame:
    """What the workbook is, so a copy sent on its own still says which figures and when."""
    inputs = analysis.inputs
    about_claims = "no quoted figures"
    if len(analysis.claims):
        about_claims = "checked against these figures"
        if inputs is not None and not inputs.claims_checked and inputs.claims_edition is not None:
            about_claims = f"quoted about the edition as at {inputs.claims_edition.key}: for information, not checked"
    rows = [
        ("figures as at", inputs.as_of if inputs and inputs.as_of else "not stated"),
        ("edition", inputs.edition.key if inputs and inputs.edition else "none (inputs given explicitly)"),
        ("source", inputs.source_line() if inputs else ""),
        ("source workbook", analysis.sheet.path.name if analysis.sheet.path else ""),
        ("materiality", Percent(analysis.materiality_pct / 100)),
        ("claims sheet", about_claims),
    ]
    return pd.DataFrame.from_records(rows, columns=["field", "value"])
