"""The notebooks' parameters: names, types, defaults and validation.

Every notebook's `parameters` cell holds exactly these names with plain values; relative paths
are taken from the notebooks/ folder, so a notebook runs the same in JupyterLab and under papermill.
`bch pack` checks its parameters against this before any kernel starts.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from bch import paths
from bch.errors import ParameterError

# name -> (type, default as the notebooks' parameters cell writes it)
SPEC: dict[str, tuple[type, object]] = {
    "savings_path": (str, "../data/raw/bch-savings-2018-07-19.xlsx"),
    "forecasts_path": (str, "../data/raw/business-cases.csv"),
    "claims_path": (str, "../data/raw/paper-claims.csv"),
    "as_of": (str, "2018-07-19"),
    "materiality_pct": (float, 10.0),
    "output_dir": (str, "../data/processed"),
    "strict": (bool, False),
}


@dataclass(frozen=True)
class RunParameters:
    savings_path: Path
    forecasts_path: Path
    claims_path: Path
    as_of: dt.date
    materiality_pct: float
    output_dir: Path
    strict: bool

    @property
    def figures_dir(self) -> Path:
        return self.output_dir / "figures"

    def plain(self) -> dict:
        """As plain JSON values (for a manifest or an appendix)."""
        return {k: (str(v) if isinstance(v, (Path, dt.date)) else v) for k, v in asdict(self).items()}


def defaults() -> dict:
    return {name: default for name, (_, default) in SPEC.items()}


def _resolve(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (paths.NOTEBOOKS / path).resolve()


def check_types(values: dict) -> None:
    """Unknown names and ill-typed values, refused (ints are accepted where a float is wanted)."""
    for name, value in values.items():
        if name not in SPEC:
            raise ParameterError(f"unknown parameter {name!r}; the parameters are: {', '.join(SPEC)}")
        kind = SPEC[name][0]
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise ParameterError(f"parameter {name} must be {kind.__name__}, not {type(value).__name__} ({value!r})")


def validate(**values) -> RunParameters:
    """Check every parameter (names, types, files exist, date format, ranges) and resolve paths."""
    merged = {**defaults(), **values}
    check_types(merged)
    resolved = {}
    for name in ("savings_path", "forecasts_path", "claims_path"):
        path = _resolve(merged[name])
        if not path.is_file():
            raise ParameterError(f"parameter {name}: no such file {path}")
        resolved[name] = path
    try:
        as_of = dt.date.fromisoformat(merged["as_of"])
    except ValueError:
        raise ParameterError(f"parameter as_of must be an ISO date like 2018-07-19, not {merged['as_of']!r}") from None
    materiality = float(merged["materiality_pct"])
    if not math.isfinite(materiality) or not 0 <= materiality < 100:
        raise ParameterError(
            f"parameter materiality_pct must be from 0 to under 100, not {merged['materiality_pct']!r}"
        )
    output_dir = _resolve(merged["output_dir"])
    if output_dir.exists() and not output_dir.is_dir():
        raise ParameterError(f"parameter output_dir: {output_dir} exists and is not a folder")
    if output_dir == paths.RAW or paths.RAW in output_dir.parents:
        raise ParameterError(f"parameter output_dir: {output_dir} is inside data/raw, which is read-only")
    return RunParameters(
        savings_path=resolved["savings_path"],
        forecasts_path=resolved["forecasts_path"],
        claims_path=resolved["claims_path"],
        as_of=as_of,
        materiality_pct=materiality,
        output_dir=output_dir,
        strict=merged["strict"],
    )
