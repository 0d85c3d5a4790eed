"""What an exploring session keeps per edition, so a slider change re-runs only the reconciliation.

Each edition is analysed once (`pipeline.analyse`: read, checked, reconciled, claims verified) and kept with the
actuals and register the reconciliation takes; its trend is computed once, on first use. A catalogued edition's
files never change (their SHA-256 is in the catalogue), so the key is the catalogue file (and its mtime, so an
edition added during a session is seen) and the edition's as-of date.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pandas as pd

from bch.analyse import history, pipeline, reconcile, scenario, summary
from bch.read.register import Register

KEPT = 16  # editions kept in memory at once


@dataclasses.dataclass
class Base:
    """One edition, analysed at the Board's materiality, and what a re-run of the reconciliation needs."""

    analysis: pipeline.Analysis
    actuals: pd.DataFrame  # bch.analyse.summary.actuals
    register: Register  # aliases in force, revisions as read
    _trend: history.Trend | None = None

    @property
    def as_of(self):
        return self.analysis.as_of

    @property
    def key(self) -> str:
        return self.as_of.isoformat() if self.as_of else ""

    def variance(self, materiality_pct: float, edits: tuple[scenario.Edit, ...] = ()) -> pd.DataFrame:
        """The variance table at `materiality_pct`, with any what-if edits in force."""
        if not edits and materiality_pct == self.analysis.materiality_pct:
            return self.analysis.variance
        return scenario.recompute(self.actuals, self.register, self.as_of, materiality_pct, edits)

    def trend(self, run) -> history.Trend:
        """Every catalogued edition up to this one (`bch.analyse.history.trend`), computed once."""
        if self._trend is None:
            self._trend = history.trend(run, self.analysis)
        return self._trend


def base(catalogue: Path, edition: str, materiality_pct: float = reconcile.DEFAULT_MATERIALITY_PCT) -> Base:
    """The edition's `Base` (kept: a second call with the same catalogue and edition reads nothing)."""
    catalogue = Path(catalogue)
    return _base(str(catalogue), catalogue.stat().st_mtime_ns, edition, float(materiality_pct))


@functools.lru_cache(maxsize=KEPT)
def _base(catalogue: str, _mtime: int, edition: str, materiality_pct: float) -> Base:
    analysis = pipeline.analyse(catalogue=catalogue, edition=edition, materiality_pct=materiality_pct)
    actuals = summary.actuals(analysis.sheet) if analysis.sheet.usable else pd.DataFrame()
    return Base(analysis, actuals, analysis.register)


def compare(now: pd.DataFrame, then: pd.DataFrame, then_key: str) -> pd.DataFrame:
    """Each case's actual, latest forecast and delivery % now and at `then_key`, and the change in each."""
    keep = ["function", "latest_forecast_gbp", "actual_gbp", "delivery_pct", "rag"]
    merged = now[keep].merge(then[keep], on="function", how="outer", suffixes=("", f"_{then_key}"), sort=False)
    for column in ("latest_forecast_gbp", "actual_gbp"):
        merged[f"{column}_change"] = merged[column] - merged[f"{column}_{then_key}"]
    merged["delivery_pct_change"] = merged["delivery_pct"] - merged[f"delivery_pct_{then_key}"]
    return merged
