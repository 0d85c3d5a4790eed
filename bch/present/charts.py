"""Charts: each function takes tables and returns a matplotlib Figure, drawn in `bch.present.chartstyle`'s
theme. Every figure, percentage and sentence is `bch.present`'s, so a chart says what the tables say.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from bch.present import chartstyle as style
from bch.present import formats


def measured(variance: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation rows that have a variance figure, in register order."""
    return variance[variance["variance_gbp"].notna()].reset_index(drop=True)


def variance_chart(variance: pd.DataFrame, totals: dict, source: str = ""):
    """Forecast (outlined) against actual (solid), absolute variance bars, relative variance pins; `totals` are the
    reconciliation's (`bch.analyse.reconcile.totals`, held by the analysis), never added up again here."""
    rows = measured(variance)
    unshown = variance[variance["variance_gbp"].isna()]
    with style.theme():
        fig, (ax_abs, ax_var, ax_pct) = style.new_figure(
            1, 3, height=0.45 * max(len(rows), 3) + 1.6, sharey=True, gridspec_kw={"width_ratios": [2.2, 1.6, 1.2]}
        )
        y = list(range(len(rows)))
        _forecast_and_actual(ax_abs, rows, y)
        # above the canvas, under the title: the panels keep their full height
        fig.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, fontsize=7, frameon=False)
        _variance_bars(ax_var, rows, y)
        _variance_pins(ax_pct, rows, y)
        delivered = formats.delivery(totals)
        title = formats.delivered_sentence(delivered) if delivered else formats.NO_COMPARISON
        caption = None
        if len(unshown):
            caption = "Not shown (no variance figure): " + "; ".join(
                f"{style.short(f)} ({s})" for f, s in zip(unshown["function"], unshown["status"], strict=True)
            )
        return style.finish(fig, title, caption, source, title_y=1.07)


def _forecast_and_actual(ax, rows: pd.DataFrame, y: list[int]) -> None:
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
    ax.invert_yaxis()
    ax.set_title("Forecast and actual", fontsize=9)
    style.money_axis(ax.xaxis, 3)


def _variance_bars(ax, rows: pd.DataFrame, y: list[int]) -> None:
    deltas = [int(v) for v in rows["variance_gbp"]]
    ax.barh(y, deltas, height=0.5, color=[style.BAD if d < 0 else style.GOOD for d in deltas], zorder=3)
    ax.axvline(0, color=style.ACTUAL, linewidth=1)
    style.label_ends(ax, y, deltas, lambda d: formats.gbp_k(d, signed=True), 3)
    ax.set_title("ΔF (actual − forecast)", fontsize=9)
    style.money_axis(ax.xaxis, 2)  # a narrow panel: two ticks leave room for wide labels
    low, high = min([*deltas, 0]), max([*deltas, 0])
    pad = (high - low) * 0.35 or 1000
    ax.set_xlim(low - pad, high + pad)


def _variance_pins(ax, rows: pd.DataFrame, y: list[int]) -> None:
    # a case forecast at £0 has a variance but no delivery %: no pin for it
    pins = [(i, float(p) - 100) for i, p in zip(y, rows["delivery_pct"], strict=True) if not formats.is_missing(p)]
    y_pct, pct = [i for i, _ in pins], [p for _, p in pins]
    colours = [style.BAD if p < 0 else style.GOOD for p in pct]
    ax.hlines(y_pct, 0, pct, color=colours, linewidth=2, zorder=3)
    ax.scatter(pct, y_pct, color=colours, s=30, zorder=4)
    ax.axvline(0, color=style.ACTUAL, linewidth=1)
    style.label_ends(ax, y_pct, pct, formats.pct_change, 5)
    lo, hi = min(min(pct, default=0), 0), max(max(pct, default=0), 0)
    pad = (hi - lo) * 0.4 or 10
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_title("ΔF %", fontsize=9)


def recurrent_by_year_chart(tidy: pd.DataFrame, year_totals: dict[str, int | None], source: str = ""):
    """Recurrent savings added in each fiscal year, stacked by function; each year's total is the analysis's
    (`bch.analyse.summary.by_year`), None for a year holding an unreadable cell: its stack is incomplete, so it is
    marked and the cells are named in the caption, never drawn as if complete.
    """
    years = list(year_totals)
    unreadable = tidy[tidy["saving_gbp"].isna()]
    readable = tidy[tidy["saving_gbp"].notna()]
    amounts: dict[tuple[str, str], int] = {}  # (function, year) -> pounds, summed as Python ints
    for function, year, saving in readable[["function", "fiscal_year", "saving_gbp"]].itertuples(index=False):
        amounts[(function, year)] = amounts.get((function, year), 0) + int(saving)
    stacked = {
        function: [amounts.get((function, year), 0) for year in years]
        for function in dict.fromkeys(tidy["function"])
        if any((function, year) in amounts for year in years)
    }
    incomplete = {year for year, total in year_totals.items() if total is None}
    with style.theme():
        fig, ax = style.new_figure(height=3.6)
        bottom = [0] * len(years)
        for index, (function, values) in enumerate(stacked.items()):
            ax.bar(
                years,
                values,
                bottom=bottom,
                color=style.SERIES[index % len(style.SERIES)],
                edgecolor="white",
                linewidth=0.6,
                label=style.literal(style.short(function)),
                width=0.65,
                zorder=3,
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        for x, top in zip(years, bottom, strict=True):  # the label sits on the stack; the figure is the total
            total = year_totals[x]
            text = "total unknown" if total is None else formats.gbp_k(total)
            ax.annotate(text, (x, top), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7)
        style.money_axis(ax.yaxis)
        ax.set_ylabel("Recurrent savings added")
        ax.legend(fontsize=7, ncols=2, loc="upper right", frameon=True)
        caption = None
        if incomplete:
            caption = "Incomplete: unreadable cell(s) " + ", ".join(unreadable["cell"]) + " are left out of their year."
            title = f"Recurrent savings per year: {len(incomplete)} year(s) incomplete (unreadable cells)"
        else:
            known = [year_totals[y] for y in years]
            peak = max(known) if known else 0
            peak_year = years[known.index(peak)] if known else ""
            title = (
                f"Recurrent savings reached {formats.gbp_k(sum(known))} a year; "
                f"{peak_year} added the most ({formats.gbp_k(peak)})"
            )
        return style.finish(fig, title, caption, source)


def _known(series: pd.Series, years: list[str]) -> list[int | None]:
    return [None if pd.isna(v) else abs(int(v)) for v in series.reindex(years)]


def cumulative_chart(cumulative_savings: pd.Series, cumulative_costs: pd.Series, source: str = ""):
    """Cumulative savings and cumulative change-team costs as two series side by side, never netted.

    A year whose figure can't be computed (an unreadable cell before it) has no bar and says so.
    """
    years = list(cumulative_savings.index)
    savings, costs = _known(cumulative_savings, years), _known(cumulative_costs, years)
    with style.theme():
        fig, ax = style.new_figure(height=3.4)
        for offset, values, colour, name in (
            (-0.19, savings, style.CUMULATIVE_SAVINGS, "Cumulative savings since " + years[0]),
            (0.19, costs, style.CUMULATIVE_COSTS, "Cumulative change-team costs"),
        ):
            xs = [i + offset for i, v in enumerate(values) if v is not None]
            ax.bar(xs, [v for v in values if v is not None], width=0.38, color=colour, label=name, zorder=3)
            for i, v in enumerate(values):
                if v is None:
                    ax.annotate(
                        "unknown",
                        (i + offset, 0),
                        xytext=(0, 3),
                        textcoords="offset points",
                        ha="center",
                        fontsize=6,
                        rotation=90,
                    )
        ax.set_xticks(list(range(len(years))), years)
        style.money_axis(ax.yaxis)
        ax.legend(fontsize=7, loc="upper left", frameon=True)
        if savings and savings[-1] is not None and costs and costs[-1] is not None:
            title = (
                f"{formats.gbp_k(savings[-1])} saved since {years[0]}; "
                f"the change team cost {formats.gbp_k(costs[-1])} over the same years"
            )
        else:
            title = "Cumulative savings and change-team costs (some years unknown: unreadable cells)"
        return style.finish(fig, title, formats.CAVEAT, source)


def _status_colour(status: str) -> str:
    return style.BAD if status in formats.SHORTFALL else (style.GOOD if status == "over-delivered" else style.NEUTRAL)


def delivery_chart(variance: pd.DataFrame, totals: dict, materiality_pct: float, source: str = ""):
    """Delivery % of the latest forecast by function, sorted, with the materiality band around 100%.

    Colours and the count in the title follow each case's status, never its rounded percentage (89.96%
    shows as 90.0% but is short of a 10% threshold)."""
    rows = measured(variance)
    rows = rows[rows["delivery_pct"].notna()]  # a £0 forecast has a variance but no delivery %
    rows = rows.sort_values("delivery_pct", ascending=True, kind="stable")
    with style.theme():
        fig, ax = style.new_figure(height=0.4 * max(len(rows), 3) + 1.4)
        pct = [float(p) for p in rows["delivery_pct"]]
        colours = [_status_colour(s) for s in rows["status"]]
        y = list(range(len(rows)))
        ax.axvspan(
            100 - materiality_pct,
            100 + materiality_pct,
            color="#DDDDDD",
            zorder=1,
            label=f"Within ±{materiality_pct:g}% of forecast",
        )
        ax.axvline(100, color=style.ACTUAL, linewidth=1, zorder=2)
        ax.barh(y, pct, height=0.55, color=colours, zorder=3)
        for i, p in zip(y, pct, strict=True):
            ax.annotate(formats.pct(p), (p, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
        ax.set_yticks(y, [style.label(f) for f in rows["function"]])
        ax.set_xlabel("Delivered, % of latest forecast")
        ax.set_xlim(0, max([*pct, 100 + materiality_pct]) * 1.15)
        ax.legend(fontsize=7, loc="lower right", frameon=True)
        delivered = formats.delivery(totals, variance["status"], materiality_pct)
        title = formats.shortfall_sentence(delivered) if delivered else formats.NO_COMPARISON
        return style.finish(fig, title, None, source)


def trend_chart(trend) -> object:
    """Small multiples, one per business case on one £ scale: its actual at each edition, each point
    labelled with the actual and the delivery % of the forecast then in force."""
    cases = trend.cases[trend.cases["actual_gbp"].notna()]
    editions = trend.editions
    names = list(dict.fromkeys(cases["function"]))
    columns = min(4, len(names)) or 1
    rows_needed = -(-len(names) // columns) or 1
    top = max([int(v) for v in cases["actual_gbp"]] + [1]) * 1.35
    with style.theme():
        fig, axes = style.new_figure(rows_needed, columns, height=1.75 * rows_needed + 0.8, sharey=True, squeeze=False)
        x = list(range(len(editions)))
        for ax in axes.flat[len(names) :]:
            ax.set_visible(False)
        for ax, name in zip(axes.flat, names, strict=False):
            rows = cases[cases["function"] == name]
            where = [editions.index(a) for a in rows["as_of"]]
            values = [int(v) for v in rows["actual_gbp"]]
            ax.plot(where, values, marker="o", color=style.ACTUAL, linewidth=1.5, zorder=3)
            for i, value, pct in zip(where, values, rows["delivery_pct"], strict=True):
                text = formats.gbp_k(value) + ("" if formats.is_missing(pct) else "\n" + formats.pct(pct))
                ax.annotate(text, (i, value), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=6)
            ax.set_title(style.label(name, 26), fontsize=7.5)
            ax.set_xticks(x, [f"{dt.date.fromisoformat(e):%b %Y}" for e in editions], fontsize=6.5)
            ax.set_xlim(-0.5, len(editions) - 0.5)
            ax.set_ylim(0, top)
            style.money_axis(ax.yaxis, 3)
            ax.tick_params(axis="y", labelsize=7)
        dates = [formats.long_date_of(e) for e in editions]
        title = f"Business cases across {len(editions)} editions, as at {', '.join(dates[:-1])} and {dates[-1]}"
        caption = "Each point: the actual then, and the % of the forecast then in force. One £ scale for every panel."
        return style.finish(
            fig, title, caption, "Source: every catalogued edition to this one (data/raw/editions.toml)"
        )


def names(trend=None) -> list[str]:
    """The charts a pack has, in the board pack's order: the trend only from a second edition on."""
    return ["variance", "delivery", "recurrent-by-year", "cumulative"] + (["trend"] if trend and trend.enough else [])


def figures_for(analysis, trend=None) -> dict:
    """Every chart of a `bch.analyse.pipeline.Analysis` (and its `bch.analyse.history.Trend`), by file name."""
    from bch.analyse import summary

    sheet = analysis.sheet
    source = analysis.inputs.source_line() if analysis.inputs else ""
    by_year = {row["fiscal_year"]: row["recurrent_gbp"] for row in summary.by_year(sheet)}
    figures = {
        "variance": variance_chart(analysis.variance, analysis.variance_totals, source),
        "recurrent-by-year": recurrent_by_year_chart(sheet.tidy(), by_year, source),
        "cumulative": cumulative_chart(summary.cumulative_savings(sheet), summary.cumulative_costs(sheet), source),
        "delivery": delivery_chart(analysis.variance, analysis.variance_totals, analysis.materiality_pct, source),
    }
    if trend is not None and trend.enough:
        figures["trend"] = trend_chart(trend)
    return figures
