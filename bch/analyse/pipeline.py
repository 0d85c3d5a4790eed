"""One call from input files to every computed table: what the CLI, notebooks and packs share."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bch.analyse import checks, claimcheck, drift, reconcile, summary
from bch.core.errors import BchError, DataError, ParameterError
from bch.core.findings import Finding, has_errors
from bch.read import claims, editions, register
from bch.read.cases import freshness, in_force, with_aliases
from bch.read.inputs import Inputs, resolve
from bch.read.sheet import SavingsSheet
from bch.read.workbook import read_savings


@dataclass(frozen=True)
class Analysis:
    sheet: SavingsSheet
    register: register.Register
    variance: pd.DataFrame  # bch.analyse.reconcile.COLUMNS
    claims: pd.DataFrame  # paragraph, quote, metric, amount, claimed_gbp, cell, computed_gbp, ok
    findings: tuple[Finding, ...]
    materiality_pct: float
    inputs: Inputs | None = None

    @property
    def has_errors(self) -> bool:
        return has_errors(self.findings)

    @property
    def as_of(self):
        return self.inputs.as_of if self.inputs else None

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
    return float(materiality_pct) + 0.0  # -0.0 + 0.0 is 0.0: never "Materiality -0%"


def check_savings(savings: str | Path, sheet: str | None = None, as_of=None):
    """Load the savings workbook and check its arithmetic: (sheet, loader findings + check findings)."""
    loaded = read_savings(savings, sheet)
    return loaded, [*loaded.findings, *checks.check_sheet(loaded), *checks.check_years_stated(loaded, as_of)]


def analyse(
    savings: str | Path = "",
    sheet: str | None = None,
    register_path: str | Path = "",
    paper_claims: str | Path = "",
    materiality_pct: float = reconcile.DEFAULT_MATERIALITY_PCT,
    *,
    inputs: Inputs | None = None,
    catalogue: str | Path | None = None,
    edition: str = "",
    as_of: str = "",
    revisions: str | Path = "",
) -> Analysis:
    """Load, check, reconcile and verify: findings come in that order (loader, arithmetic, register, …).

    With no arguments: the newest edition of the catalogue. Explicit files override the edition's.
    """
    materiality_pct = check_materiality(materiality_pct)
    if inputs is None:
        inputs = resolve(catalogue, edition, savings, sheet or "", register_path, revisions, paper_claims, as_of)
    loaded, findings = check_savings(inputs.savings, inputs.sheet, inputs.as_of)
    cases = with_aliases(register.read_register(inputs.register, inputs.revisions), aliases_in_force(inputs))
    findings += [*cases.findings, *freshness(inputs)]
    if inputs.claims is not None:
        quoted, claim_findings = claims.read_claims(inputs.claims)
        findings += claim_findings
    else:
        quoted = claims.empty()
    if loaded.usable and not cases.cases.empty:
        current = in_force(cases, inputs.as_of)
        variance, matching = reconcile.reconcile(summary.actuals(loaded), current, materiality_pct)
        findings += matching
    else:
        variance = reconcile.VARIANCE.frame([])
    figures = {}
    if loaded.usable:
        figures = claimcheck.computed_figures(
            summary.headline_totals(loaded), loaded.lines, variance, claimcheck.wanted(quoted)
        )
    verified, mismatches = claimcheck.verify(quoted, figures)
    # which figures the quotes describe, on every row: a CSV or Excel copy must not read as failures
    verified["checked"] = inputs.claims_checked
    about = inputs.claims_edition or inputs.edition
    verified["about_as_of"] = about.key if about else (inputs.as_of.isoformat() if inputs.as_of else "")
    if loaded.usable and inputs.claims_checked:
        findings += mismatches
    findings += against_earlier_edition(inputs, loaded, cases)
    return Analysis(loaded, cases, variance, verified, tuple(findings), materiality_pct, inputs)


def earlier_edition(inputs: Inputs) -> editions.Edition | None:
    """The catalogued edition just before the figures of this run (by their as-of date), if any."""
    if inputs.as_of is None:
        return None
    earlier = inputs.catalogue.before(inputs.as_of)
    return earlier[-1] if earlier else None


def against_earlier_edition(inputs: Inputs, loaded: SavingsSheet, cases: register.Register) -> list[Finding]:
    """Drift findings: this run's files against the bytes catalogued, its figures against the edition before."""
    earlier = earlier_edition(inputs)
    first = [e for e in (inputs.edition, earlier) if e is not None]
    files = [*inputs.files(), *((earlier.savings, earlier.register) if earlier else ())]
    found = drift.altered_files(inputs.catalogue.altered(files, first))
    if earlier is None:
        return found
    try:  # an earlier edition that can't be read is named by the trend; here it is only not compared with
        then = register.read_register(earlier.register, earlier.revisions)
        previous_sheet = read_savings(earlier.savings, earlier.sheet)
    except BchError:
        return found
    found += drift.reverted_forecasts(
        cases.cases,
        drift.forecast_history(cases.cases, cases.revisions, inputs.as_of),
        drift.forecast_history(then.cases, then.revisions, earlier.as_of),
        earlier.key,
        earlier.as_of,
    )
    if loaded.usable and previous_sheet.usable:
        found += drift.restated_years(loaded, previous_sheet, earlier.key)
        found += drift.no_new_year(loaded, previous_sheet, earlier.key)
    return found


def aliases_in_force(inputs: Inputs) -> list[tuple[str, str, str]]:
    """The catalogue's aliases of every edition up to the run's (all of them when it states no date):
    an alias holds from the edition that recorded it on, never before."""
    pool = list(inputs.catalogue.editions)
    if inputs.edition is not None and inputs.edition not in pool:
        pool.append(inputs.edition)  # a previewed edition, not catalogued yet
    if inputs.as_of is not None:
        pool = [e for e in pool if e.as_of <= inputs.as_of]
    return [(*editions.alias_parts(alias), e.where("aliases")) for e in pool for alias in e.aliases]


def analyse_run(run) -> Analysis:
    """`analyse` with validated `bch.params.RunParameters` (a notebook's or a pack's)."""
    return analyse(inputs=run.inputs, materiality_pct=run.materiality_pct)


def enforce_strict(analysis: Analysis, strict: bool) -> None:
    """In a strict run, error findings stop the run with a message naming the first of them."""
    errors = [f for f in analysis.findings if f.severity == "error"]
    if strict and errors:
        raise DataError(f"strict run: {len(errors)} error finding(s); the first: {errors[0]}")
