"""Each business case across editions: rebuilt from data/raw alone (the catalogue), never from old packs.

`trend` reads (each earlier edition, with its own inputs); `trend_table` and `headline_changes` are pure.
An earlier edition's figures are kept in `bch.core.cache` under the SHA-256 of everything that makes them (its
files' bytes, the aliases in force, the materiality, bch's code), so a pack reads each edition once, not at
every run; an entry is validated against `TREND` as it is read, and recomputed on any doubt.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from functools import cache

import pandas as pd

from bch import paths
from bch.analyse import pipeline, summary
from bch.core import cache as kept
from bch.core import digest
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


@dataclass(frozen=True)
class Point:
    """One edition's place in the trend: its headline figures and its cases' rows (`TREND`)."""

    headline: dict  # {as_of, *HEADLINES}
    rows: list[dict]


def point(analysis: pipeline.Analysis) -> Point:
    key = analysis.as_of.isoformat()
    rows = []
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
    return Point({"as_of": key, **{h: analysis.totals[h] for h in HEADLINES}}, rows)


def _table(points: list[Point]) -> Trend:
    ordered = sorted(points, key=lambda p: p.headline["as_of"])
    return Trend(TREND.frame(row for p in ordered for row in p.rows), [p.headline for p in ordered])


def trend_table(analyses: list[pipeline.Analysis]) -> Trend:
    """The cases' actuals and delivery % at each analysis's as-of date, oldest first."""
    return _table([point(a) for a in analyses])


def trend(run, current: pipeline.Analysis) -> Trend:
    """`current` with every catalogued edition before it, each read with its own inputs (or from the cache).
    Each edition is reduced to its `Point` at once: memory follows one edition, not the catalogue."""
    if current.as_of is None:
        return trend_table([])
    catalogue = run.inputs.catalogue
    earlier, unread = [], [f"{when.isoformat()}: {why}" for when, why in catalogue.broken if when < current.as_of]
    for edition in catalogue.before(current.as_of):
        try:
            earlier.append(_earlier_point(_inputs_of(catalogue, edition), run.materiality_pct))
        except BchError as exc:  # one unreadable earlier edition never stops this one's pack; it is named
            unread.append(f"{edition.key}: {exc}")
    table = _table([*earlier, point(current)])
    return Trend(table.cases, table.headlines, tuple(unread))


def _inputs_of(catalogue, edition):
    from bch.read.inputs import resolve

    return resolve(catalogue, edition.key)  # the catalogue as read once: never re-read per edition


def _earlier_point(inputs, materiality_pct: float) -> Point:
    folder = paths.cache("trend")
    if folder is None:  # no folder bch may keep it in: read afresh
        return point(pipeline.analyse(inputs=inputs, materiality_pct=materiality_pct))
    name = kept.key(_cache_material(inputs, materiality_pct))
    found = _valid_point(kept.load(folder, name), inputs.as_of.isoformat())
    if found is None:
        found = point(pipeline.analyse(inputs=inputs, materiality_pct=materiality_pct))
        kept.store(folder, name, {"headline": found.headline, "rows": found.rows})
    return found


def _cache_material(inputs, materiality_pct: float) -> dict:
    """Everything an edition's trend figures follow from; a change to any of it is another cache entry."""
    return {
        "files": [[str(role), digest.sha256(path)] for role, path in _roles(inputs)],
        "as_of": inputs.as_of,
        "sheet": inputs.sheet,
        "aliases": pipeline.aliases_in_force(inputs),
        "materiality_pct": materiality_pct,
        "code": _code_digest(),
        "python": sys.version_info[:2],
        "pandas": pd.__version__,
    }


def _roles(inputs):
    roles = {"savings": inputs.savings, "register": inputs.register, "revisions": inputs.revisions}
    return [(role, path) for role, path in (roles | {"claims": inputs.claims}).items() if path is not None]


@cache
def _code_digest() -> str:
    return digest.files_digest(paths.PACKAGE, paths.PACKAGE.rglob("*.py"))


def _is(value: object, kind: str) -> bool:
    """JSON `value` is exactly what `point` writes for a column of `kind` (None where a figure is unknown)."""
    if kind == "text":
        return isinstance(value, str)
    if value is None:
        return True
    if kind == "money":
        return type(value) is int and abs(value) < 10**15  # whole pounds; bool is not a figure
    return type(value) in (int, float) and math.isfinite(value)  # pct


def _valid_point(value: object, as_of: str) -> Point | None:
    """A cached entry as a `Point` if it is exactly what `point` makes for that edition, else None."""
    try:
        headline, rows = value["headline"], value["rows"]
        if set(headline) != {"as_of", *HEADLINES} or headline["as_of"] != as_of:
            return None
        if not all(_is(headline[h], "money") for h in HEADLINES):
            return None
        kinds = TREND.columns
        if any(set(row) != set(kinds) or row["as_of"] != as_of for row in rows):
            return None
        if not all(_is(row[column], kind) for row in rows for column, kind in kinds.items()):
            return None
        TREND.frame(rows)  # as `point`'s rows are made: the schema's own check too
    except Exception:  # any doubt at all: recompute from the edition's files
        return None
    return Point(dict(headline), list(rows))


def headline_changes(trend: Trend) -> dict[str, int | None] | None:
    """Each headline's change since the previous edition (None for one that can't be computed)."""
    if not trend.enough:
        return None
    before, now = trend.headlines[-2], trend.headlines[-1]
    return {h: None if before[h] is None or now[h] is None else now[h] - before[h] for h in HEADLINES} | {
        "since": before["as_of"]
    }
