"""The small table beside the trend chart: each business case at the first, the previous and the latest edition,
its change since the previous one and its delivery now. Plain data from `bch.analyse.history.Trend`; the board
pack shows it under the chart, so the chart's movements can be read as figures."""

from __future__ import annotations

from bch.present import formats


def rows(trend) -> list[dict]:
    """One row per case of the latest edition (cases no longer reported are named by the changes section)."""
    if trend is None or not trend.enough:
        return []
    first, previous, latest = trend.editions[0], trend.editions[-2], trend.editions[-1]
    at = {(r["as_of"], r["function"]): r for r in trend.cases.to_dict("records")}
    out = []
    for function in dict.fromkeys(r["function"] for r in trend.cases.to_dict("records") if r["as_of"] == latest):
        now, then, start = at[(latest, function)], at.get((previous, function)), at.get((first, function))
        actual, before = formats.pounds(now["actual_gbp"]), formats.pounds(then["actual_gbp"]) if then else None
        out.append(
            {
                "function": function,
                "first": formats.pounds(start["actual_gbp"]) if start else None,
                "previous": before,
                "latest": actual,
                "change": None if actual is None or before is None else actual - before,
                "delivery": now["delivery_pct"],
            }
        )
    return out


def headings(trend) -> dict:
    """The three editions' dates, as the table's column headings name them."""
    if trend is None or not trend.enough:
        return {}
    days = (trend.editions[0], trend.editions[-2], trend.editions[-1])
    return dict(zip(("first", "previous", "latest"), (formats.long_date_of(d) for d in days), strict=True))
