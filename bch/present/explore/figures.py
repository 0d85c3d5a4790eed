"""The board pack's charts (`bch.present.charts.figures_for`), each with the cells its figures come from in a
table beside it; a scenario's charts carry the banner over them."""

from __future__ import annotations

import base64
import dataclasses
import html
from io import BytesIO

import pandas as pd

from bch.analyse import summary
from bch.present import charts, formats

TITLES = {
    "variance": "Variance per business case",
    "delivery": "Delivery against forecast",
    "recurrent-by-year": "Recurrent savings per fiscal year",
    "cumulative": "Cumulative savings and change-team costs",
    "trend": "Across editions",
}


def case_sources(variance: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Each charted case's latest forecast and actual, with the cells they come from."""
    cell_of = dict(zip(cases["function"], cases["forecast_cell"], strict=True)) if len(cases) else {}
    rows = charts.measured(variance)
    return pd.DataFrame(
        {
            "function": rows["function"],
            "latest forecast": [formats.gbp(v) for v in rows["latest_forecast_gbp"]],
            "forecast from": [
                "what-if"
                if on and str(src).startswith("what-if")
                else (f"revision of {on}" if on else cell_of.get(f, ""))
                for f, on, src in zip(rows["function"], rows["revised_on"], rows["revision_source"], strict=True)
            ],
            "actual": [formats.gbp(v) for v in rows["actual_gbp"]],
            "actual from": rows["actual_cells"],
        }
    )


def year_sources(analysis) -> pd.DataFrame:
    """Each fiscal year's recurrent savings with the first and last cell of the year's column."""
    tidy = analysis.sheet.tidy()
    rows = []
    for year in summary.by_year(analysis.sheet):
        cells = list(tidy[tidy["fiscal_year"] == year["fiscal_year"]]["cell"])
        span = f"{cells[0]}…{cells[-1].split('!')[-1]}" if len(cells) > 1 else (cells[0] if cells else "")
        rows.append({"year": year["fiscal_year"], "recurrent": formats.gbp(year["recurrent_gbp"]), "cells": span})
    return pd.DataFrame(rows)


def sources(analysis, name: str) -> pd.DataFrame:
    """The source table shown beside chart `name`."""
    if name in ("variance", "delivery"):
        return case_sources(analysis.variance, analysis.register.cases)
    if name == "trend":
        return pd.DataFrame({"source": ["every catalogued edition up to this one (data/raw/editions.toml)"]})
    return year_sources(analysis)


def png(figure, banner: str = "") -> bytes:
    """The Figure as PNG bytes (the banner over it, in the colour of bad news), then closed."""
    import matplotlib.pyplot as plt

    if banner:
        figure.text(0.01, 1.16, banner, ha="left", va="bottom", fontsize=12, fontweight="bold", color=formats.BAD)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def html_table(frame: pd.DataFrame, kind: str = "bch-table") -> str:
    """A small table, every cell escaped (labels and cells come from the inputs)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f'<table class="{kind}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def charted(analysis, variance: pd.DataFrame, materiality_pct: float, trend, banner: str = "") -> list[tuple]:
    """(title, PNG bytes, sources HTML) per chart of the pack, drawn from `variance` at `materiality_pct`."""
    shown = dataclasses.replace(analysis, variance=variance, materiality_pct=materiality_pct)
    drawn = charts.figures_for(shown, trend)
    return [
        (TITLES.get(name, name), png(fig, banner), html_table(sources(shown, name), "bch-chart-sources"))
        for name, fig in drawn.items()
    ]


def chart_html(title: str, png_bytes: bytes, sources_html: str) -> str:
    """A chart's heading, then its picture with its source cells beside it (the picture scaled, never cropped)."""
    picture = base64.b64encode(png_bytes).decode("ascii")
    return (
        f'<h4>{html.escape(title)}</h4><div class="bch-chart" style="display:flex;gap:1em;align-items:flex-start">'
        f'<img alt="{html.escape(title)}" src="data:image/png;base64,{picture}" '
        'style="flex:0 1 56%;min-width:0;height:auto">'
        f'<div style="flex:1 1 0;min-width:0;overflow-x:auto">{sources_html}</div></div>'
    )
