"""Page 1 of the board pack: the answer to the Board's question, before any table of evidence.

The verdict in one sentence, the RAG counts in words, the scope and what the Board is asked to do (both from the
edition's catalogue entry), the cases that need a decision (Red, then Amber) with who owns each, what happens next
and by when, and every re-forecast with its date, reason and authority. Page 1's own sentences are declared here, built
from `bch.present.formats`' figures and words; the template shows them. Plain data: the analysis in, a dict out.
"""

from __future__ import annotations

from collections import Counter

from bch.core import labels
from bch.present import formats
from bch.read import profile as profiles

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
        "verdict": verdict_sentence(delivered),
        "rag_counts": rag_counts_sentence([r["rag"] for r in rows], [r["latest_forecast_gbp"] for r in rows]),
        "scope": scope_sentence(labels.neutralise(edition.scope) if edition else ""),
        "recommendation": recommendation or NOTE_THE_REPORT,
        "decisions": decisions(analysis, rows),
        "reforecasts": reforecasts(rows),
        "no_owner": NO_OWNER,
        "no_profile": NO_PROFILE,
        "rag_colours": {code: formats.rag_colour(code) for code in formats.RAG_WORDS},  # by the code cells carry
    }


def decisions(analysis, rows: list[dict]) -> list[dict]:
    """Each Red case, then each Amber one (the largest shortfall first), with its owner, next action, when it is
    due and the owner's confidence from the register's optional columns ('no owner recorded' without them)."""
    actions = {labels.normalise(c["function"]): c for c in analysis.register.cases.to_dict("records")}
    year = analysis.sheet.years[-1] if analysis.sheet.years else None
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
                "owner": case.get("owner") or NO_OWNER,
                "next_action": case.get("next_action") or "",
                "action_due": formats.long_date_of(case.get("action_due")) if case.get("action_due") else "",
                "confidence": case.get("confidence") or "",
                "profile": profile_standing(case.get("profile") or (), formats.pounds(r["actual_gbp"]), year),
            }
        )
    return out


def profile_standing(profile: profiles.Profile, actual: int | None, year: str | None) -> str:
    """Where a case stands against its forecast profile at the sheet's last year: not yet due (on its profile,
    the rest of its saving due later) or behind it, by how much; 'no profile recorded' without one."""
    due = profiles.due_by(profile, year) if year else None
    if due is None:
        return NO_PROFILE
    if actual is None:
        return f"{formats.gbp_k(due)} due by {year}; delivered unknown"
    if actual >= due:
        return f"not yet due: on profile ({formats.gbp_k(actual)} delivered of {formats.gbp_k(due)} due by {year})"
    return f"behind profile: {formats.gbp_k(due - actual)} short of {formats.gbp_k(due)} due by {year}"


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


# Page 1 of the board pack: the answer, in sentences decided here.
RAG_ORDER = ("red", "amber", "green")  # the order page 1 counts and lists them: what needs a decision first
NO_OWNER = "no owner recorded"
NO_PROFILE = "no profile recorded"
SCOPE_NOT_STATED = "scope not stated"
NOTE_THE_REPORT = "The Board is asked to note the report."


def verdict_sentence(d: formats.Delivery | None) -> str:
    """'6 business cases forecast £3,916k (£3,978k in the original business cases); £1,798k delivered, £2,118k
    short.': the answer in one sentence, against the latest forecast with the original beside it."""
    if d is None:
        return formats.NO_COMPARISON
    original = f" ({formats.gbp_k(d.original)} in the original business cases)" if d.original != d.forecast else ""
    gap = (
        "exactly the forecast"
        if not d.variance
        else f"{formats.gbp_k(abs(d.variance))} {'short' if d.variance < 0 else 'above'}"
    )
    delivered = f"{formats.gbp_k(d.actual)} delivered, {gap}{formats.left_out_clause(d)}"
    return f"{formats.cases_phrase(d.cases)} forecast {formats.gbp_k(d.forecast)}{original}; {delivered}."


def rag_counts_sentence(rags, forecasts) -> str:
    """'4 Red, 2 Green, 2 without a forecast': every case counted once, by its RAG word (a case with no RAG is
    counted by why: no forecast, or a forecast but no actual to set against it)."""
    counts = Counter(rags)
    said = [f"{counts[rag]} {formats.rag_word(rag)}" for rag in RAG_ORDER if counts[rag]]
    unrated = [formats.pounds(f) for r, f in zip(rags, forecasts, strict=True) if r not in RAG_ORDER]
    if missing := sum(1 for f in unrated if f is None):
        said.append(f"{missing} without a forecast")
    if measured := len(unrated) - missing:
        said.append(f"{measured} without a RAG (forecast, but no delivered figure to set against it)")
    return ", ".join(said) or "no business cases"


def scope_sentence(scope: str) -> str:
    """'Scope: Cambridgeshire's share.' as the edition's catalogue entry states it; else that it is not stated."""
    return f"Scope: {scope.rstrip('.')}." if scope else f"Scope: {SCOPE_NOT_STATED}."
