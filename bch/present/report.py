"""The `bch check` report: a JSON-ready dict and its plain-text rendering (formats and sentences from
`bch.present`, as in the board pack and the notebooks)."""

from __future__ import annotations

import pandas as pd

from bch.analyse import summary
from bch.analyse.pipeline import Analysis
from bch.core.findings import count_by_severity
from bch.present import formats

VARIANCE_FIELDS = [
    "function",
    "sheet_label",
    "forecast_gbp",
    "revised_forecast_gbp",
    "latest_forecast_gbp",
    "actual_gbp",
    "variance_gbp",
    "variance_vs_original_gbp",
    "delivery_pct",
    "status",
    "rag",
    "variance_causes",
    "source",
]
CLAIM_FIELDS = ["paragraph", "quote", "metric", "claimed_gbp", "computed_gbp", "ok"]


def _plain(value):
    """A JSON value: pandas' missing values become null, numpy scalars plain numbers."""
    if value is None or (not isinstance(value, (str, tuple, list)) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def records(frame: pd.DataFrame, fields: list[str]) -> list[dict]:
    return [{field: _plain(row[field]) for field in fields} for row in frame.to_dict("records")]


def as_json(analysis: Analysis) -> dict:
    sheet = analysis.sheet
    inputs = analysis.inputs
    return {
        "source": {"path": str(sheet.path), "sheet": sheet.sheet, "unit": sheet.unit, "years": list(sheet.years)},
        "edition": inputs.edition.key if inputs and inputs.edition else None,
        "as_of": inputs.as_of.isoformat() if inputs and inputs.as_of else None,
        "claims_checked": inputs.claims_checked if inputs else True,
        "totals": analysis.totals,
        "by_function": summary.by_function(sheet) if sheet.usable else [],
        "by_year": summary.by_year(sheet) if sheet.usable else [],
        "materiality_pct": analysis.materiality_pct,
        "variance": records(analysis.variance, VARIANCE_FIELDS),
        "variance_totals": analysis.variance_totals if len(analysis.variance) else None,
        "claims": records(analysis.claims, CLAIM_FIELDS),
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
    lines = [f"Savings sheet: {sheet.path} [{sheet.sheet}]", _stated(analysis.inputs)]
    if sheet.usable:
        lines.append(
            f"Years: {', '.join(sheet.years)} ({len(sheet.years)}); unit {sheet.unit}; {len(sheet.functions)} functions"
        )
        lines += ["", "Totals (computed from the line items):"]
        lines += _table([(figure.title, formats.gbp(totals[figure.key])) for figure in summary.HEADLINE_FIGURES])
        lines += ["", "By function:"]
        lines += _table([(row["function"], formats.gbp(row["actual_gbp"])) for row in summary.by_function(sheet)])
        lines += ["", "By year:"]
        lines += _table([(row["fiscal_year"], formats.gbp(row["recurrent_gbp"])) for row in summary.by_year(sheet)])
        lines += ["", f"Forecast against delivered (£k; materiality {analysis.materiality_pct:g}%):"]
        lines += render_variance(analysis)
        if len(analysis.variance):
            delivered = formats.delivery(
                analysis.variance_totals, analysis.variance["status"], analysis.materiality_pct
            )
            lines += ["", formats.headline_sentence(delivered)]
        claims = analysis.claims
        agree = f"{int(claims['ok'].sum())} of {len(claims)}"
        if analysis.inputs and not analysis.inputs.claims_checked:  # another edition's paper: then and now
            about = analysis.inputs.claims_edition.key
            heading = f"Figures quoted about the edition as at {about} (for information, not checked against this one)"
            lines += ["", f"{heading}: {agree} unchanged"]
            mark, then, now = "moved", "quoted then", "now"
        else:
            lines += ["", f"The paper's figures: {agree} agree"]
            mark, then, now = "✗", "paper", "computed"
        lines += [
            f"  {mark} {row['paragraph']} {row['metric']}: "
            f"{then} {formats.gbp(row['claimed_gbp'])}, {now} {formats.gbp(row['computed_gbp'])}"
            for row in claims.to_dict("records")
            if not row["ok"]
        ]
    else:
        lines.append("The table's layout could not be read, so no figures are given.")
    counts = count_by_severity(analysis.findings)
    lines += ["", f"Findings: {counts['error']} error(s), {counts['warning']} warning(s)"]
    lines += [f"  {finding}" for finding in analysis.findings]
    return "\n".join(lines)


def _stated(inputs) -> str:
    if inputs is None or inputs.as_of is None:
        return "As at: not stated (the workbook is in no catalogued edition; give --as-of YYYY-MM-DD)"
    edition = f"edition {inputs.edition.key}" if inputs.edition else "inputs given explicitly"
    return f"As at: {inputs.as_of.isoformat()} ({edition})"


def render_variance(analysis: Analysis) -> list[str]:
    """The reconciliation as a fixed-width text table (£ thousands), with each case's RAG."""
    header = ("Function", "Original", "Latest", "Actual", "Variance", "Delivery", "Status", "RAG")
    rows = [header]
    for row in analysis.variance.to_dict("records"):
        rows.append(
            (
                str(row["function"]),
                formats.gbp_k(row["forecast_gbp"]),
                formats.gbp_k(row["latest_forecast_gbp"]),
                formats.gbp_k(row["actual_gbp"]),
                formats.gbp_k(row["variance_gbp"], signed=True),
                formats.pct(row["delivery_pct"]),
                formats.status_shown(str(row["status"]), row["register_status"]),
                formats.rag_word(row["rag"]),
            )
        )
    if len(analysis.variance):
        t = analysis.variance_totals
        rows.append(
            (
                formats.total_label(t["cases"]),
                formats.gbp_k(t["forecast_gbp"]),
                formats.gbp_k(t["latest_forecast_gbp"]),
                formats.gbp_k(t["actual_gbp"]),
                formats.gbp_k(t["variance_gbp"], signed=True),
                "",
                "",
                "",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    out = []
    for r in rows:
        cells = (
            [r[0].ljust(widths[0])]
            + [c.rjust(w) for c, w in zip(r[1:6], widths[1:6], strict=True)]
            + [r[6].ljust(widths[6]), r[7]]
        )
        out.append("  " + "  ".join(cells).rstrip())
    return out
