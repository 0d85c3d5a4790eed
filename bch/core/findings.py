"""The Finding record: something a reader must know about the data, tied to a cell."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from bch.core.codes import CATALOGUE, Severity
from bch.core.money import as_pounds
from bch.core.schema import Schema


@dataclass(frozen=True)
class Finding:
    """A finding of a code declared in `bch.core.codes`, with the severity declared there (else ValueError).

    A finding about figures carries them as whole pounds, apart from its wording: `stated_gbp`, what the input
    states (a total cell, a quoted figure, this edition's forecast), and `computed_gbp`, what bch expected instead
    (computed from the sheet, or stated by the edition before). `key` is the finding's identity across packs and
    versions of bch: its code, cell and figures, never its message."""

    severity: Severity
    code: str
    cell: str | None
    message: str
    stated_gbp: int | None = None
    computed_gbp: int | None = None

    def __post_init__(self):
        declared = CATALOGUE.get(self.code)
        if declared is None:
            raise ValueError(f"finding code {self.code!r} is not declared in bch.core.codes")
        if declared.severity != self.severity:
            raise ValueError(f"finding code {self.code!r} is declared as {declared.severity}, not {self.severity}")
        for figure in (self.stated_gbp, self.computed_gbp):
            if figure is not None and type(figure) is not int:
                raise TypeError(f"a finding's figures are whole pounds (int), not {type(figure).__name__}")

    @property
    def key(self) -> tuple[str, str | None, int | None, int | None]:
        return (self.code, self.cell, self.stated_gbp, self.computed_gbp)

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.cell}: " if self.cell else ""
        return f"{self.severity.upper()} [{self.code}] {where}{self.message}"


def finding(code: str, cell: str | None, message: str, *, stated=None, computed=None) -> Finding:
    """A finding of `code` (a `bch.core.codes` constant), its severity taken from the catalogue; `stated` and
    `computed` are its figures in pounds (an int, or a pandas integer: anything else is refused)."""
    declared = CATALOGUE.get(code)
    if declared is None:
        raise ValueError(f"finding code {code!r} is not declared in bch.core.codes")
    return Finding(declared.severity, code, cell, message, _pounds(stated), _pounds(computed))


def _pounds(figure) -> int | None:
    return None if figure is None else as_pounds(figure)


FINDINGS = Schema(
    "findings",
    {
        "severity": "text",
        "code": "text",
        "cell": "text",
        "message": "text",
        "stated_gbp": "money",
        "computed_gbp": "money",
    },
)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0}
    for f in findings:
        counts[f.severity] += 1
    return counts


def findings_frame(findings: Iterable[Finding]):
    """The findings as a DataFrame (errors first), for notebooks and packs."""
    frame = FINDINGS.frame(f.to_dict() for f in findings)
    order = frame["severity"].map({"error": 0, "warning": 1})
    return frame.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)
