"""Declared columns of every table bch makes, checked where the table is made.

A money column holds int pounds or a missing value, never a float: pandas turns `[None, 6348000]`
into float64 without a word, and a float in a money column is a wrong figure waiting to be summed.
So each producer builds its frame through `Schema.frame` (or checks one with `Schema.check`), and a
float, a NaN or a stray column fails there, naming the table and column, instead of in a writer.

Kinds: `money` (pandas Int64, or object holding Python ints past int64), `count` (Int64),
`pct` (float64, NaN for "not computed"), `bool`, `text` (any text dtype; None/NA allowed), `any`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

KINDS = ("money", "count", "pct", "bool", "text", "any")


class SchemaError(TypeError):
    """A table was made with a column of the wrong type: a bug in bch, never a data problem."""


@dataclass(frozen=True)
class Schema:
    name: str
    columns: Mapping[str, str]  # column -> kind, in the table's order

    def __post_init__(self):
        unknown = {kind for kind in self.columns.values() if kind not in KINDS}
        if unknown:
            raise ValueError(f"{self.name}: unknown column kinds {sorted(unknown)}")

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def of_kind(self, kind: str) -> list[str]:
        return [c for c, k in self.columns.items() if k == kind]

    def frame(self, records: Iterable[Mapping] | Iterable[tuple]) -> pd.DataFrame:
        """The table from records (dicts or tuples in column order), each column cast to its kind, then checked."""
        records = list(records)
        if records and not isinstance(records[0], Mapping):
            records = [dict(zip(self.names, row, strict=True)) for row in records]
        data = {c: _column([r.get(c) for r in records], kind) for c, kind in self.columns.items()}
        return self.check(pd.DataFrame(data, columns=self.names))

    def cast(self, frame: pd.DataFrame) -> pd.DataFrame:
        """`frame` with its declared columns cast to their kinds (extra columns kept), then checked."""
        out = frame.copy()
        for column, kind in self.columns.items():
            if column in out.columns:
                out[column] = _column(list(out[column]), kind)
        return self.check(out, extra=True)

    def check(self, frame: pd.DataFrame, *, extra: bool = False) -> pd.DataFrame:
        """`frame` unchanged if each declared column is there with its kind; else SchemaError naming the first."""
        missing = [c for c in self.names if c not in frame.columns]
        if missing:
            raise SchemaError(f"table {self.name} lacks column(s) {missing}")
        if not extra and list(frame.columns) != self.names:
            raise SchemaError(f"table {self.name} has columns {list(frame.columns)}, declared {self.names}")
        for column, kind in self.columns.items():
            problem = _problem(frame[column], kind)
            if problem:
                raise SchemaError(f"table {self.name}, column {column} ({kind}): {problem}")
        return frame


def _column(values: list, kind: str):
    if kind == "money":
        return money_array(values)
    if kind == "count":
        return pd.array([int(v) for v in values], dtype="Int64")  # nullable, as money is: never numpy int64
    if kind == "pct":
        return pd.array([float("nan") if v is None or pd.isna(v) else float(v) for v in values], dtype="float64")
    if kind == "bool":
        return pd.array([bool(v) for v in values], dtype=bool)
    return pd.array(values, dtype=object) if kind == "any" else pd.array(values, dtype="str")


def money_array(values: list):
    """Int pounds as pandas Int64 (missing: <NA>); an int past int64 keeps the column exact as object.

    A float is refused, NaN included: it is never a figure bch read, so it is a bug upstream.
    """
    for value in values:
        if isinstance(value, float):
            raise SchemaError(f"money is int pounds, not the float {value!r}")
    try:
        return pd.array(values, dtype="Int64")
    except (OverflowError, TypeError, ValueError):
        return pd.array([None if v is None or v is pd.NA else int(v) for v in values], dtype=object)


def _problem(series: pd.Series, kind: str) -> str:
    dtype = series.dtype
    if kind == "money":
        if str(dtype) == "Int64":
            return ""
        if dtype is object or str(dtype) == "object":
            bad = [
                v for v in series if not (v is None or v is pd.NA or (isinstance(v, int) and not isinstance(v, bool)))
            ]
            return f"holds {bad[0]!r} ({type(bad[0]).__name__}), not int pounds" if bad else ""
        return f"has dtype {dtype}; money is int pounds (Int64)"
    if kind == "count":
        return "" if str(dtype) in ("int64", "Int64") else f"has dtype {dtype}; a count is an int"
    if kind == "pct":
        return "" if str(dtype) == "float64" else f"has dtype {dtype}; a percentage is a float"
    if kind == "bool":
        return "" if str(dtype) == "bool" else f"has dtype {dtype}; expected bool"
    if kind == "text":
        if pd.api.types.is_string_dtype(dtype) or str(dtype) == "object":
            bad = [v for v in series if not (isinstance(v, str) or pd.isna(v))]
            return f"holds {bad[0]!r} ({type(bad[0]).__name__}), not text" if bad else ""
        return f"has dtype {dtype}; expected text"
    return ""
