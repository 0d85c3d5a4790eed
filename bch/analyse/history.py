"""Each business case across editions: rebuilt from data/raw alone (the catalogue), never from old packs.

`trend` reads (each earlier edition, with its own inputs); `trend_table` and `headline_changes` are pure.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bch.analyse import pipeline, summary
from bch.core.errors import BchError
from bch.core.money import as_pounds
from bch.core.schema import Schema

TREND = Schema(
    "trend",
    {
        "as_of": "text",
        "function": "text",
        "actual_gbp": "money",
        "latest_forecast_gbp": "money",
        "delivery_pct": "pct",
        "status": "text",
    },
)
COLUMNS = TREND.names
HEADLINES = summary.HEADLINE_KEYS


@dataclass(frozen=True)
class Trend:
    cases: pd.DataFrame  # COLUMNS, one row per case and edition, editions oldest first
    headlines: list[dict]  # {as_of, recurrent_gbp, cumulative_to_date_gbp, change_team_costs_gbp} per edition
    unread: tuple[str, ...] = ()  # earlier editions that could not be read, each with why

    @property
    def editions(self) -> list[str]:
        return [h["as_of"] for h in self.headlines]

    @property
    def enough(self) -> bool:
        """A trend needs two editions or more."""
        return len(self.headlines) >= 2


def trend_table(analyses: list[pipeline.Analysis]) -> Trend:
    """The cases' actuals and delivery % at each analysis's as-of date, oldest first."""
    rows, headlines = [], []
    for analysis in sorted(analyses, key=lambda a: a.as_of):
        key = analysis.as_of.isoformat()
        headlines.append({"as_of": key, **{h: analysis.totals[h] for h in HEADLINES}})
        for r in analysis.variance.to_dict("records"):
            pct = r["delivery_pct"]
            rows.append(
                {
                    "as_of": key,
                    "function": r["function"],
                    "actual_gbp": as_pounds(r["actual_gbp"]),
                    "latest_forecast_gbp": as_pounds(r["latest_forecast_gbp"]),
                    "delivery_pct": None if pct is None or pd.isna(pct) else float(pct),
                    "status": r["status"],
                }
            )
    return Trend(TREND.frame(rows), headlines)


def trend(run, current: pipeline.Analysis) -> Trend:
    """`current` with every catalogued edition before it, each read with its own inputs."""
    if current.as_of is None:
        return trend_table([])
    catalogue = run.inputs.catalogue
    earlier, unread = [], [f"{when.isoformat()}: {why}" for when, why in catalogue.broken if when < current.as_of]
    for edition in catalogue.before(current.as_of):
        try:
            earlier.append(pipeline.analyse(inputs=_inputs_of(catalogue, edition), materiality_pct=run.materiality_pct))
        except BchError as exc:  # one unreadable earlier edition never stops this one's pack; it is named
            unread.append(f"{edition.key}: {exc}")
    trend = trend_table([*earlier, current])
    return Trend(trend.cases, trend.headlines, tuple(unread))


def _inputs_of(catalogue, edition):
    from bch.read.inputs import resolve

    return resolve(catalogue.path, edition.key)


def headline_changes(trend: Trend) -> dict[str, int | None] | None:
    """Each headline's change since the previous edition (None for one that can't be computed)."""
    if not trend.enough:
        return None
    before, now = trend.headlines[-2], trend.headlines[-1]
    return {h: None if before[h] is None or now[h] is None else now[h] - before[h] for h in HEADLINES} | {
        "since": before["as_of"]
    }
