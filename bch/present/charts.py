"""Charts: each function takes tables and returns a matplotlib Figure, in one theme.

IBCS-style notation: actuals solid dark grey, forecasts outlined; variances coloured by impact
(under-delivery red, over-delivery green). Red and green mean that and nothing else: categories
(functions, savings against costs) are told apart in greys and blues. Every figure, percentage and
sentence is `bch.present`'s, so a chart says what the tables say. Every label from the data is shown
literally: a `$` would otherwise start matplotlib's mathtext.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pandas as pd

from bch.analyse import reconcile
from bch.present import formats

ACTUAL = "#404040"
FORECAST_EDGE = "#404040"
BAD = "#D55E00"  # vermillion (Okabe–Ito, safe for colour-blind readers): under-delivery
GOOD = "#009E73"  # bluish green: over-delivery
NEUTRAL = "#999999"
CUMULATIVE_SAVINGS = "#1F4E79"
CUMULATIVE_COSTS = "#A6A6A6"
# categories: blues and greys alternating dark and light, so neighbours in a stack stay apart
SERIES = ["#1F4E79", "#9DC3E6", "#595959", "#2E75B6", "#D0D0D0", "#7F9DB9", "#BDD7EE", "#8C8C8C"]
A4_WIDTH_IN = 7.5  # the printable width of an A4 page with 2 cm margins


def literal(text: object) -> str:
    """Text matplotlib shows as written (no mathtext)."""
    return str(text).replace("$", r"\$")


def label(text: object, width: int = 24, lines: int = 3) -> str:
    """A data label for an axis: literal, wrapped onto at most `lines` lines of about `width` characters
    (a longer one ends in "…"; the tables carry it whole), so a long label never stretches a chart."""
    import textwrap

    wrapped = textwrap.wrap(literal(text), width) or [literal(text)]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], short(" ".join(wrapped[lines - 1 :]), width)]
    return "\n".join(wrapped)


def short(text: object, limit: int = 40) -> str:
    """One line of at most `limit` characters (not yet made literal); matplotlib hides a legend entry
    starting "_", so such a label gets a leading space."""
    one = " ".join(str(text).split())
    one = one if len(one) <= limit else one[: limit - 1] + "…"
    return " " + one if one.startswith("_") else one


@contextmanager
def theme():
    import matplotlib as mpl
    import seaborn as sns

    style = sns.axes_style("whitegrid")
    context = sns.plotting_context("paper", font_scale=1.05)
    with mpl.rc_context(
        {
            **style,
            **context,
            "axes.spines.right": False,
            "axes.spines.top": False,
            "svg.fonttype": "path",
            "svg.hashsalt": "bch",  # stable ids: the same chart gives the same file
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "axes.titlelocation": "left",
            "axes.titleweight": "bold",
            "font.family": "DejaVu Sans",
            "figure.autolayout": False,
            "figure.constrained_layout.use": False,
        }
    ):
        yield


def _figure(nrows: int = 1, ncols: int = 1, height: float = 3.6, **kwargs):
    # A bare Figure, not pyplot's: nothing global to leak, and notebooks show only what they save
    from matplotlib.figure import Figure

    fig = Figure(figsize=(A4_WIDTH_IN, height), layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kwargs)


def _finish(fig, title: str, caption: str | None = None, source: str = "", title_y: float = 1.01):
    """Title above; caption and source line (from the edition, never a literal) below the plotting area."""
    import textwrap

    fig.text(0.01, title_y, literal(title), ha="left", va="bottom", fontsize=11, fontweight="bold")
    text = "\n".join(part for part in (caption, source) if part)
    wrapped = "\n".join(textwrap.fill(part, 130) for part in literal(text).split("\n"))
    fig.text(0.01, -0.01, wrapped, ha="left", va="top", fontsize=7, color="#555555")
    return fig


def _money_axis(axis, ticks: int = 5):
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    # ticks at whole pounds, labelled exactly: two ticks never share a label
    axis.set_major_formatter(FuncFormatter(formats.gbp_k_tick))
    axis.set_major_locator(MaxNLocator(ticks, integer=True))


def _label_ends(ax, y: list[int], values: list, text, gap: float) -> None:
    """Label each horizontal bar or pin at its end: right of positive values, left of negative."""
    for i, value in zip(y, values, strict=True):
        ax.annotate(
            text(value),
            (value, i),
            xytext=(gap if value >= 0 else -gap, 0),
            textcoords="offset points",
            ha="left" if value >= 0 else "right",
            va="center",
            fontsize=7,
        )


def measured(variance: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation rows that have a variance figure, in register order."""
    return variance[variance["variance_gbp"].notna()].reset_index(drop=True)


def variance_chart(variance: pd.DataFrame, source: str = ""):
    """Forecast (outlined) against actual (solid), absolute variance bars, relative variance pins."""
    rows = measured(variance)
    unshown = variance[variance["variance_gbp"].isna()]
    with theme():
        fig, (ax_abs, ax_var, ax_pct) = _figure(
            1, 3, height=0.45 * max(len(rows), 3) + 1.6, sharey=True, gridspec_kw={"width_ratios": [2.2, 1.6, 1.2]}
        )
        y = list(range(len(rows)))
        latest = [int(v) for v in rows["latest_forecast_gbp"]]  # Python ints: money never goes through int64
        actual = [int(v) for v in rows["actual_gbp"]]
        # the original forecast, dashed, where a revision superseded it
        superseded = [
            (i, int(o))
            for i, o, r in zip(y, rows["forecast_gbp"], rows["revised_forecast_gbp"].notna(), strict=True)
            if r and not pd.isna(o)
        ]
        ax_abs.barh(y, actual, height=0.5, color=ACTUAL, label="Actual", zorder=3)
        ax_abs.barh(
            y,
            latest,
            height=0.75,
            fill=False,
            edgecolor=FORECAST_EDGE,
            linewidth=1.2,
            label="Forecast (latest)",
            zorder=4,
        )
        if superseded:
            ax_abs.barh(
                [i for i, _ in superseded],
                [o for _, o in superseded],
                height=0.75,
                fill=False,
                edgecolor=FORECAST_EDGE,
                linewidth=1.0,
                linestyle=(0, (2, 2)),
                label="Original forecast (revised since)",
                zorder=4,
            )
        ax_abs.set_yticks(y, [label(f) for f in rows["function"]])
        ax_abs.invert_yaxis()
        ax_abs.set_title("Forecast and actual", fontsize=9)
        _money_axis(ax_abs.xaxis, 3)
        # above the canvas, under the title: the panels keep their full height
        fig.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, fontsize=7, frameon=False)

        deltas = [int(v) for v in rows["variance_gbp"]]
        colours = [BAD if d < 0 else GOOD for d in deltas]
        ax_var.barh(y, deltas, height=0.5, color=colours, zorder=3)
        ax_var.axvline(0, color=ACTUAL, linewidth=1)
        _label_ends(ax_var, y, deltas, lambda d: formats.gbp_k(d, signed=True), 3)
        ax_var.set_title("ΔF (actual − forecast)", fontsize=9)
        _money_axis(ax_var.xaxis, 2)  # a narrow panel: two ticks leave room for wide labels
        low, high = min([*deltas, 0]), max([*deltas, 0])
        pad = (high - low) * 0.35 or 1000
        ax_var.set_xlim(low - pad, high + pad)

        # a case forecast at £0 has a variance but no delivery %: no pin for it
        pins = [(i, float(p) - 100) for i, p in zip(y, rows["delivery_pct"], strict=True) if not formats.is_missing(p)]
        y_pct, pct = [i for i, _ in pins], [p for _, p in pins]
        pin_colours = [BAD if p < 0 else GOOD for p in pct]
        ax_pct.hlines(y_pct, 0, pct, color=pin_colours, linewidth=2, zorder=3)
        ax_pct.scatter(pct, y_pct, color=pin_colours, s=30, zorder=4)
        ax_pct.axvline(0, color=ACTUAL, linewidth=1)
        _label_ends(ax_pct, y_pct, pct, formats.pct_change, 5)
        lo, hi = min(min(pct, default=0), 0), max(max(pct, default=0), 0)
        pad = (hi - lo) * 0.4 or 10
        ax_pct.set_xlim(lo - pad, hi + pad)
        ax_pct.set_title("ΔF %", fontsize=9)

        delivered = formats.delivery(reconcile.totals(variance))
        title = formats.delivered_sentence(delivered) if delivered else formats.NO_COMPARISON
        caption = None
        if len(unshown):
            caption = "Not shown (no variance figure): " + "; ".join(
                f"{short(f)} ({s})" for f, s in zip(unshown["function"], unshown["status"], strict=True)
            )
        return _finish(fig, title, caption, source, title_y=1.07)


def recurrent_by_year_chart(tidy: pd.DataFrame, years: list[str], source: str = ""):
    """Recurrent savings added in each fiscal year, stacked by function.

    A year holding an unreadable cell gets no total (its stack is incomplete): it is marked and
    the cells are named in the caption, never drawn as if complete.
    """
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
    incomplete = set(unreadable["fiscal_year"])
    with theme():
        fig, ax = _figure(height=3.6)
        bottom = [0] * len(years)
        for index, (function, values) in enumerate(stacked.items()):
            ax.bar(
                years,
                values,
                bottom=bottom,
                color=SERIES[index % len(SERIES)],
                edgecolor="white",
                linewidth=0.6,
                label=literal(short(function)),
                width=0.65,
                zorder=3,
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        for x, total in zip(years, bottom, strict=True):
            text = "total unknown" if x in incomplete else formats.gbp_k(total)
            ax.annotate(text, (x, total), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7)
        _money_axis(ax.yaxis)
        ax.set_ylabel("Recurrent savings added")
        ax.legend(fontsize=7, ncols=2, loc="upper right", frameon=True)
        caption = None
        if incomplete:
            caption = "Incomplete: unreadable cell(s) " + ", ".join(unreadable["cell"]) + " are left out of their year."
            title = f"Recurrent savings per year: {len(incomplete)} year(s) incomplete (unreadable cells)"
        else:
            peak = max(bottom) if bottom else 0
            peak_year = years[bottom.index(peak)] if bottom else ""
            title = (
                f"Recurrent savings reached {formats.gbp_k(sum(bottom))} a year; "
                f"{peak_year} added the most ({formats.gbp_k(peak)})"
            )
        return _finish(fig, title, caption, source)


def _known(series: pd.Series, years: list[str]) -> list[int | None]:
    return [None if pd.isna(v) else abs(int(v)) for v in series.reindex(years)]


def cumulative_chart(cumulative_savings: pd.Series, cumulative_costs: pd.Series, source: str = ""):
    """Cumulative savings and cumulative change-team costs as two series side by side, never netted.

    A year whose figure can't be computed (an unreadable cell before it) has no bar and says so.
    """
    years = list(cumulative_savings.index)
    savings, costs = _known(cumulative_savings, years), _known(cumulative_costs, years)
    with theme():
        fig, ax = _figure(height=3.4)
        for offset, values, colour, name in (
            (-0.19, savings, CUMULATIVE_SAVINGS, "Cumulative savings since " + years[0]),
            (0.19, costs, CUMULATIVE_COSTS, "Cumulative change-team costs"),
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
        _money_axis(ax.yaxis)
        ax.legend(fontsize=7, loc="upper left", frameon=True)
        if savings and savings[-1] is not None and costs and costs[-1] is not None:
            title = (
                f"{formats.gbp_k(savings[-1])} saved since {years[0]}; "
                f"the change team cost {formats.gbp_k(costs[-1])} over the same years"
            )
        else:
            title = "Cumulative savings and change-team costs (some years unknown: unreadable cells)"
        return _finish(fig, title, formats.CAVEAT, source)


def delivery_chart(variance: pd.DataFrame, materiality_pct: float, source: str = ""):
    """Delivery % of the latest forecast by function, sorted, with the materiality band around 100%.

    Colours and the count in the title follow each case's status, never its rounded percentage (89.96%
    shows as 90.0% but is short of a 10% threshold)."""
    rows = measured(variance)
    rows = rows[rows["delivery_pct"].notna()]  # a £0 forecast has a variance but no delivery %
    rows = rows.sort_values("delivery_pct", ascending=True, kind="stable")
    with theme():
        fig, ax = _figure(height=0.4 * max(len(rows), 3) + 1.4)
        pct = [float(p) for p in rows["delivery_pct"]]
        colours = [
            BAD if s in formats.SHORTFALL else (GOOD if s == "over-delivered" else NEUTRAL) for s in rows["status"]
        ]
        y = list(range(len(rows)))
        ax.axvspan(
            100 - materiality_pct,
            100 + materiality_pct,
            color="#DDDDDD",
            zorder=1,
            label=f"Within ±{materiality_pct:g}% of forecast",
        )
        ax.axvline(100, color=ACTUAL, linewidth=1, zorder=2)
        ax.barh(y, pct, height=0.55, color=colours, zorder=3)
        for i, p in zip(y, pct, strict=True):
            ax.annotate(formats.pct(p), (p, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=7)
        ax.set_yticks(y, [label(f) for f in rows["function"]])
        ax.set_xlabel("Delivered, % of latest forecast")
        ax.set_xlim(0, max([*pct, 100 + materiality_pct]) * 1.15)
        ax.legend(fontsize=7, loc="lower right", frameon=True)
        delivered = formats.delivery(reconcile.totals(variance), variance["status"], materiality_pct)
        title = formats.shortfall_sentence(delivered) if delivered else formats.NO_COMPARISON
        return _finish(fig, title, None, source)


def save(fig, folder, name: str) -> list:
    """Save a Figure as PNG and SVG into `folder`; returns the two paths.

    Laid out and measured once, at the PNG's resolution, then each format drawn once with that
    layout and box: left to savefig, each format would lay out and draw twice.
    """
    from pathlib import Path

    import matplotlib as mpl

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with theme():  # ticks are laid out at draw time: draw in the same theme
        engine, screen = fig.get_layout_engine(), fig.dpi
        fig.dpi = mpl.rcParams["savefig.dpi"]
        try:
            fig.draw_without_rendering()  # runs the layout engine
            box = fig.get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])
        finally:
            fig.dpi = screen
        fig.set_layout_engine(None)  # none (theme() turns the rc layouts off): the layout stays as computed
        try:
            for ext in ("png", "svg"):
                path = folder / f"{name}.{ext}"
                fig.savefig(path, bbox_inches=box, metadata={"Date": None} if ext == "svg" else {"Software": None})
                out.append(path)
        finally:
            fig.set_layout_engine(engine)
    return out


def trend_chart(trend) -> object:
    """Small multiples, one per business case on one £ scale: its actual at each edition, each point
    labelled with the actual and the delivery % of the forecast then in force."""
    cases = trend.cases[trend.cases["actual_gbp"].notna()]
    editions = trend.editions
    names = list(dict.fromkeys(cases["function"]))
    columns = min(4, len(names)) or 1
    rows_needed = -(-len(names) // columns) or 1
    top = max([int(v) for v in cases["actual_gbp"]] + [1]) * 1.35
    with theme():
        fig, axes = _figure(rows_needed, columns, height=1.75 * rows_needed + 0.8, sharey=True, squeeze=False)
        x = list(range(len(editions)))
        for ax in axes.flat[len(names) :]:
            ax.set_visible(False)
        for ax, name in zip(axes.flat, names, strict=False):
            rows = cases[cases["function"] == name]
            where = [editions.index(a) for a in rows["as_of"]]
            values = [int(v) for v in rows["actual_gbp"]]
            ax.plot(where, values, marker="o", color=ACTUAL, linewidth=1.5, zorder=3)
            for i, value, pct in zip(where, values, rows["delivery_pct"], strict=True):
                text = formats.gbp_k(value) + ("" if formats.is_missing(pct) else "\n" + formats.pct(pct))
                ax.annotate(text, (i, value), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=6)
            ax.set_title(label(name, 26), fontsize=7.5)
            ax.set_xticks(x, [f"{dt.date.fromisoformat(e):%b %Y}" for e in editions], fontsize=6.5)
            ax.set_xlim(-0.5, len(editions) - 0.5)
            ax.set_ylim(0, top)
            _money_axis(ax.yaxis, 3)
            ax.tick_params(axis="y", labelsize=7)
        dates = [formats.long_date_of(e) for e in editions]
        title = f"Business cases across {len(editions)} editions, as at {', '.join(dates[:-1])} and {dates[-1]}"
        caption = "Each point: the actual then, and the % of the forecast then in force. One £ scale for every panel."
        return _finish(fig, title, caption, "Source: every catalogued edition to this one (data/raw/editions.toml)")


def names(trend=None) -> list[str]:
    """The charts a pack has, in the board pack's order: the trend only from a second edition on."""
    return ["variance", "delivery", "recurrent-by-year", "cumulative"] + (["trend"] if trend and trend.enough else [])


def figures_for(analysis, trend=None) -> dict:
    """Every chart of a `bch.analyse.pipeline.Analysis` (and its `bch.analyse.history.Trend`), by file name."""
    from bch.analyse import summary

    sheet = analysis.sheet
    source = analysis.inputs.source_line() if analysis.inputs else ""
    figures = {
        "variance": variance_chart(analysis.variance, source),
        "recurrent-by-year": recurrent_by_year_chart(sheet.tidy(), list(sheet.years), source),
        "cumulative": cumulative_chart(summary.cumulative_savings(sheet), summary.cumulative_costs(sheet), source),
        "delivery": delivery_chart(analysis.variance, analysis.materiality_pct, source),
    }
    if trend is not None and trend.enough:
        figures["trend"] = trend_chart(trend)
    return figures
