"""The board pack: one self-contained, code-free HTML document (and its PDF) built from an analysis.

Rendered with Jinja2 with autoescaping on, so every label from the data is shown as text; a
Content-Security-Policy forbids scripts and any request leaving the file. Every figure, percentage,
date and sentence comes from `bch.present` (the template formats through its filters), so the pack
says what the notebooks, charts and `bch check` say.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from pathlib import Path

from bch.analyse import history, summary
from bch.core import labels
from bch.core.digest import file_entry
from bch.core.errors import BchError
from bch.core.findings import count_by_severity
from bch.present import formats, html, pageone, trendtable
from bch.read import cases

TEMPLATE = html.TEMPLATES / "board-pack.html.j2"
PDF_VARIANT = "pdf/ua-1"  # WeasyPrint 70: a tagged PDF (`pdfinfo` says "Tagged: yes")


class MissingFigure(BchError):
    exit_code = 1


FILTERS = {
    "gbp_k": formats.gbp_k,
    "pct": formats.pct,
    "impact": formats.impact,
    "rag": formats.rag_word,
    "total_label": formats.total_label,
    "refs": lambda cells: [ref for ref in str(cells or "").split("; ") if ref],
}


def cover(analysis, run_date: dt.date, pack_name: str) -> dict:
    """Dates, the data sources with their hashes, and how current the register and the claims are."""
    inputs = analysis.inputs
    claims_about = None
    if not inputs.claims_checked and inputs.claims_edition is not None:
        claims_about = {
            "paper": inputs.claims_edition.provenance(),
            "as_of": formats.long_date(inputs.claims_edition.as_of),
        }
    reviewed = inputs.register_reviewed
    return {
        "as_of_long": formats.long_date(inputs.as_of),
        "run_date_long": formats.long_date(run_date),
        "pack_name": pack_name,
        "provenance": inputs.edition.provenance() if inputs.edition else None,
        "catalogue": labels.neutralise(_shown(inputs.catalogue.path)),
        "inputs": [{**file_entry(p), "name": labels.neutralise(p.name)} for p in inputs.files()],
        "register_reviewed": formats.long_date(reviewed) if reviewed else None,
        "register_stale": reviewed is not None and (inputs.as_of - reviewed).days > cases.STALE_AFTER_DAYS,
        "claims_about": claims_about,
    }


def headline(analysis, trend) -> dict:
    """The headline cards, the delivered sentence and the caveat."""
    sheet = analysis.sheet
    moved = history.headline_changes(trend) if trend else None
    cards = [
        {"figure": h.figure, "label": h.label, "cells": h.cells, "change": h.change}
        for h in formats.headlines(
            analysis.totals, sheet.years[0] if sheet.years else None, summary.headline_spans(sheet), moved
        )
    ]
    delivered = _delivery(analysis)
    if delivered:
        cards.append(
            {
                "figure": formats.gbp_k(delivered.actual),
                "label": formats.delivered_label(delivered),
                "cells": "",
                "change": None,
            }
        )
    return {
        "cards": cards,
        "headline_sentence": formats.headline_sentence(delivered),
        "caveat": formats.CAVEAT,
        "trend_editions": [formats.long_date_of(day) for day in trend.editions] if trend else [],
        "trend_unread": list(trend.unread) if trend else [],
        "trend_rows": trendtable.rows(trend),
        "trend_heads": trendtable.headings(trend),
    }


def _delivery(analysis) -> formats.Delivery | None:
    if not len(analysis.variance):
        return None
    return formats.delivery(analysis.variance_totals, analysis.variance["status"], analysis.materiality_pct)


def reconciliation(analysis) -> dict:
    """One row per business case (raw values: the template formats them) and the totals row."""
    rows = [
        {
            **{key: r[key] for key in ("function", "status", "rag", "source")},
            "status_shown": formats.status_shown(r["status"], r["register_status"]),
            "approved": formats.month(r["approved"]) if isinstance(r["approved"], str) else formats.MISSING,
            "forecast": r["forecast_gbp"],
            "latest": r["latest_forecast_gbp"],
            "actual": r["actual_gbp"],
            "variance": r["variance_gbp"],
            "variance_original": r["variance_vs_original_gbp"],
            "delivery": r["delivery_pct"],
            "revised_on": formats.month(r["revised_on"]) if r["revised_on"] else "",
            "causes": r["variance_causes"],
            "commentary": r["commentary"],
            "cells": r["actual_cells"],
        }
        for r in analysis.variance.to_dict("records")
    ]
    delivered = _delivery(analysis)
    return {
        "variance": rows,
        "explained": [r for r in rows if r["commentary"] or r["causes"]],  # the cases "Why cases varied" lists
        "variance_totals": {
            "cases": delivered.cases if delivered else 0,
            "forecast": delivered.original if delivered else None,
            "latest": delivered.forecast if delivered else None,
            "actual": delivered.actual if delivered else None,
            "variance": delivered.variance if delivered else None,
            "variance_original": delivered.actual - delivered.original if delivered else None,
            # "actual unknown: ICT, £2,202k forecast": the clause without its brackets and "left out, "
            "left_out": formats.left_out_clause(delivered).strip(" ()").removeprefix("left out, ") if delivered else "",
        },
        "materiality": f"{analysis.materiality_pct:g}",
    }


def findings(analysis) -> dict:
    return {
        "findings": [f.to_dict() for f in analysis.findings],
        "finding_counts": count_by_severity(analysis.findings),
    }


def claims(analysis) -> dict:
    rows = [
        {
            "paragraph": c["paragraph"],
            "quote": c["quote"],
            "claimed": c["claimed_gbp"],
            "computed": c["computed_gbp"],
            "ok": bool(c["ok"]),
        }
        for c in analysis.claims.to_dict("records")
    ]
    return {"claims": rows, "claims_ok": sum(1 for c in rows if c["ok"])}


def charts(figures_dir: Path, trend, analysis) -> dict:
    """Each chart the charts notebook saves (every page of a paged one), embedded as a data: URI (the CSP
    allows nothing else), its alt text stating its figures. A missing one is an error: a board pack never
    silently lacks a figure."""
    from bch.present import chartalt
    from bch.present import charts as chart_functions

    def data_uri(png: Path) -> str:
        if not png.is_file():
            raise MissingFigure(f"{png.name} is missing: the charts notebook did not save it; nothing published")
        return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")

    expected = chart_functions.names(trend, analysis.variance)
    return {
        "charts": [
            {"src": data_uri(figures_dir / f"{name}.png"), "alt": chartalt.alt_text(name, analysis, trend)}
            for name in expected
        ]
    }


def since_last_pack(
    changes: list[dict], previous_pack: str | None, previous_as_of: str | None, previous_unreadable: str | None
) -> dict:
    return {
        "changes": [
            {
                **c,
                "before": formats.change_value(c["before"], c["money"]),
                "after": formats.change_value(c["after"], c["money"]),
            }
            for c in changes
        ],
        "previous_pack": previous_pack,
        "previous_as_of": formats.long_date_of(previous_as_of) if previous_as_of else None,
        "previous_unreadable": previous_unreadable,
    }


def _shown(path: Path) -> str:
    """A path as a reader finds it: relative to the project when inside it."""
    from bch import paths

    return path.relative_to(paths.ROOT).as_posix() if path.is_relative_to(paths.ROOT) else str(path)


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
    """Everything the template shows, section by section (the keywords are what bch.publish.render passes)."""
    return {
        **cover(analysis, run_date, pack_name),
        **pageone.page_one(analysis),
        **headline(analysis, trend),
        **findings(analysis),
        **reconciliation(analysis),
        **charts(figures_dir, trend, analysis),
        **claims(analysis),
        **since_last_pack(changes, previous_pack, previous_as_of, previous_unreadable),
        "palette": formats.PALETTE,
        "parameters": _shown_parameters(parameters),
        "versions": versions,
        "git": git,
    }


def _shown_parameters(parameters: dict) -> dict:
    """The run's parameters for the appendix, every text made harmless as on the cover: a savings file named with
    ESC, LF or U+202E is shown with marks, never raw (autoescaping stops markup, not control characters)."""
    return {labels.neutralise(str(name)): _shown_value(value) for name, value in parameters.items()}


def _shown_value(value):
    """A text made harmless; a path inside the project shown relative to it (no pack names the machine's folders)."""
    if isinstance(value, str) and Path(value).is_absolute():
        value = _shown(Path(value))
    return labels.neutralise(value) if isinstance(value, str) else value


def environment():
    """Every HTML document's environment (`bch.present.html`: autoescaping, strict undefined names, the
    policy as `csp`), with bch.present's formats as filters."""
    return html.environment(FILTERS)


@functools.lru_cache(maxsize=1)
def _compiled(text: str):
    return environment().from_string(text)


def render_html(context: dict) -> str:
    """The board pack's HTML; the template compiled once while its text stays the same."""
    return _compiled(TEMPLATE.read_text(encoding="utf-8")).render(**context)


def render_pdf(html: str, target: Path) -> Path:
    """A4 PDF of the same document (WeasyPrint: no browser, no network), tagged for screen readers (PDF/UA-1:
    structure, reading order, the images' alt text, the document's language and title), its fonts embedded."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    HTML(string=html, base_url=None).write_pdf(target, pdf_variant=PDF_VARIANT)
    return target
