"""What notebooks display: escaped, £-formatted tables and computed prose.

Every label from the data is HTML-escaped before it is shown (pandas' Styler does not escape by
default). Numbers in prose are computed here, never typed into a notebook.
"""

from __future__ import annotations

import html

import pandas as pd

from bch.findings import findings_frame
from bch.money import as_pounds, format_gbp, format_gbp_k

BAD = "#B34700"  # darker than the charts' vermillion, for text contrast
GOOD = "#00795A"


def _money(value) -> str:
    return format_gbp(as_pounds(value))


def _signed(value) -> str:
    return format_gbp(as_pounds(value), signed=True)


def _pct(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.1f}%"


def _impact(value) -> str:
    pounds = as_pounds(value)
    if pounds is None or pounds == 0:
        return ""
    return f"color: {BAD if pounds < 0 else GOOD}; font-weight: bold"


def _styled(frame: pd.DataFrame, formats: dict | None = None):
    """A Styler that escapes every cell and header, with no index column."""
    formats = formats or {}
    text_columns = [c for c in frame.columns if c not in formats]
    styler = frame.style.hide(axis="index").format_index(escape="html", axis=1)
    if text_columns:
        styler = styler.format(escape="html", na_rep="–", subset=text_columns)
    for column, fmt in formats.items():
        styler = styler.format(lambda v, fmt=fmt: html.escape(fmt(v)), subset=[column])
    if formats:  # figures stay on one line, aligned on the right
        styler = styler.set_properties(subset=list(formats), **{"white-space": "nowrap", "text-align": "right"})
    return styler


def findings_table(findings):
    frame = findings_frame(findings)
    if frame.empty:
        frame = pd.DataFrame({"severity": [], "code": [], "cell": [], "message": []})
    styler = _styled(frame.fillna({"cell": "–"}))
    return styler.map(lambda s: f"color: {BAD}; font-weight: bold" if s == "error" else "", subset=["severity"])


def tidy_table(tidy: pd.DataFrame):
    return _styled(tidy, {"saving_gbp": _money})


VARIANCE_VIEW = {
    "function": "Function",
    "approved": "Approved",
    "forecast_gbp": "Forecast",
    "revised_forecast_gbp": "Revised",
    "actual_gbp": "Actual",
    "variance_gbp": "Variance",
    "variance_vs_original_gbp": "vs original",
    "delivery_pct": "Delivery",
    "status": "Status",
    "variance_causes": "Cause",
    "actual_cells": "Actual from",
}


def variance_table(variance: pd.DataFrame):
    """The reconciliation, £ with separators, variance coloured by impact (IBCS: red bad, green good)."""
    frame = variance[list(VARIANCE_VIEW)].rename(columns=VARIANCE_VIEW)
    styler = _styled(
        frame,
        {
            "Forecast": _money,
            "Revised": _money,
            "Actual": _money,
            "Variance": _signed,
            "vs original": _signed,
            "Delivery": _pct,
        },
    )
    return styler.map(_impact, subset=["Variance", "vs original"])


def claims_table(claims: pd.DataFrame):
    frame = claims[["paragraph", "quote", "metric", "claimed_gbp", "computed_gbp", "ok"]].rename(
        columns={"claimed_gbp": "paper", "computed_gbp": "computed"}
    )
    styler = _styled(frame, {"paper": _money, "computed": _money, "ok": lambda ok: "✓" if ok else "✗"})
    return styler.map(lambda ok: "" if ok else f"color: {BAD}; font-weight: bold", subset=["ok"])


def headline(analysis, as_of=None) -> str:
    """A paragraph of the headline figures, every number computed, as escaped HTML."""
    totals = analysis.totals
    counts = {"error": 0, "warning": 0}
    for f in analysis.findings:
        counts[f.severity] += 1
    parts = [
        f"Recurrent savings <b>{html.escape(format_gbp_k(totals['recurrent_gbp']))}</b> a year",
        f"<b>{html.escape(format_gbp_k(totals['cumulative_to_date_gbp']))}</b> cumulative since "
        f"{html.escape(analysis.sheet.years[0] if analysis.sheet.years else '–')}",
        f"change-team costs <b>{html.escape(format_gbp_k(totals['change_team_costs_gbp']))}</b> (not netted)",
    ]
    stated = f"As at {as_of.day} {as_of:%B %Y}: " if as_of else "As-of date not stated: "
    text = (
        stated
        + "; ".join(parts)
        + f". Data-quality findings: {counts['error']} error(s), {counts['warning']} warning(s)."
    )
    if len(analysis.variance):
        t = analysis.variance_totals
        text += (
            f" The {t['cases']} business cases with figures delivered "
            f"<b>{html.escape(format_gbp_k(t['actual_gbp']))}</b> against "
            f"{html.escape(format_gbp_k(t['latest_forecast_gbp']))} forecast "
            f"({html.escape(format_gbp_k(t['variance_gbp'], signed=True))})."
        )
    return f"<p>{text}</p>"


def trend(figures: dict, folder):
    """The across-editions chart, saved and shown; with one edition, a line saying so."""
    from IPython.display import HTML

    from bch import charts

    if "trend" not in figures:
        return HTML("<p>One edition so far: the trend across editions appears from the next one.</p>")
    return image(charts.save(figures["trend"], folder, "trend"))


def image(saved: list):
    """Show a chart from the PNG `bch.charts.save` wrote, so what is seen is what was published."""
    from IPython.display import Image

    png = next(p for p in saved if str(p).endswith(".png"))
    return Image(filename=str(png))
