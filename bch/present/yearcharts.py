"""Charts over years and editions: recurrent savings added per fiscal year, cumulative savings beside the
change team's costs, and each business case across editions. Drawn in `bch.present.chartstyle`'s theme,
with `bch.present.formats`' figures and sentences; `bch.present.charts` lists and pages them.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from bch.present import chartstyle as style
from bch.present import formats

ROTATE_FROM = 7  # year labels turn 45° from this many years, so they never overlap


def _year_ticks(ax, positions, years: list[str]) -> None:
    many = len(years) >= ROTATE_FROM
    ax.set_xticks(positions, years, rotation=45 if many else 0, ha="right" if many else "center")
    ax.grid(axis="x", visible=False)  # no line through a year's label or its total


def _stacks(tidy: pd.DataFrame, years: list[str]) -> dict[str, list[int]]:
    readable = tidy[tidy["saving_gbp"].notna()]
    amounts: dict[tuple[str, str], int] = {}  # (function, year) -> pounds, summed as Python ints
    for function, year, saving in readable[["function", "fiscal_year", "saving_gbp"]].itertuples(index=False):
        amounts[(function, year)] = amounts.get((function, year), 0) + int(saving)
    return {
        function: [amounts.get((function, year), 0) for year in years]
        for function in dict.fromkeys(tidy["function"])
        if any((function, year) in amounts for year in years)
    }


def recurrent_by_year_chart(tidy: pd.DataFrame, year_totals: dict[str, int | None], source: str = ""):
    """Recurrent savings added in each fiscal year, stacked by function; each year's total is the analysis's
    (`bch.analyse.summary.by_year`), None for a year holding an unreadable cell: its stack is incomplete, so it is
    marked and the cells are named in the caption, never drawn as if complete. The first year holds savings
    made before it too (the paper's note to table 5.2): the title never calls it the year that added most.
    """
    years = list(year_totals)
    unreadable = tidy[tidy["saving_gbp"].isna()]
    incomplete = {year for year, total in year_totals.items() if total is None}
    with style.theme():
        fig, ax = style.new_figure(height=4.2)
        bottom = [0] * len(years)
        for index, (function, values) in enumerate(_stacks(tidy, years).items()):
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
            ax.annotate(text, (x, top), xytext=(0, 3), textcoords="offset points", ha="center", bbox=style.LABEL_BOX)
        style.money_axis(ax.yaxis)
        ax.set_ylim(0, max([*bottom, 1]) * 1.12)
        _year_ticks(ax, list(range(len(years))), years)
        ax.set_ylabel("Recurrent savings added")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # beside the bars, never on them
        caption = (
            f"{years[0]} includes savings made before it, shown there because they are recurrent." if years else None
        )
        if incomplete:
            caption = "Incomplete: unreadable cell(s) " + ", ".join(unreadable["cell"]) + " are left out of their year."
            title = f"Recurrent savings per year: {len(incomplete)} year(s) incomplete (unreadable cells)"
        else:
            title = _recurrent_title(years, [year_totals[y] for y in years])
        return style.finish(fig, title, caption, source)


def _recurrent_title(years: list[str], known: list[int]) -> str:
    if not years:
        return "No recurrent savings recorded"
    title = f"Recurrent savings reached {formats.gbp_k(sum(known))} a year by {years[-1]}"
    if len(years) < 2:
        return title
    later = known[1:]
    peak = max(later)
    return f"{title}; after {years[0]}, {years[1 + later.index(peak)]} added the most ({formats.gbp_k(peak)})"


def _known(series: pd.Series, years: list[str]) -> list[int | None]:
    return [None if pd.isna(v) else abs(int(v)) for v in series.reindex(years)]


def cumulative_chart(cumulative_savings: pd.Series, cumulative_costs: pd.Series, source: str = ""):
    """Cumulative savings and cumulative change-team costs as two series side by side, never netted.

    A year whose figure can't be computed (an unreadable cell before it) has no bar and says so.
    """
    years = list(cumulative_savings.index)
    savings, costs = _known(cumulative_savings, years), _known(cumulative_costs, years)
    with style.theme():
        fig, ax = style.new_figure(height=3.8)
        for offset, values, colour, name in (
            (-0.19, savings, style.CUMULATIVE_SAVINGS, "Cumulative savings since " + years[0]),
            (0.19, costs, style.CUMULATIVE_COSTS, "Cumulative change-team costs"),
        ):
            xs = [i + offset for i, v in enumerate(values) if v is not None]
            ax.bar(xs, [v for v in values if v is not None], width=0.38, color=colour, label=name, zorder=3)
            for i, v in enumerate(values):
                if v is None:
                    ax.annotate(
                        "unknown", (i + offset, 0), xytext=(0, 3), textcoords="offset points", ha="center", rotation=90
                    )
        _year_ticks(ax, list(range(len(years))), years)
        style.money_axis(ax.yaxis)
        ax.legend(loc="upper left", frameon=True)
        if savings and savings[-1] is not None and costs and costs[-1] is not None:
            title = (
                f"{formats.gbp_k(savings[-1])} saved since {years[0]}; "
                f"the change team cost {formats.gbp_k(costs[-1])} over the same years"
            )
        else:
            title = "Cumulative savings and change-team costs (some years unknown: unreadable cells)"
        return style.finish(fig, title, formats.CAVEAT, source)


def trend_cases(trend) -> list[str]:
    """The cases the trend chart draws (those with an actual at some edition), in the trend's order."""
    return list(dict.fromkeys(trend.cases[trend.cases["actual_gbp"].notna()]["function"]))


def trend_chart(trend, page=None) -> object:
    """Small multiples, one per business case, each on its own £ scale so its movement shows: its actual at
    each edition (solid) and the forecast then in force (dashed), the first and last point labelled with the
    actual and the delivery % of that forecast. A case is one panel under every name its lines had: the trend
    resolves renamed lines to their case (`bch.analyse.history`). `page`: (start, stop, pages, number) of the
    cases, for a trend of more cases than a page holds."""
    cases = trend.cases[trend.cases["actual_gbp"].notna()]
    editions = trend.editions
    everything = trend_cases(trend)
    start, stop, count, number = page or (0, len(everything), 1, 1)
    names = everything[start:stop]
    columns = min(4, len(names)) or 1
    rows_needed = -(-len(names) // columns) or 1
    with style.theme():
        fig, axes = style.new_figure(rows_needed, columns, height=2.1 * rows_needed + 1.0, squeeze=False)
        for ax in axes.flat[len(names) :]:
            ax.set_visible(False)
        for ax, name in zip(axes.flat, names, strict=False):
            _trend_panel(ax, cases[cases["function"] == name], editions)
            ax.set_title(style.label(name, 18, 2), loc="left", fontsize=style.TEXT)
        dates = [formats.long_date_of(e) for e in editions]
        title = f"Business cases across {len(editions)} editions, as at {', '.join(dates[:-1])} and {dates[-1]}"
        if len(editions) > 3:
            title = f"Business cases across {len(editions)} editions, from {dates[0]} to {dates[-1]}"
        if count > 1:
            title += f" (page {number} of {count}: cases {start + 1}–{stop} of {len(everything)})"
        caption = (
            "Solid: the actual at each edition; dashed: the forecast then in force. Each panel has its own £ scale, "
            "from £0; the latest point is labelled with the actual and the % of forecast delivered."
        )
        return style.finish(
            fig, title, caption, "Source: every catalogued edition to this one (data/raw/editions.toml)"
        )


def _trend_panel(ax, rows: pd.DataFrame, editions: list[str]) -> None:
    where = [editions.index(a) for a in rows["as_of"]]
    values = [int(v) for v in rows["actual_gbp"]]
    forecast = [(i, int(f)) for i, f in zip(where, rows["latest_forecast_gbp"], strict=True) if not pd.isna(f)]
    ax.plot(where, values, marker="o", color=style.ACTUAL, linewidth=1.5, zorder=3, label="Actual")
    if forecast:
        ax.plot(*zip(*forecast, strict=True), color=style.ACTUAL, linestyle="--", linewidth=1, label="Forecast")
    last = len(where) - 1  # the latest point labelled (the alt text and the tables hold every one)
    if last >= 0:
        pct = rows["delivery_pct"].iloc[last]
        text = formats.gbp_k(values[last]) + ("" if formats.is_missing(pct) else "\n" + formats.pct(pct))
        ax.annotate(
            text, (where[last], values[last]), xytext=(0, 5), textcoords="offset points", ha="right",
            bbox=style.LABEL_BOX,
        )  # fmt: skip
    shown = {0, len(editions) - 1}  # the first and latest editions named: a panel has room for two dates
    ax.set_xticks(
        list(range(len(editions))),
        [f"{dt.date.fromisoformat(e):%b %Y}" if n in shown else "" for n, e in enumerate(editions)],
    )
    ax.grid(axis="x", visible=False)
    ax.set_xlim(-0.5, len(editions) - 0.5)
    ax.set_ylim(0, max([*values, *(f for _, f in forecast), 1000]) * 1.45)
    style.money_axis(ax.yaxis, 3)
