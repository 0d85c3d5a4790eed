"""The `bch check` report: a JSON-ready dict and its plain-text rendering."""

from __future__ import annotations

from bch import summary
from bch.findings import count_by_severity
from bch.money import format_gbp
from bch.pipeline import Analysis


def as_json(analysis: Analysis) -> dict:
    sheet = analysis.sheet
    return {
        "source": {"path": str(sheet.path), "sheet": sheet.sheet, "unit": sheet.unit, "years": list(sheet.years)},
        "totals": analysis.totals,
        "by_function": summary.by_function(sheet) if sheet.usable else [],
        "by_year": summary.by_year(sheet) if sheet.usable else [],
        "findings": [f.to_dict() for f in analysis.findings],
        "finding_counts": count_by_severity(analysis.findings),
    }


def _table(rows: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    width = max((len(label) for label, _ in rows), default=0)
    amount_width = max((len(amount) for _, amount in rows), default=0)
    return [f"{indent}{label:<{width}}  {amount:>{amount_width}}" for label, amount in rows]


def render_text(analysis: Analysis) -> str:
    sheet = analysis.sheet
    totals = analysis.totals
    lines = [f"Savings sheet: {sheet.path} [{sheet.sheet}]"]
    if sheet.usable:
        lines.append(
            f"Years: {', '.join(sheet.years)} ({len(sheet.years)}); unit {sheet.unit}; {len(sheet.functions)} functions"
        )
        lines += ["", "Totals (computed from the line items):"]
        lines += _table(
            [
                ("Recurrent savings", format_gbp(totals["recurrent_gbp"])),
                ("Cumulative savings to date", format_gbp(totals["cumulative_to_date_gbp"])),
                ("Change-team costs", format_gbp(totals["change_team_costs_gbp"])),
            ]
        )
        lines += ["", "By function:"]
        lines += _table([(row["function"], format_gbp(row["actual_gbp"])) for row in summary.by_function(sheet)])
        lines += ["", "By year:"]
        lines += _table([(row["fiscal_year"], format_gbp(row["recurrent_gbp"])) for row in summary.by_year(sheet)])
    else:
        lines.append("The table's layout could not be read, so no figures are given.")
    counts = count_by_severity(analysis.findings)
    lines += ["", f"Findings: {counts['error']} error(s), {counts['warning']} warning(s)"]
    lines += [f"  {finding}" for finding in analysis.findings]
    return "\n".join(lines)
