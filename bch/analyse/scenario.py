"""What-ifs on the reconciliation, in memory only, and the materiality at which each case's RAG tips.

Pure functions: a slider change or a what-if forecast re-runs `bch.analyse.reconcile.reconcile` on the actuals
and register already read (`bch.analyse.explorecache`), never the workbook. A scenario's edits are dated
revisions like the register's own, so it exports as a revisions CSV that `--revisions` and `bch edition add`
read (`bch.read.register.REVISION_COLUMNS`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction

import pandas as pd

from bch.analyse import reconcile
from bch.core import labels, money
from bch.core.errors import ParameterError
from bch.core.money import as_pounds
from bch.core.schema import Schema
from bch.core.writers import csv_text
from bch.read import register as registers
from bch.read.cases import in_force

SCENARIO_SOURCE = "what-if in bch explore"  # the source column of an exported edit, until someone names a minute

TIPS = Schema(
    "tipping points",
    {"function": "text", "shortfall_pct": "pct", "amber_from_pct": "pct", "green_from_pct": "pct"},
)


@dataclasses.dataclass(frozen=True)
class Edit:
    """A what-if forecast for one case from `effective` on: a dated revision that exists only in memory."""

    function: str
    effective: dt.date
    forecast_gbp: int
    reason: str = "what-if"
    source: str = SCENARIO_SOURCE


def tipping(actual: int, forecast: int) -> tuple[Fraction, Fraction] | None:
    """(amber_from, green_from): the materiality % from which `reconcile.rag` says amber, then green, exactly.

    rag is green when shortfall ≤ m, amber when m < shortfall ≤ 2m, red beyond; shortfall = (forecast −
    actual) × 100 / forecast. So amber from shortfall/2 and green from shortfall. None: green at any materiality."""
    shortfall = Fraction(forecast - actual) * 100 / forecast
    if shortfall <= 0:
        return None
    return shortfall / 2, shortfall


def tipping_points(variance: pd.DataFrame) -> pd.DataFrame:
    """Per case with a RAG: its shortfall %, and the materiality % from which it is amber and green (NaN: never)."""
    rows = []
    for r in variance.to_dict("records"):
        if r["rag"] == "none":
            continue
        actual, latest = as_pounds(r["actual_gbp"]), as_pounds(r["latest_forecast_gbp"])
        tips = tipping(actual, latest)
        shortfall = Fraction(latest - actual) * 100 / latest
        rows.append(
            {
                "function": r["function"],
                "shortfall_pct": float(shortfall),
                "amber_from_pct": float(tips[0]) if tips else None,
                "green_from_pct": float(tips[1]) if tips else None,
            }
        )
    return TIPS.frame(rows)


def tips_at(amber_from: float | None, green_from: float | None, materiality_pct: float) -> float | None:
    """The next materiality above `materiality_pct` at which the RAG changes (None: it never does)."""
    ahead = [t for t in (amber_from, green_from) if t is not None and not pd.isna(t) and t > materiality_pct]
    return min(ahead) if ahead else None


def check_edit(edit: Edit, cases: pd.DataFrame) -> Edit:
    """An edit of a case the register has, to a positive whole-pound forecast, with a reason."""
    known = {labels.normalise(f): f for f in cases["function"]}
    if labels.normalise(edit.function) not in known:
        raise ParameterError(f"what-if: {edit.function!r} is not a case in the register")
    figure = edit.forecast_gbp
    if isinstance(figure, bool) or not isinstance(figure, int) or not 0 < figure <= money.MAX_CREDIBLE_GBP:
        raise ParameterError(
            f"what-if: a forecast is a positive number of whole pounds up to {money.MAX_CREDIBLE_GBP:,}, not {figure!r}"
        )
    if not isinstance(edit.effective, dt.date) or isinstance(edit.effective, dt.datetime):
        raise ParameterError(f"what-if: the effective date must be a date, not {edit.effective!r}")
    reason = " ".join(labels.neutralise(str(edit.reason or "")).split()) or "what-if"  # one line, never clipped
    return dataclasses.replace(edit, function=known[labels.normalise(edit.function)], reason=reason)


def with_edits(register: registers.Register, edits: tuple[Edit, ...]) -> registers.Register:
    """The register with the edits as dated revisions after its own (so an edit wins on the same date)."""
    if not edits:
        return register
    rows = [
        {
            "function": e.function,
            "effective": e.effective,
            "forecast_gbp": e.forecast_gbp,
            "reason": e.reason,
            "source": e.source,
            "cell": "what-if",
        }
        for e in edits
    ]
    own = register.revisions if register.revisions is not None else registers.REVISIONS.frame([])
    merged = pd.concat([own, registers.REVISIONS.frame(rows)], ignore_index=True)
    merged = merged.sort_values("effective", kind="stable").reset_index(drop=True)
    return dataclasses.replace(register, revisions=registers.REVISIONS.frame(merged.to_dict("records")))


def warnings(edits: tuple[Edit, ...], as_of: dt.date | None) -> list[str]:
    """One sentence per edit the figures leave out because it takes effect after the as-of date."""
    if as_of is None:
        return []
    return [
        f"what-if for {e.function} takes effect {e.effective.isoformat()}, after the as-of date "
        f"{as_of.isoformat()}: it is not in force, and these figures do not include it"
        for e in edits
        if e.effective > as_of
    ]


def recompute(
    actuals: pd.DataFrame,
    register: registers.Register,
    as_of: dt.date | None,
    materiality_pct: float,
    edits: tuple[Edit, ...] = (),
) -> pd.DataFrame:
    """The variance table at `materiality_pct` with the edits in force: reconciliation only, nothing read."""
    if register.cases.empty:
        return reconcile.VARIANCE.frame([])
    checked = tuple(check_edit(e, register.cases) for e in edits)
    variance, _ = reconcile.reconcile(actuals, in_force(with_edits(register, checked), as_of), materiality_pct)
    return variance


def revisions_csv(edits: tuple[Edit, ...]) -> str:
    """The edits as a revisions CSV (`REVISION_COLUMNS`), as `--revisions` and `bch edition add` read one."""
    frame = pd.DataFrame(
        [[e.function, e.effective.isoformat(), str(e.forecast_gbp), e.reason, e.source] for e in edits],
        columns=registers.REVISION_COLUMNS,
    )
    return csv_text(frame)
