"""Charts of the business cases: each function takes tables and returns matplotlib Figures, drawn in
`bch.present.chartstyle`'s theme; the charts over years and editions are `bch.present.yearcharts`'.
Every figure, percentage and sentence is `bch.present`'s, so a chart says what the tables say.

A chart of cases shows every case: beyond a page's worth it is drawn as several pages (`variance-1`,
`variance-2`, …), on one scale, each titled with the whole finding and the cases it shows. `names` is
the one list of them that the notebook, the board pack and the alt text (`bch.present.chartalt`) read.
"""

from __future__ import annotations

import pandas as pd

from bch.present import chartstyle as style
from bch.present import formats
from bch.present.yearcharts import cumulative_chart, recurrent_by_year_chart, trend_cases, trend_chart

__all__ = ["cumulative_chart", "recurrent_by_year_chart", "trend_chart"]

PAGE_ROWS = {"variance": 16, "delivery": 22, "trend": 16}  # cases per page: a page prints on one A4 page
CASE_CHARTS = ("variance", "delivery")
YEAR_CHARTS = ("recurrent-by-year", "cumulative")


def measured(variance: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation rows that have a variance figure, in register order."""
    return variance[variance["variance_gbp"].notna()].reset_index(drop=True)


def delivered_rows(variance: pd.DataFrame) -> pd.DataFrame:
    """The rows with a delivery % (a £0 forecast has a variance but none), lowest first."""
    rows = measured(variance)
    rows = rows[rows["delivery_pct"].notna()]
    return rows.sort_values("delivery_pct", ascending=True, kind="stable").reset_index(drop=True)


def pages(cases: int, per_page: int) -> list[tuple[int, int]]:
    """[start, stop) of each page: as few pages as hold every case, filled evenly."""
    count = max(1, -(-cases // per_page))
    size = -(-cases // count) if cases else 0
    return [(i * size, min(cases, (i + 1) * size)) for i in range(count)]


def _page_names(chart: str, cases: int) -> list[str]:
    spans = pages(cases, PAGE_ROWS[chart])
    return [chart] if len(spans) == 1 else [f"{chart}-{i}" for i in range(1, len(spans) + 1)]


def names(trend=None, variance: pd.DataFrame | None = None) -> list[str]:
    """The charts a pack has, in the board pack's order: a chart of cases as one or several pages (given the
    reconciliation), the trend only from a second edition on."""
    if variance is None:
        counts = {"variance": 0, "delivery": 0}
    else:
        counts = {"variance": len(measured(variance)), "delivery": len(delivered_rows(variance))}
    out = [name for chart in CASE_CHARTS for name in _page_names(chart, counts[chart])]
    return out + list(YEAR_CHARTS) + (_page_names("trend", len(trend_cases(trend))) if trend and trend.enough else [])


def trend_charts(trend) -> list:
    """The trend chart's pages."""
    spans = pages(len(trend_cases(trend)), PAGE_ROWS["trend"])
    return [trend_chart(trend, (start, stop, len(spans), n)) for n, (start, stop) in enumerate(spans, 1)]


def _page_title(title: str, start: int, stop: int, cases: int, count: int, number: int) -> str:
    if count == 1:
        return title
    return f"{title} (page {number} of {count}: cases {start + 1}–{stop} of {cases})"


def variance_charts(variance: pd.DataFrame, totals: dict, source: str = "", materiality_pct: float | None = None):
    """The variance chart's pages: every case with a variance figure, on one scale across the pages."""
    rows = measured(variance)
    spans = pages(len(rows), PAGE_ROWS["variance"])
    limits = (_limits([int(v) for v in rows["variance_gbp"]], 0.35, 1000), _limits(_pins(rows)[1], 0.4, 10))
    top = max([int(v) for v in rows["latest_forecast_gbp"]] + [int(v) for v in rows["actual_gbp"]] + [1])
    return [
        variance_chart(variance, totals, source, materiality_pct, (start, stop, len(spans), number, limits, top))
        for number, (start, stop) in enumerate(spans, 1)
    ]


def _limits(values: list, share: float, least: float) -> tuple[float, float]:
    low, high = min([*values, 0]), max([*values, 0])
    pad = (high - low) * share or least
    return low - pad, high + pad


def _pins(rows: pd.DataFrame) -> tuple[list[int], list[float]]:
    # a case forecast at £0 has a variance but no delivery %: no pin for it
    pins = [(i, float(p) - 100) for i, p in enumerate(rows["delivery_pct"]) if not formats.is_missing(p)]
    return [i for i, _ in pins], [p for _, p in pins]


def variance_chart(variance, totals: dict, source: str = "", materiality_pct: float | None = None, page=None):
    """Forecast (outlined) against actual (solid), variance bars and relative variance pins in the colour of
    each case's RAG; `totals` are the reconciliation's (`bch.analyse.reconcile.totals`), never added up again."""
    everything = measured(variance)
    start, stop, count, number, limits, top = page or (0, len(everything), 1, 1, None, None)
    rows = everything.iloc[start:stop].reset_index(drop=True)
    unshown = variance[variance["variance_gbp"].isna()]
    with style.theme():
        fig, (ax_abs, ax_var, ax_pct) = style.new_figure(
            1, 3, height=0.5 * max(len(rows), 3) + 2.2, sharey=True, gridspec_kw={"width_ratios": [2.4, 1.5, 1.2]}
        )
        y = list(range(len(rows)))
        _forecast_and_actual(ax_abs, rows, y, top)
        _variance_bars(ax_var, rows, y, limits[0] if limits else None)
        _variance_pins(ax_pct, rows, limits[1] if limits else None)
        handles = ax_abs.get_legend_handles_labels()[0] + style.rag_handles(rows["rag"], materiality_pct)
        delivered = formats.delivery(totals)
        title = formats.delivered_sentence(delivered) if delivered else formats.NO_COMPARISON
        caption = None
        if len(unshown):
            caption = "Not shown (no variance figure): " + "; ".join(
                f"{style.short(f)} ({s})" for f, s in zip(unshown["function"], unshown["status"], strict=True)
            )
        title = _page_title(title, start, stop, len(everything), count, number)
        return style.finish(fig, title, caption, source, legend=handles)


def _forecast_and_actual(ax, rows: pd.DataFrame, y: list[int], top: int | None) -> None:
    """Actual solid, latest forecast outlined, and the original forecast dashed where a revision superseded it."""
    latest = [int(v) for v in rows["latest_forecast_gbp"]]  # Python ints: money never goes through int64
    actual = [int(v) for v in rows["actual_gbp"]]
    superseded = [
        (i, int(o))
        for i, o, r in zip(y, rows["forecast_gbp"], rows["revised_forecast_gbp"].notna(), strict=True)
        if r and not pd.isna(o)
    ]
    outline = {"height": 0.75, "fill": False, "edgecolor": style.FORECAST_EDGE, "zorder": 4}
    ax.barh(y, actual, height=0.5, color=style.ACTUAL, label="Actual", zorder=3)
    ax.barh(y, latest, linewidth=1.2, label="Forecast (latest)", **outline)
    if superseded:
        ax.barh(
            [i for i, _ in superseded],
            [o for _, o in superseded],
            linewidth=1.0,
            linestyle=(0, (2, 2)),
            label="Original forecast (revised since)",
            **outline,
        )
    ax.set_yticks(y, [style.label(f) for f in rows["function"]])
    ax.set_ylim(max(len(y), 3) - 0.5, -0.5)  # first case on top; a short page keeps its rows' height
    ax.grid(axis="y", visible=False)  # no line through a case's label
    ax.set_title("Forecast and actual")
    style.money_axis(ax.xaxis, 2)
    if top is not None:
        ax.set_xlim(0, top * 1.05)


def _variance_bars(ax, rows: pd.DataFrame, y: list[int], limits) -> None:
    deltas = [int(v) for v in rows["variance_gbp"]]
    colours = [style.rag_colour(r) for r in rows["rag"]]
    ax.barh(y, deltas, height=0.5, color=colours, edgecolor=style.RAG_EDGE, linewidth=0.6, zorder=3)
    ax.axvline(0, color=style.ACTUAL, linewidth=1)
    ax.grid(axis="y", visible=False)
    style.label_ends(ax, y, deltas, lambda d: formats.gbp_k(d, signed=True), 3)
    ax.set_title("Variance, £")  # actual − latest forecast
    style.money_axis(ax.xaxis, 2)  # a narrow panel: two ticks leave room for wide labels
    ax.set_xlim(*(limits or _limits(deltas, 0.35, 1000)))


def _variance_pins(ax, rows: pd.DataFrame, limits) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter

    y_pct, pct = _pins(rows)
    colours = [style.rag_colour(rows["rag"].iloc[i]) for i in y_pct]
    ax.hlines(y_pct, 0, pct, color=colours, linewidth=2, zorder=3)
    ax.scatter(pct, y_pct, color=colours, edgecolors=style.RAG_EDGE, linewidths=0.6, s=30, zorder=4)
    ax.axvline(0, color=style.ACTUAL, linewidth=1)
    ax.grid(axis="y", visible=False)
    style.label_ends(ax, y_pct, pct, formats.pct_change, 5)
    ax.set_xlim(*(limits or _limits(pct, 0.4, 10)))
    ax.set_title("Variance, %")
    ax.xaxis.set_major_locator(FixedLocator([0]))  # each pin is labelled: one tick, at forecast
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: "0%"))


def delivery_charts(variance: pd.DataFrame, totals: dict, materiality_pct: float, source: str = ""):
    """The delivery chart's pages, lowest delivery first, on one scale across the pages."""
    rows = delivered_rows(variance)
    spans = pages(len(rows), PAGE_ROWS["delivery"])
    right = max([float(p) for p in rows["delivery_pct"]] + [100 + materiality_pct]) * 1.15
    return [
        delivery_chart(variance, totals, materiality_pct, source, (start, stop, len(spans), number, right))
        for number, (start, stop) in enumerate(spans, 1)
    ]


def delivery_chart(variance: pd.DataFrame, totals: dict, materiality_pct: float, source: str = "", page=None):
    """Delivery % of the latest forecast by case, lowest first, in the colour of each case's RAG, with Green's
    one-sided band: from materiality below forecast up, however far above.

    The count in the title follows each case's status, never its rounded percentage (89.96% shows as 90.0%
    but is short of a 10% threshold)."""
    everything = delivered_rows(variance)
    pct_all = [float(p) for p in everything["delivery_pct"]]
    start, stop, count, number, right = page or (
        0,
        len(everything),
        1,
        1,
        max([*pct_all, 100 + materiality_pct]) * 1.15,
    )
    rows = everything.iloc[start:stop]
    with style.theme():
        fig, ax = style.new_figure(height=0.42 * max(len(rows), 3) + 1.9)
        pct = [float(p) for p in rows["delivery_pct"]]
        y = list(range(len(rows)))
        ax.axvspan(100 - materiality_pct, right, color="#EEEEEE", zorder=1)
        ax.axvline(100, color=style.ACTUAL, linewidth=1, zorder=2)
        colours = [style.rag_colour(r) for r in rows["rag"]]
        ax.barh(y, pct, height=0.55, color=colours, edgecolor=style.RAG_EDGE, linewidth=0.6, zorder=3)
        for i, p in zip(y, pct, strict=True):
            ax.annotate(
                formats.pct(p), (p, i), xytext=(3, 0), textcoords="offset points", va="center", bbox=style.LABEL_BOX
            )
        ax.set_yticks(y, [style.label(f) for f in rows["function"]])
        ax.set_ylim(max(len(y), 3) - 0.5, -0.5)  # lowest first, from the top
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(
            f"Delivered, % of latest forecast\nShaded: Green, {100 - materiality_pct:g}% of forecast or more "
            "(one-sided: above forecast is never a shortfall)"
        )
        ax.set_xlim(0, right)
        delivered = formats.delivery(totals, variance["status"], materiality_pct)
        title = formats.shortfall_sentence(delivered) if delivered else formats.NO_COMPARISON
        title = _page_title(title, start, stop, len(everything), count, number)
        return style.finish(fig, title, None, source, legend=style.rag_handles(rows["rag"], materiality_pct))


def figures_for(analysis, trend=None) -> dict:
    """Every chart of a `bch.analyse.pipeline.Analysis` (and its `bch.analyse.history.Trend`), by `names`."""
    from bch.analyse import summary

    sheet = analysis.sheet
    source = analysis.inputs.source_line() if analysis.inputs else ""
    by_year = {row["fiscal_year"]: row["recurrent_gbp"] for row in summary.by_year(sheet)}
    variance, totals, m = analysis.variance, analysis.variance_totals, analysis.materiality_pct
    drawn = [
        *variance_charts(variance, totals, source, m),
        *delivery_charts(variance, totals, m, source),
        recurrent_by_year_chart(sheet.tidy(), by_year, source),
        cumulative_chart(summary.cumulative_savings(sheet), summary.cumulative_costs(sheet), source),
    ]
    if trend is not None and trend.enough:
        drawn += trend_charts(trend)
    return dict(zip(names(trend, variance), drawn, strict=True))
