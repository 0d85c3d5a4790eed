"""One case, cell by cell: its yearly actuals as the sheet prints them, its forecast and every revision (in force
or not, and why), the paper's quotes about it, the findings naming its cells, and its figures at each edition."""

from __future__ import annotations

import re

import pandas as pd

from bch.core import labels
from bch.present import formats

_CELL = re.compile(r"^(?P<sheet>'(?:[^']|'')*'|[^!]+)!\$?[A-Z]+\$?(?P<row>\d+)(?::\$?[A-Z]+\$?(?P<last>\d+))?$")


def rows_of(cell: str | None) -> set[tuple[str, int]]:
    """The (sheet, row) pairs a reference like Savings!B5:F5 or 'business-cases.csv'!D4 covers."""
    found = _CELL.match(cell or "")
    if not found:
        return set()
    sheet = found["sheet"].strip("'").replace("''", "'")
    first = int(found["row"])
    return {(sheet, row) for row in range(first, int(found["last"] or first) + 1)}


def case_row(variance: pd.DataFrame, function: str) -> dict:
    return next(r for r in variance.to_dict("records") if r["function"] == function)


def actuals(analysis, row: dict) -> pd.DataFrame:
    """Each fiscal year of the case's sheet line: the pounds, the cell and the value as the sheet prints it."""
    sheet = analysis.sheet
    lines = sheet.lines[sheet.lines["function"] == row["sheet_label"]] if row["sheet_label"] else sheet.lines[:0]
    return pd.DataFrame(
        {
            "year": lines["fiscal_year"],
            "actual": [formats.gbp(v) for v in lines["saving_gbp"]],
            "cell": lines["cell"],
            "as printed": [
                formats.as_printed(v, sheet.factor, sheet.unit) if s == "value" else s
                for v, s in zip(lines["saving_gbp"], lines["status"], strict=True)
            ],
        }
    )


def forecast(case: dict, row: dict, changed: pd.DataFrame) -> pd.DataFrame:
    """The register's forecast with its cell, and the latest forecast in force with its cell and authority."""
    in_force = changed[changed["in force"].str.startswith("yes")]["cell"].tolist()
    latest_cell = (
        in_force[-1] if in_force else case["register_cell"] if row["revision_source"] else case["forecast_cell"]
    )
    since = f" from {row['revised_on']}" if row["revised_on"] else ""
    return pd.DataFrame(
        [
            {
                "what": "forecast (business case)",
                "amount": formats.gbp(case["forecast_gbp"]),
                "cell": case["forecast_cell"],
                "authority": case["source"],
            },
            {
                "what": f"latest forecast in force{since}",
                "amount": formats.gbp(row["latest_forecast_gbp"]),
                "cell": latest_cell,
                "authority": row["revision_source"] or case["source"],
            },
        ]
    )


def revisions(register, function: str, as_of) -> pd.DataFrame:
    """Every dated revision of the case, oldest first, each in force or not, and why."""
    dated = register.revisions
    if dated is None or dated.empty:
        return pd.DataFrame(columns=["effective", "forecast", "reason", "source", "cell", "in force"])
    mine = dated[dated["function"].map(labels.normalise) == labels.normalise(function)]
    records = mine.to_dict("records")
    current = [r for r in records if as_of is None or r["effective"] <= as_of]
    rows = []
    for r in records:
        if as_of is not None and r["effective"] > as_of:
            why = f"no: takes effect after the as-of date {as_of.isoformat()}"
        elif r is not current[-1]:
            why = "no: a later revision replaced it"
        else:
            why = "yes: the latest up to the as-of date"
        rows.append(
            {
                "effective": r["effective"].isoformat(),
                "forecast": formats.gbp(r["forecast_gbp"]),
                "reason": labels.neutralise(str(r["reason"])),
                "source": labels.neutralise(str(r["source"])),
                "cell": r["cell"],
                "in force": why,
            }
        )
    return pd.DataFrame(rows, columns=["effective", "forecast", "reason", "source", "cell", "in force"])


def claims(analysis, row: dict) -> pd.DataFrame:
    """The paper's quotes about the case: those whose metric names it or its sheet line."""
    names = {row["function"], row["sheet_label"]} - {None}
    about = [m.split(":")[1] in names if ":" in m else False for m in analysis.claims["metric"]]
    mine = analysis.claims[about]
    return pd.DataFrame(
        {
            "paragraph": mine["paragraph"],
            "quote": [labels.neutralise(q) for q in mine["quote"]],
            "paper": [formats.gbp(v) for v in mine["claimed_gbp"]],
            "computed": [formats.gbp(v) for v in mine["computed_gbp"]],
            "agrees": ["yes" if ok else "NO" for ok in mine["ok"]],
            "cell": mine["cell"],
        }
    )


def findings(analysis, case: dict, row: dict, cells: list[str]) -> pd.DataFrame:
    """The findings whose cell is on one of the case's rows: register, sheet line, revisions, quotes."""
    rows: set[tuple[str, int]] = set()
    for cell in (case["register_cell"], row["actual_cells"], *cells):
        rows |= rows_of(cell)
    hits = [f for f in analysis.findings if rows_of(f.cell) & rows]
    return pd.DataFrame(
        [
            {"severity": f.severity, "code": f.code, "cell": f.cell, "message": labels.neutralise(f.message)}
            for f in hits
        ],
        columns=["severity", "code", "cell", "message"],
    )


def editions(trend, function: str) -> pd.DataFrame:
    """The case's actual, latest forecast, delivery % and status at every edition up to this one."""
    mine = trend.cases[trend.cases["function"] == function]
    return pd.DataFrame(
        {
            "as of": mine["as_of"],
            "actual": [formats.gbp(v) for v in mine["actual_gbp"]],
            "latest forecast": [formats.gbp(v) for v in mine["latest_forecast_gbp"]],
            "delivery": [formats.pct(v) for v in mine["delivery_pct"]],
            "status": mine["status"],
        }
    )


def case_frames(analysis, variance: pd.DataFrame, function: str, trend) -> dict[str, pd.DataFrame]:
    """Every table of the drill-down on `function`, by its heading."""
    row = case_row(variance, function)
    cases = analysis.register.cases
    known = cases[cases["function"] == function].to_dict("records")
    frames = {"Actuals, year by year": actuals(analysis, row)}
    changed = revisions(analysis.register, function, analysis.as_of)
    if known:
        frames["Forecast"] = forecast(known[0], row, changed)
    frames["Revisions"] = changed
    quoted = claims(analysis, row)
    frames["The paper's quotes"] = quoted
    register_case = known[0] if known else {"register_cell": ""}
    frames["Findings naming its cells"] = findings(analysis, register_case, row, [*changed["cell"], *quoted["cell"]])
    frames["At every edition"] = editions(trend, function)
    return frames
