"""The paper's quoted figures checked against what bch computes: a pure function of the claims as read
(`bch.read.claims`) and the computed figures, each metric keyed by its normalised text.
"""

from __future__ import annotations

import pandas as pd

from bch.core import codes, labels, money
from bch.core.findings import Finding, finding
from bch.core.schema import Schema, money_array
from bch.read.claims import COLUMNS

# as `verify` returns them (the pipeline adds `checked` and `about_as_of`)
CLAIMS = Schema(
    "claims",
    {
        **dict.fromkeys(COLUMNS, "text"),
        "claimed_gbp": "money",
        "cell": "text",
        "metric_cell": "text",
        "computed_gbp": "money",
        "ok": "bool",
    },
)


def computed_figures(
    totals: dict, lines: pd.DataFrame, reconciliation: pd.DataFrame, wanted: set[str] | None = None
) -> dict[str, int | None]:
    """Every metric a claim may name (or only the `wanted` ones), keyed by its normalised metric text.

    Line metrics are computed only when asked for: a sheet has a line figure per cell, a paper a few.
    """
    figures: dict[str, int | None] = {f"total:{k.removesuffix('_gbp')}": v for k, v in totals.items()}
    asked = {k for k in wanted if k.startswith("line:")} if wanted is not None else None
    if asked is None or asked:
        names = {name: labels.normalise(name) for name in lines["function"].unique()}
        for function, year, saving in lines[["function", "fiscal_year", "saving_gbp"]].itertuples(index=False):
            key = f"line:{names[function]}:{labels.normalise(year)}"
            if asked is None or key in asked:
                figures[key] = money.as_pounds(saving)
    for row in reconciliation.to_dict("records"):
        for metric, column in (
            ("actual", "actual_gbp"),
            ("forecast", "forecast_gbp"),
            ("revised_forecast", "revised_forecast_gbp"),
        ):
            figures[labels.normalise(f"{metric}:{row['function']}")] = money.as_pounds(row[column])
    return figures


def wanted(claims: pd.DataFrame) -> set[str]:
    """The normalised metrics the claims name."""
    return {labels.normalise(m) for m in claims["metric"]}


def verify(claims: pd.DataFrame, figures: dict[str, int | None]) -> tuple[pd.DataFrame, list[Finding]]:
    """Each claim against the computed figure: claimed_gbp, computed_gbp, ok; a finding per disagreement."""
    findings, computed, ok = [], [], []
    for claim in claims.to_dict("records"):
        key = labels.normalise(claim["metric"])
        value = figures.get(key)
        computed.append(value)
        claimed = money.as_pounds(claim["claimed_gbp"])
        agrees = value is not None and claimed is not None and value == claimed
        ok.append(agrees)
        if key not in figures:
            findings.append(
                finding(
                    codes.UNKNOWN_METRIC,
                    claim["metric_cell"],
                    f"{claim['paragraph']}: metric {claim['metric']!r} is not one bch computes",
                )
            )
        elif claimed is not None and value is not None and not agrees:  # an unknown figure is flagged where it fails
            findings.append(
                finding(
                    codes.CLAIM_MISMATCH,
                    claim["cell"],
                    f"{claim['paragraph']} says {claim['amount']} ({money.format_gbp(claimed)}) for {claim['metric']}; "
                    f"bch computes {money.format_gbp(value)}",
                    stated=claimed,
                    computed=value,
                )
            )
    out = claims.copy()
    out["computed_gbp"] = money_array(computed)
    out["ok"] = pd.array(ok, dtype=bool)
    return CLAIMS.cast(out), findings
