"""What changed since the previous pack: actuals, forecasts, statuses, findings. Pure."""

from __future__ import annotations

import pandas as pd


def _keyed(frame: pd.DataFrame, keys: list[str], value: str) -> dict[tuple, str]:
    return {tuple(row[k] for k in keys): str(row[value]) for row in frame.to_dict("records")}


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Tables as the packs store them (CSV text), so old and new compare like for like."""
    return frame.astype("string").fillna("")


def compare(previous: dict[str, pd.DataFrame] | None, current: dict[str, pd.DataFrame]) -> list[dict]:
    """Changes from `previous` to `current` tables: [{kind, item, before, after}]; [] for a first pack."""
    if previous is None:
        return []
    changes: list[dict] = []
    old, new = (_as_text(previous["savings-tidy"]), _as_text(current["savings-tidy"]))
    before = _keyed(old, ["function", "fiscal_year"], "saving_gbp")
    after = _keyed(new, ["function", "fiscal_year"], "saving_gbp")
    for key in [*after, *[k for k in before if k not in after]]:
        item = f"{key[0]} {key[1]}"
        if key not in before:
            changes.append({"kind": "actual added", "item": item, "before": None, "after": after[key]})
        elif key not in after:
            changes.append({"kind": "actual removed", "item": item, "before": before[key], "after": None})
        elif before[key] != after[key]:
            changes.append({"kind": "actual changed", "item": item, "before": before[key], "after": after[key]})

    old, new = _as_text(previous["variance"]), _as_text(current["variance"])
    for column, kind in (
        ("forecast_gbp", "forecast changed"),
        ("revised_forecast_gbp", "revised forecast changed"),
        ("status", "status changed"),
    ):
        before, after = _keyed(old, ["function"], column), _keyed(new, ["function"], column)
        for key in after:
            if key in before and before[key] != after[key]:
                changes.append(
                    {"kind": kind, "item": key[0], "before": before[key] or None, "after": after[key] or None}
                )
        for key in after:
            if key not in before and column == "status":
                changes.append({"kind": "case added", "item": key[0], "before": None, "after": after[key]})
        for key in before:
            if key not in after and column == "status":
                changes.append({"kind": "case removed", "item": key[0], "before": before[key], "after": None})

    fields = ["severity", "code", "cell", "message"]
    old_findings = {tuple(r) for r in _as_text(previous["findings"])[fields].itertuples(index=False)}
    new_findings = {tuple(r) for r in _as_text(current["findings"])[fields].itertuples(index=False)}
    for finding in sorted(new_findings - old_findings):
        changes.append(
            {
                "kind": "finding new",
                "item": f"{finding[0]} {finding[1]} {finding[2]}",
                "before": None,
                "after": finding[3],
            }
        )
    for finding in sorted(old_findings - new_findings):
        changes.append(
            {
                "kind": "finding resolved",
                "item": f"{finding[0]} {finding[1]} {finding[2]}",
                "before": finding[3],
                "after": None,
            }
        )
    return changes
