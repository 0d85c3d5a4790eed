"""One call from input files to every computed table: what the CLI, notebooks and packs share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bch import checks, paths, summary
from bch.findings import Finding, has_errors
from bch.workbook import SavingsSheet, read_savings


@dataclass(frozen=True)
class Analysis:
    sheet: SavingsSheet
    findings: tuple[Finding, ...]

    @property
    def has_errors(self) -> bool:
        return has_errors(self.findings)

    @property
    def totals(self) -> dict[str, int | None]:
        return summary.headline_totals(self.sheet)


def analyse(savings: str | Path = paths.SAVINGS_WORKBOOK, sheet: str | None = None) -> Analysis:
    """Load the savings workbook and check it: the loader's findings first, then the arithmetic's."""
    loaded = read_savings(savings, sheet)
    return Analysis(sheet=loaded, findings=(*loaded.findings, *checks.check_sheet(loaded)))
