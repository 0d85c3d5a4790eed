"""What changed since the pack a new one is compared with: years, actuals, forecasts, statuses,
findings and parameters. Pure: tables in, a list of plain records out.

Each change is {kind, item, before, after, money}: `money` says before/after are pounds (shown £k),
so presenters never guess from the kind's wording.
"""

from __future__ import annotations

import re

import pandas as pd

# (variance column, kind, money?)
_CASE_FIELDS = (
    ("forecast_gbp", "forecast changed", True),
    ("latest_forecast_gbp", "forecast revised", True),
    ("actual_gbp", "case actual changed", True),
    ("status", "status changed", False),
)
_PARAMETERS = ("edition", "as_of", "materiality_pct", "strict")
_LINE = ("function", "fiscal_year", "saving_gbp")
_FINDING = ("severity", "code", "cell", "message")
# The columns each compared table must hold (by its pack name); the rest of a pack is not compared.
NEEDED: dict[str, tuple[str, ...]] = {
    "savings-tidy": _LINE,
    "variance": ("function", *(column for column, _, _ in _CASE_FIELDS)),
    "findings": _FINDING,
}
_KIND_ORDER = (
    "parameter changed",
    "year added",
    "year removed",
    "actual added",
    "actual restated",
    "actual removed",
    "case added",
    "case removed",
    *(kind for _, kind, _ in _CASE_FIELDS),
    "finding new",
    "finding resolved",
)


def natural_key(text: str) -> tuple:
    """Sorts 'Savings!D3' before 'Savings!D11' and '2019/20' after '2018/19'."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text))


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """Tables as the packs store them (CSV text), so old and new compare like for like."""
    return frame.astype("string").fillna("")


class NotComparable(ValueError):
    """Tables that lack a column the comparison reads; the message is the one-line reason."""


def _lacking(tables: dict[str, pd.DataFrame], which: str) -> str | None:
    for name, columns in NEEDED.items():
        if name not in tables:
            return f"the {which} tables lack {name}"
        missing = [c for c in columns if c not in tables[name].columns]
        if missing:
            return f"the {which} {name} lacks the column(s) {', '.join(missing)}"
    return None


def _keyed(frame: pd.DataFrame, keys: list[str], value: str) -> dict[tuple, str]:
    return {tuple(row[k] for k in keys): str(row[value]) for row in frame.to_dict("records")}


def _change(kind: str, item: str, before, after, money: bool = False) -> dict:
    return {"kind": kind, "item": item, "before": before or None, "after": after or None, "money": money}


def _savings(old: pd.DataFrame, new: pd.DataFrame) -> list[dict]:
    found = []
    old_years, new_years = list(dict.fromkeys(old["fiscal_year"])), list(dict.fromkeys(new["fiscal_year"]))
    found += [_change("year added", year, None, "new column") for year in new_years if year not in old_years]
    found += [_change("year removed", year, "was shown", None) for year in old_years if year not in new_years]
    before = _keyed(old, ["function", "fiscal_year"], "saving_gbp")
    after = _keyed(new, ["function", "fiscal_year"], "saving_gbp")
    for key in [*after, *[k for k in before if k not in after]]:
        item = f"{key[0]} {key[1]}"
        if key not in before:
            found.append(_change("actual added", item, None, after[key], True))
        elif key not in after:
            found.append(_change("actual removed", item, before[key], None, True))
        elif before[key] != after[key]:
            found.append(_change("actual restated", item, before[key], after[key], True))
    return found


def _cases(old: pd.DataFrame, new: pd.DataFrame) -> list[dict]:
    found = []
    old_status, new_status = _keyed(old, ["function"], "status"), _keyed(new, ["function"], "status")
    found += [_change("case added", k[0], None, v) for k, v in new_status.items() if k not in old_status]
    found += [_change("case removed", k[0], v, None) for k, v in old_status.items() if k not in new_status]
    for column, kind, money in _CASE_FIELDS:
        before, after = _keyed(old, ["function"], column), _keyed(new, ["function"], column)
        for key, value in after.items():
            if key in before and before[key] != value:
                found.append(_change(kind, key[0], before[key], value, money))
    return found


def _findings(old: pd.DataFrame, new: pd.DataFrame) -> list[dict]:
    old_set = {tuple(r) for r in old[list(_FINDING)].itertuples(index=False)}
    new_set = {tuple(r) for r in new[list(_FINDING)].itertuples(index=False)}
    found = [_change("finding new", f"{f[0]} {f[1]} {f[2]}", None, f[3]) for f in new_set - old_set]
    return found + [_change("finding resolved", f"{f[0]} {f[1]} {f[2]}", f[3], None) for f in old_set - new_set]


def _parameters(old: object, new: object) -> list[dict]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []  # a pack that recorded no parameters (or not as this bch does) is compared on its figures
    return [
        _change("parameter changed", name, str(old.get(name, "")), str(new.get(name, "")))
        for name in _PARAMETERS
        if str(old.get(name, "")) != str(new.get(name, ""))
    ]


def compare(
    previous: dict[str, pd.DataFrame] | None,
    current: dict[str, pd.DataFrame],
    previous_parameters: dict | None = None,
    parameters: dict | None = None,
) -> list[dict]:
    """Changes from `previous` to `current` tables (by their pack names); [] with nothing to compare.
    NotComparable when either lacks a column `NEEDED` names: a missing column is never "all added"."""
    if previous is None:
        return []
    why = _lacking(previous, "previous") or _lacking(current, "current")
    if why:
        raise NotComparable(why)
    old = {name: _text(previous[name]) for name in NEEDED}
    new = {name: _text(current[name]) for name in NEEDED}
    found = [
        *_parameters(previous_parameters, parameters),
        *_savings(old["savings-tidy"], new["savings-tidy"]),
        *_cases(old["variance"], new["variance"]),
        *_findings(old["findings"], new["findings"]),
    ]
    order = {kind: i for i, kind in enumerate(_KIND_ORDER)}
    return sorted(found, key=lambda c: (order[c["kind"]], natural_key(c["item"])))
