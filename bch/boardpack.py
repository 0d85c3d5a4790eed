"""The board pack: one self-contained, code-free HTML document (and its PDF) built from an analysis.

Rendered with Jinja2 with autoescaping on, so every label from the data is shown as text; a
Content-Security-Policy forbids scripts and any request leaving the file.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

from bch import editions, history, manifest, summary
from bch.findings import count_by_severity
from bch.money import as_pounds, format_gbp_k

TEMPLATE = Path(__file__).with_name("templates") / "board-pack.html.j2"
CAVEAT = (
    "Change-team costs are shown beside the savings, not netted off them: the change team worked on many "
    "more projects than these collaborations (e.g. Athena, Mobile/Digital, ERP), so a net figure would "
    "misrepresent the programme (the paper's note to table 5.2, §5.4)."
)
CHART_ALT = {
    "variance": "Variance per business case: forecast outlined, actual solid, variance bars and % pins",
    "delivery": "Delivery as a percentage of the latest forecast, by business case, with the materiality band",
    "recurrent-by-year": "Recurrent savings added in each fiscal year, stacked by function",
    "cumulative": "Cumulative savings and cumulative change-team costs by fiscal year, side by side",
    "trend": "Each business case's actual savings and delivery % at each edition, on one scale",
}
long_date = editions.long_date


def _k(value) -> str:
    return format_gbp_k(as_pounds(value))


def _impact(value) -> str:
    pounds = as_pounds(value)
    return "" if not pounds else ("bad" if pounds < 0 else "good")


def _data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


def _change_value(value, money: bool) -> str:
    if value is None:
        return "–"
    return format_gbp_k(int(value)) if money else value


def _since(day: str) -> str:
    return long_date(dt.date.fromisoformat(day))


def build_context(
    analysis,
    *,
    run_date: dt.date,
    pack_name: str,
    figures_dir: Path,
    changes: list[dict],
    previous_pack: str | None,
    previous_as_of: str | None,
    previous_unreadable: str | None,
    parameters: dict,
    versions: dict,
    git: dict,
    trend,
) -> dict:
    inputs = analysis.inputs
    as_of = inputs.as_of
    totals = analysis.totals
    vt = analysis.variance_totals if len(analysis.variance) else None
    variance = []
    for r in analysis.variance.to_dict("records"):
        pct = r["delivery_pct"]
        variance.append(
            {
                "function": r["function"],
                "approved": r["approved"] if isinstance(r["approved"], str) and r["approved"] else "–",
                "forecast": _k(r["forecast_gbp"]),
                "latest": _k(r["latest_forecast_gbp"]),
                "actual": _k(r["actual_gbp"]),
                "variance": format_gbp_k(as_pounds(r["variance_gbp"]), signed=True),
                "impact": _impact(r["variance_gbp"]),
                "delivery": "–" if pct is None or pct != pct else f"{float(pct):.1f}%",
                "status": r["status"],
                "revised_on": r["revised_on"] or "",
                "revision_reason": r["revision_reason"] or "",
                "causes": r["variance_causes"],
                "commentary": r["commentary"],
                "source": r["source"],
                "cells": r["actual_cells"],
            }
        )
    first_year = analysis.sheet.years[0] if analysis.sheet.years else "–"
    lines = summary.lines_span(analysis.sheet)
    costs = summary.costs_span(analysis.sheet)
    cards = [
        {"figure": _k(totals["recurrent_gbp"]), "label": "recurrent savings a year (all functions)", "cells": lines},
        {
            "figure": _k(totals["cumulative_to_date_gbp"]),
            "label": f"cumulative savings since {first_year}",
            "cells": lines,
        },
        {
            "figure": _k(totals["change_team_costs_gbp"]),
            "label": "change-team costs over the same years (not netted)",
            "cells": costs,
        },
    ]
    moved = history.headline_changes(trend) if trend else None
    for card, key in zip(cards, history.HEADLINES, strict=True):
        if moved and moved[key] is not None:
            card["change"] = f"{format_gbp_k(moved[key], signed=True)} since {_since(moved['since'])}"
    sentence = "The savings sheet's figures could not all be read; see the findings."
    if vt:
        cards.append(
            {
                "figure": _k(vt["actual_gbp"]),
                "label": f"delivered by the {vt['cases']} business cases with forecasts",
                "cells": "",
            }
        )
        short = vt["latest_forecast_gbp"] - vt["actual_gbp"]
        sentence = (
            f"The {vt['cases']} business cases with forecasts delivered {_k(vt['actual_gbp'])} of the "
            f"{_k(vt['latest_forecast_gbp'])} forecast ({_k(abs(short))} {'short' if short > 0 else 'above'}); "
            f"{sum(1 for r in variance if r['status'] in ('under-delivered', 'no savings delivered'))} of them "
            f"fell short by more than the {analysis.materiality_pct:g}% materiality threshold."
        )
    claims = [
        {
            "paragraph": c["paragraph"],
            "quote": c["quote"],
            "claimed": _k(c["claimed_gbp"]),
            "computed": _k(c["computed_gbp"]),
            "ok": bool(c["ok"]),
        }
        for c in analysis.claims.to_dict("records")
    ]
    charts = [
        {"src": _data_uri(figures_dir / f"{name}.png"), "alt": alt}
        for name, alt in CHART_ALT.items()
        if (figures_dir / f"{name}.png").is_file()
    ]
    claims_about = None
    if not inputs.claims_checked and inputs.claims_edition is not None:
        claims_about = {
            "paper": inputs.claims_edition.provenance(),
            "as_of": long_date(inputs.claims_edition.as_of),
        }
    stale = inputs.register_reviewed is not None and (as_of - inputs.register_reviewed).days > 183
    return {
        "as_of_long": long_date(as_of),
        "run_date_long": long_date(run_date),
        "pack_name": pack_name,
        "provenance": inputs.edition.provenance() if inputs.edition else None,
        "catalogue": inputs.catalogue.path.name,
        "inputs": [{**manifest.file_entry(p), "name": p.name} for p in inputs.files()],
        "register_reviewed": long_date(inputs.register_reviewed) if inputs.register_reviewed else None,
        "register_stale": stale,
        "claims_about": claims_about,
        "trend_editions": [_since(day) for day in trend.editions] if trend else [],
        "cards": cards,
        "headline_sentence": sentence,
        "caveat": CAVEAT,
        "findings": [f.to_dict() for f in analysis.findings],
        "finding_counts": count_by_severity(analysis.findings),
        "variance": variance,
        "variance_totals": {
            "cases": vt["cases"] if vt else 0,
            "forecast": _k(vt["forecast_gbp"]) if vt else "–",
            "latest": _k(vt["latest_forecast_gbp"]) if vt else "–",
            "actual": _k(vt["actual_gbp"]) if vt else "–",
            "variance": format_gbp_k(vt["variance_gbp"], signed=True) if vt else "–",
            "impact": _impact(vt["variance_gbp"]) if vt else "",
        },
        "materiality": f"{analysis.materiality_pct:g}",
        "charts": charts,
        "claims": claims,
        "claims_ok": sum(1 for c in claims if c["ok"]),
        "changes": [
            {**c, "before": _change_value(c["before"], c["money"]), "after": _change_value(c["after"], c["money"])}
            for c in changes
        ],
        "previous_pack": previous_pack,
        "previous_as_of": _since(previous_as_of) if previous_as_of else None,
        "previous_unreadable": previous_unreadable,
        "parameters": parameters,
        "versions": versions,
        "git": git,
    }


def render_html(context: dict) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(**context)


def render_pdf(html: str, target: Path) -> Path:
    """A4 PDF of the same document (WeasyPrint: no browser, no network)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    HTML(string=html, base_url=None).write_pdf(target)
    return target
