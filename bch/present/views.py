"""What notebooks display: escaped, £-formatted tables and computed prose.

Every label from the data is HTML-escaped before it is shown (pandas' Styler does not escape by
default). Formats, colours and sentences are `bch.present`'s, so a notebook says what the board pack
says; numbers in prose are computed, never typed into a notebook.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from bch.core.findings import count_by_severity, findings_frame
from bch.present import formats

BAD = formats.BAD
GOOD = formats.GOOD


def _money(value) -> str:
    return formats.gbp(value)


def _signed_k(value) -> str:
    return formats.gbp_k(value, signed=True)


def _impact(value) -> str:
    impact = formats.impact(value)
    return f"color: {BAD if impact == 'bad' else GOOD}; font-weight: bold" if impact else ""


def _rag(rag) -> str:
    """The RAG word beside a swatch of its colour (the charts' colour): never colour alone. The word stays in
    ink, legible on white whatever the swatch."""
    colour = formats.rag_colour(rag)
    weight = "normal" if rag == "none" else "bold"
    return f"text-align: left; font-weight: {weight}; border-left: 0.8em solid {colour}; padding-left: 0.3em"


def _styled(frame: pd.DataFrame, formats: dict | None = None):
    """A Styler that escapes every cell and header, with no index column."""
    formats = formats or {}
    text_columns = [c for c in frame.columns if c not in formats]
    styler = frame.style.hide(axis="index").format_index(escape="html", axis=1)
    if text_columns:  # text reads from the left (JupyterLab right-aligns every cell by default)
        styler = styler.format(escape="html", na_rep="–", subset=text_columns)
        styler = styler.set_properties(subset=text_columns, **{"text-align": "left"})
        styler = styler.set_table_styles([{"selector": "th", "props": [("text-align", "left")]}], overwrite=False)
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
    "rag": "RAG",
    "variance_causes": "Cause",
    "actual_cells": "Actual from",
}


def variance_table(variance: pd.DataFrame):
    """The reconciliation, £ with separators, variance coloured by impact (IBCS: red bad, green good),
    and each case's RAG as a word in its colour."""
    frame = variance[list(VARIANCE_VIEW)].rename(columns=VARIANCE_VIEW)
    styler = _styled(
        frame,
        {
            "Approved": formats.month,  # 'February 2015', as the board pack names a month
            "Forecast": formats.gbp_k,  # £ thousands, exact, as the board pack and the charts show them
            "Revised": formats.gbp_k,
            "Actual": formats.gbp_k,
            "Variance": _signed_k,
            "vs original": _signed_k,
            "Delivery": formats.pct,
            "RAG": formats.rag_word,
        },
    )
    return styler.map(_impact, subset=["Variance", "vs original"]).map(_rag, subset=["RAG"])


def claims_table(claims: pd.DataFrame):
    frame = claims[["paragraph", "quote", "metric", "claimed_gbp", "computed_gbp", "ok"]].rename(
        columns={"claimed_gbp": "paper", "computed_gbp": "computed"}
    )
    styler = _styled(frame, {"paper": _money, "computed": _money, "ok": lambda ok: "✓" if ok else "✗"})
    return styler.map(lambda ok: "" if ok else f"color: {BAD}; font-weight: bold", subset=["ok"])


def headline(analysis, as_of=None) -> str:
    """A paragraph of the headline figures and the delivered sentence, every number computed, as escaped HTML."""
    sheet = analysis.sheet
    recurrent, cumulative, costs = (
        f"<b>{html.escape(h.figure)}</b>"
        for h in formats.headlines(analysis.totals, sheet.years[0] if sheet.years else None)
    )
    since = html.escape(sheet.years[0] if sheet.years else formats.MISSING)
    counts = count_by_severity(analysis.findings)
    stated = f"As at {formats.long_date(as_of)}: " if as_of else "As-of date not stated: "
    text = (
        f"{stated}Recurrent savings {recurrent} a year; {cumulative} cumulative since {since}; "
        f"change-team costs {costs} (not netted). "
        f"Data-quality findings: {counts['error']} error(s), {counts['warning']} warning(s)."
    )
    if len(analysis.variance):
        delivered = formats.delivery(analysis.variance_totals, analysis.variance["status"], analysis.materiality_pct)
        text += " " + html.escape(formats.headline_sentence(delivered))
    return f"<p>{text}</p>"


def trend(figures: dict, folder):
    """The across-editions chart, saved and shown; with one edition, a line saying so."""
    from IPython.display import HTML

    if not any(name == "trend" or name.startswith("trend-") for name in figures):
        return HTML("<p>One edition so far: the trend across editions appears from the next one.</p>")
    return pages(figures, folder, "trend")


def saved(paths: list):
    """What a cell wrote, by file name: the folder it ran in may be temporary (a pack's is renamed)."""
    from IPython.display import HTML

    names = ", ".join(html.escape(Path(p).name) for p in paths)
    return HTML(f"<p>Saved into <code>output_dir</code>: {names}.</p>")


def image(saved: list):
    """Show a chart from the PNG `bch.present.chartstyle.save` wrote, so what is seen is what was published."""
    from IPython.display import Image

    png = next(p for p in saved if str(p).endswith(".png"))
    return Image(filename=str(png))


def pages(figures: dict, folder, chart: str) -> None:
    """Every page of a chart (`variance`, or `variance-1`, `variance-2`, … as `bch.present.charts.names`
    lists them), saved and shown in turn."""
    from IPython.display import display

    from bch.present import chartstyle

    for name, fig in figures.items():
        stem, _, number = name.rpartition("-")
        if name == chart or (stem == chart and number.isdigit()):
            display(image(chartstyle.save(fig, folder, name)))
