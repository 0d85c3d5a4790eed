"""Alt text for every chart `bch.present.charts.names` lists: the chart's figures in words, read from the
same tables and `bch.present.formats` sentences the chart draws, so a reader who cannot see it misses nothing.
"""

from __future__ import annotations

from bch.core import labels
from bch.present import formats


def _page(name: str, chart: str, rows, per_page: int):
    from bch.present import charts

    spans = charts.pages(len(rows), per_page)
    number = int(name.rsplit("-", 1)[1]) if name != chart else 1
    start, stop = spans[number - 1]
    where = "" if len(spans) == 1 else f" (page {number} of {len(spans)}: cases {start + 1}–{stop} of {len(rows)})"
    return rows.iloc[start:stop], where


def _variance(name: str, analysis) -> str:
    from bch.present import charts

    rows, where = _page(name, "variance", charts.measured(analysis.variance), charts.PAGE_ROWS["variance"])
    delivered = formats.delivery(analysis.variance_totals)
    title = formats.delivered_sentence(delivered) if delivered else formats.NO_COMPARISON
    cases = "; ".join(
        f"{labels.display(r.function)}: forecast {formats.gbp_k(r.latest_forecast_gbp)}, "
        f"actual {formats.gbp_k(r.actual_gbp)}, "
        f"{formats.gbp_k(r.variance_gbp, signed=True)} ({formats.pct_change(_less_100(r.delivery_pct))}), "
        f"RAG {formats.rag_word(r.rag)}"
        for r in rows.itertuples()
    )
    return f"Variance chart{where}. {title}. {cases}."


def _less_100(pct):
    return None if formats.is_missing(pct) else float(pct) - 100


def _delivery(name: str, analysis) -> str:
    from bch.present import charts

    rows, where = _page(name, "delivery", charts.delivered_rows(analysis.variance), charts.PAGE_ROWS["delivery"])
    m = analysis.materiality_pct
    delivered = formats.delivery(analysis.variance_totals, analysis.variance["status"], m)
    title = formats.shortfall_sentence(delivered) if delivered else formats.NO_COMPARISON
    cases = "; ".join(
        f"{labels.display(r.function)} {formats.pct(r.delivery_pct)} ({formats.rag_word(r.rag)})"
        for r in rows.itertuples()
    )
    return (
        f"Delivery as % of the latest forecast, lowest first{where}. {title}. {cases}. "
        f"Green band: {100 - m:g}% of forecast or more."
    )


def _by_year(analysis) -> str:
    from bch.analyse import summary

    years = [f"{r['fiscal_year']} {formats.gbp_k(r['recurrent_gbp'])}" for r in summary.by_year(analysis.sheet)]
    first = analysis.sheet.years[0] if analysis.sheet.years else ""
    return (
        "Recurrent savings added in each fiscal year, stacked by function: " + "; ".join(years) + ". "
        f"{first} includes savings made before it, shown there because they are recurrent."
    )


def _cumulative(analysis) -> str:
    from bch.analyse import summary

    savings, costs = summary.cumulative_savings(analysis.sheet), summary.cumulative_costs(analysis.sheet)
    years = [
        f"{y}: savings {formats.gbp_k(_abs(savings.get(y)))}, change-team costs {formats.gbp_k(_abs(costs.get(y)))}"
        for y in savings.index
    ]
    return "Cumulative savings beside cumulative change-team costs, not netted. " + "; ".join(years) + "."


def _abs(value):
    return None if formats.is_missing(value) else abs(int(value))


def _trend(name: str, trend) -> str:
    from bch.present import charts

    dates = ", ".join(formats.long_date_of(e) for e in trend.editions)
    names = trend.cases[trend.cases["actual_gbp"].notna()]
    shown, where = _page(name, "trend", names.drop_duplicates("function"), charts.PAGE_ROWS["trend"])
    cases = []
    for function, rows in names[names["function"].isin(shown["function"])].groupby("function", sort=False):
        points = ", ".join(
            f"{formats.long_date_of(r.as_of)} {formats.gbp_k(r.actual_gbp)} ({formats.pct(r.delivery_pct)})"
            for r in rows.itertuples()
        )
        cases.append(f"{labels.display(function)}: {points}")
    return (
        f"Each business case's actual and % of forecast delivered at each edition{where} ({dates}). "
        + "; ".join(cases)
        + "."
    )


def alt_text(name: str, analysis, trend=None) -> str:
    """The alt text of the chart `name` (one of `bch.present.charts.names`) of this analysis and trend."""
    if name.startswith("variance"):
        return _variance(name, analysis)
    if name.startswith("delivery"):
        return _delivery(name, analysis)
    if name == "recurrent-by-year":
        return _by_year(analysis)
    if name == "cumulative":
        return _cumulative(analysis)
    if name.startswith("trend") and trend is not None:
        return _trend(name, trend)
    raise KeyError(f"no chart named {name!r}")
