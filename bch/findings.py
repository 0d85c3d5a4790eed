"""The Finding record: something a reader must know about the data, tied to a cell."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    cell: str | None
    message: str

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.cell}: " if self.cell else ""
        return f"{self.severity.upper()} [{self.code}] {where}{self.message}"


def error(code: str, cell: str | None, message: str) -> Finding:
    return Finding("error", code, cell, message)


def warning(code: str, cell: str | None, message: str) -> Finding:
    return Finding("warning", code, cell, message)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0}
    for f in findings:
        counts[f.severity] += 1
    return counts


def findings_frame(findings: Iterable[Finding]):
    """The findings as a DataFrame (errors first), for notebooks and packs."""
    import pandas as pd

    rows = [f.to_dict() for f in findings]
    frame = pd.DataFrame(rows, columns=["severity", "code", "cell", "message"])
    order = frame["severity"].map({"error": 0, "warning": 1})
    return frame.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
