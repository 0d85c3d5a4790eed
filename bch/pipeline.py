"""One call from input files to every computed table: what the CLI, notebooks and packs share."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bch import checks, claims, paths, reconcile, register, summary
from bch.errors import DataError, ParameterError
from bch.findings import Finding, has_errors
from bch.workbook import SavingsSheet, read_savings


@dataclass(frozen=True)
class Analysis:
    sheet: SavingsSheet
    register: register.Register
    variance: pd.DataFrame  # bch.reconcile.COLUMNS
    claims: pd.DataFrame  # paragraph, quote, metric, amount, claimed_gbp, cell, computed_gbp, ok
    findings: tuple[Finding, ...]
    materiality_pct: float

    @property
    def has_errors(self) -> bool:
        return has_errors(self.findings)

    @functools.cached_property
    def totals(self) -> dict[str, int | None]:
        return summary.headline_totals(self.sheet)

    @functools.cached_property
    def variance_totals(self) -> dict[str, int]:
        return reconcile.totals(self.variance)


def check_materiality(materiality_pct: float) -> float:
    if isinstance(materiality_pct, bool) or not isinstance(materiality_pct, (int, float)):
        raise ParameterError(f"materiality must be a number of percent, not {materiality_pct!r}")
    if not math.isfinite(materiality_pct) or not 0 <= materiality_pct < 100:
        raise ParameterError(f"materiality must be from 0 to under 100 (percent), not {materiality_pct}")
    return float(materiality_pct)


def check_savings(savings: str | Path = paths.SAVINGS_WORKBOOK, sheet: str | None = None):
    """Load the savings workbook and check its arithmetic: (sheet, loader findings + check findings)."""
    loaded = read_savings(savings, sheet)
    return loaded, [*loaded.findings, *checks.check_sheet(loaded)]


def analyse(
    savings: str | Path = paths.SAVINGS_WORKBOOK,
    sheet: str | None = None,
    forecasts: str | Path = paths.BUSINESS_CASES,
    paper_claims: str | Path = paths.PAPER_CLAIMS,
    materiality_pct: float = reconcile.DEFAULT_MATERIALITY_PCT,
) -> Analysis:
    """Load, check, reconcile and verify: findings come in that order (loader, arithmetic, register, …)."""
    materiality_pct = check_materiality(materiality_pct)
    loaded, findings = check_savings(savings, sheet)
    cases = register.read_register(forecasts)
    quoted, claim_findings = claims.read_claims(paper_claims)
    findings += [*cases.findings, *claim_findings]
    if loaded.usable and not cases.cases.empty:
        variance, matching = reconcile.reconcile(summary.actuals(loaded), cases.cases, materiality_pct)
        findings += matching
    else:
        variance = pd.DataFrame(columns=reconcile.COLUMNS)
    figures = claims.computed_figures(summary.headline_totals(loaded), loaded.lines, variance) if loaded.usable else {}
    verified, mismatches = claims.verify(quoted, figures)
    if loaded.usable:
        findings += mismatches
    return Analysis(loaded, cases, variance, verified, tuple(findings), materiality_pct)


def analyse_run(run) -> Analysis:
    """`analyse` with a notebook's validated `bch.params.RunParameters`."""
    return analyse(run.savings_path, None, run.forecasts_path, run.claims_path, run.materiality_pct)


def enforce_strict(analysis: Analysis, strict: bool) -> None:
    """In a strict run, error findings stop the run with a message naming the first of them."""
    errors = [f for f in analysis.findings if f.severity == "error"]
    if strict and errors:
        raise DataError(f"strict run: {len(errors)} error finding(s); the first: {errors[0]}")
