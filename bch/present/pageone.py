"""Page 1 of the board pack: the answer to the Board's question, before any table of evidence.

The verdict in one sentence, the RAG counts in words, the scope and what the Board is asked to do (both from the
edition's catalogue entry), the cases that need a decision (Red, then Amber) with who owns each, what happens next
and by when, and every re-forecast with its date, reason and authority. Sentences come from `bch.present.formats`;
the template shows them. Plain data: the analysis in, a dict out.
"""

from __future__ import annotations

from bch.core import labels
from bch.present import formats

DECIDING = ("red", "amber")  # the RAG words that need a decision


def page_one(analysis) -> dict:
    edition = analysis.inputs.edition if analysis.inputs else None
    rows = analysis.variance.to_dict("records")
    delivered = (
        formats.delivery(analysis.variance_totals, analysis.variance["status"], analysis.materiality_pct)
        if rows
        else None
    )
    recommendation = labels.neutralise(edition.recommendation) if edition else ""
    return {
        "verdict": formats.verdict_sentence(delivered),
        "rag_counts": formats.rag_counts_sentence([r["rag"] for r in rows], [r["latest_forecast_gbp"] for r in rows]),
        "scope": formats.scope_sentence(labels.neutralise(edition.scope) if edition else ""),
        "recommendation": recommendation or formats.NOTE_THE_REPORT,
        "decisions": decisions(analysis, rows),
        "reforecasts": reforecasts(rows),
        "no_owner": formats.NO_OWNER,
        "rag_colours": formats.RAG_COLOURS,
    }


def decisions(analysis, rows: list[dict]) -> list[dict]:
    """Each Red case, then each Amber one (the largest shortfall first), with its owner, next action, when it is
    due and the owner's confidence from the register's optional columns ('no owner recorded' without them)."""
    actions = {labels.normalise(c["function"]): c for c in analysis.register.cases.to_dict("records")}
    deciding = [r for r in rows if r["rag"] in DECIDING]
    deciding.sort(key=lambda r: (DECIDING.index(r["rag"]), formats.pounds(r["variance_gbp"]) or 0))
    out = []
    for r in deciding:
        case = actions.get(labels.normalise(r["function"]), {})
        out.append(
            {
                "function": r["function"],
                "rag": r["rag"],
                "latest": r["latest_forecast_gbp"],
                "actual": r["actual_gbp"],
                "variance": r["variance_gbp"],
                "owner": case.get("owner") or formats.NO_OWNER,
                "next_action": case.get("next_action") or "",
                "action_due": formats.long_date_of(case.get("action_due")) if case.get("action_due") else "",
                "confidence": case.get("confidence") or "",
            }
        )
    return out


def reforecasts(rows: list[dict]) -> list[dict]:
    """Every case whose latest forecast is a re-forecast: the original, the latest, the month it took effect
    ('undated' for the register's own revised forecast), why, and on whose authority."""
    return [
        {
            "function": r["function"],
            "original": r["forecast_gbp"],
            "latest": r["latest_forecast_gbp"],
            "when": formats.month(r["revised_on"]) if r["revised_on"] else "undated",
            "reason": r["revision_reason"].rstrip(".") or formats.MISSING,
            "authority": r["revision_source"] or formats.MISSING,
        }
        for r in rows
        if r["revised_on"] or formats.pounds(r["revised_forecast_gbp"]) is not None
    ]
