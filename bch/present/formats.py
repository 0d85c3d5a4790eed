"""What every output says, decided once: formats, headline numbers and the sentences built from them.

`report` (text), `views` (notebooks), `boardpack` (HTML/PDF, through Jinja filters) and `charts`
(labels, titles and axis ticks) render what is computed here, so no two of them can round, count or
word the same figure differently. Plain data: no I/O, nothing heavier than bch.core.money and bch.read.editions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from bch.core import labels
from bch.core.money import as_pounds, format_gbp, format_gbp_k
from bch.read import editions

MISSING = "–"
# Text colours, darker than the charts' fills for contrast on white. Red and green say bad and good
# (variance, RAG) and nothing else; categories are told apart in greys and blues.
BAD = "#B34700"
GOOD = "#00795A"
AMBER = "#8A5A00"
MUTED = "#5a5a5a"
PALETTE = {"bad": BAD, "good": GOOD, "amber": AMBER, "muted": MUTED}

SHORTFALL = ("under-delivered", "no savings delivered")  # the statuses beyond materiality below forecast
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", "none": "none"}
# The one colour of each RAG word, in every chart (bars, pins, legends) and every table (swatches). Their
# WCAG relative luminances differ by a contrast ratio of 1.5 or more pair by pair, so they stay apart
# printed in greyscale (Red darkest, then Green, Amber, none lightest); the word is always shown beside.
RAG_COLOURS = {"Red": "#9E1B1B", "Green": "#2E8B57", "Amber": "#F0A30A", "none": "#E3E3E3"}

CAVEAT = (
    "Not netted: change-team costs are shown beside the savings, not taken off them, because the change team "
    "worked on many more projects than these collaborations (e.g. Athena, Mobile/Digital, ERP), so a net "
    "figure would misrepresent the programme (the paper's note to table 5.2, §5.4)."
)
NO_COMPARISON = "No business case has both a forecast and a delivered figure to compare; see the findings."

long_date = editions.long_date


def long_date_of(day: str | dt.date | None) -> str:
    """'18 July 2019' from a date or its ISO text; '–' for none."""
    if not day:
        return MISSING
    return long_date(dt.date.fromisoformat(day) if isinstance(day, str) else day)


def is_missing(value) -> bool:
    """None, NaN, pandas' NA and NaT, without importing pandas."""
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        return False
    try:
        return bool(value != value)
    except TypeError:  # pandas.NA has no truth value
        return True


def pounds(value) -> int | None:
    """Integer pounds to show, through the one money entry point (`bch.core.money.as_pounds`: a float is refused,
    never rounded); a missing value of any kind (None, NA, NaN) is None, shown as a dash."""
    return None if is_missing(value) else as_pounds(value)


def gbp(value, signed: bool = False) -> str:
    """£6,151,000; '–' when missing."""
    return format_gbp(pounds(value), signed=signed)


def gbp_k(value, signed: bool = False) -> str:
    """£6,151k, £1.5k, +£0.5k: exact, odd pounds kept; '–' when missing."""
    return format_gbp_k(pounds(value), signed=signed)


def gbp_k_tick(value: float, _pos=None) -> str:
    """Axis tick label in £k showing as many decimals as the tick needs, so two ticks never share a label."""
    nearest = round(value)
    if abs(value - nearest) <= 1e-6 * max(1.0, abs(value)):  # float noise from the locator's arithmetic
        return format_gbp_k(int(nearest))
    thousands = abs(Decimal(repr(float(value)))) / 1000
    return f"{'-' if value < 0 else ''}£{thousands.normalize():,f}k"


def pct(value) -> str:
    """68.2%; '–' when missing (no forecast, no actual, a case not implemented)."""
    return MISSING if is_missing(value) else f"{float(value):.1f}%"


def pct_change(value) -> str:
    """+0.9%, -77.8%: a relative variance in percentage points; '–' when missing."""
    return MISSING if is_missing(value) else f"{float(value):+.1f}%"


def impact(value) -> str:
    """'bad' below zero, 'good' above, '' at zero or missing (IBCS: under-delivery is bad)."""
    amount = pounds(value)
    return "" if not amount else ("bad" if amount < 0 else "good")


def rag_word(rag) -> str:
    return RAG_WORDS.get(rag, MISSING) if isinstance(rag, str) else MISSING


def rag_colour(rag) -> str:
    """The colour of a RAG code (green, amber, red, none) or word; 'none' for anything else."""
    word = RAG_WORDS.get(rag, rag) if isinstance(rag, str) else "none"
    return RAG_COLOURS.get(word, RAG_COLOURS["none"])


def change_value(value, money: bool) -> str:
    """A before/after value of a change between packs: £k for money, as written otherwise."""
    if is_missing(value):
        return MISSING
    if not money:
        return str(value)
    return gbp_k(int(value) if isinstance(value, str) else value)  # a pack's CSVs hold money as text: '92000'


def status_shown(status: str, register_status: str | None) -> str:
    """A case's reconciled status as a reader sees it: an ended function says so beside its figures."""
    from bch.read.register import ENDED

    return f"{status} (function ended)" if register_status == ENDED else status


def shortfall_count(statuses) -> int:
    """Cases that fell short beyond materiality, counted from their statuses (never re-derived from
    rounded percentages: 89.96% shows as 90.0% yet is short of a 10% threshold)."""
    return sum(1 for status in statuses if status in SHORTFALL)


@dataclass(frozen=True)
class Headline:
    key: str
    pounds: int | None
    label: str
    cells: str
    change: str | None = None

    @property
    def figure(self) -> str:
        return gbp_k(self.pounds)


def headlines(
    totals: dict, first_year: str | None, spans: dict | None = None, moved: dict | None = None
) -> list[Headline]:
    """The headline figures (`bch.analyse.summary.HEADLINE_FIGURES`) with the cells they are computed from
    (`summary.headline_spans`) and their change since the previous edition (`history.headline_changes`)."""
    from bch.analyse.summary import HEADLINE_FIGURES

    spans = spans or {}
    out = [
        Headline(f.key, totals[f.key], f.label.format(first_year=first_year or MISSING), spans.get(f.key, ""))
        for f in HEADLINE_FIGURES
    ]
    if not moved:
        return out
    since = long_date_of(moved["since"])
    return [
        Headline(h.key, h.pounds, h.label, h.cells, f"{gbp_k(moved[h.key], signed=True)} since {since}")
        if moved.get(h.key) is not None
        else h
        for h in out
    ]


@dataclass(frozen=True)
class Delivery:
    """The business cases with a variance figure, summed: what the headline sentence says."""

    cases: int
    forecast: int  # the latest forecasts
    original: int
    actual: int
    shortfall: int  # cases short of forecast beyond materiality
    materiality_pct: float
    left_out: tuple[tuple[str, int, str], ...] = ()  # (case, latest forecast, why): a forecast the sums leave out

    @property
    def variance(self) -> int:
        return self.actual - self.forecast


def delivery(variance_totals: dict | None, statuses=(), materiality_pct: float = 0.0) -> Delivery | None:
    """From `bch.analyse.reconcile.totals` and the reconciliation's statuses (needed only for the shortfall);
    None when no case can be compared."""
    if not variance_totals or not variance_totals["cases"]:
        return None
    return Delivery(
        cases=variance_totals["cases"],
        forecast=variance_totals["latest_forecast_gbp"],
        original=variance_totals["forecast_gbp"],
        actual=variance_totals["actual_gbp"],
        shortfall=shortfall_count(statuses),
        materiality_pct=materiality_pct,
        left_out=tuple(variance_totals.get("left_out", ())),
    )


def cases_phrase(n: int) -> str:
    return f"{n} business case{'' if n == 1 else 's'}"


def delivered_sentence(d: Delivery) -> str:
    """'The 6 business cases with forecasts delivered £1,798k of the £3,916k forecast, £2,118k short'."""
    who = f"The {cases_phrase(d.cases)} with {'a forecast' if d.cases == 1 else 'forecasts'}"
    if d.variance == 0:
        return f"{who} delivered {gbp_k(d.actual)}, exactly the forecast{left_out_clause(d)}"
    gap = f"{gbp_k(abs(d.variance))} {'short' if d.variance < 0 else 'above'}"
    return f"{who} delivered {gbp_k(d.actual)} of the {gbp_k(d.forecast)} forecast, {gap}{left_out_clause(d)}"


def left_out_clause(d: Delivery) -> str:
    """' (left out, actual unknown: ICT, £2,202k forecast)': a case never drops out of a headline unsaid."""
    if not d.left_out:
        return ""
    by_reason: dict[str, list[str]] = {}  # actual unknown, not implemented, … in the table's order
    for case, pounds, why in d.left_out:
        by_reason.setdefault(why, []).append(f"{labels.display(case)}, {gbp_k(pounds)} forecast")
    return " (left out, " + "; ".join(f"{why}: " + "; ".join(cases) for why, cases in by_reason.items()) + ")"


def delivered_label(d: Delivery) -> str:
    """The headline card's label under the delivered figure."""
    label = f"delivered by the {cases_phrase(d.cases)} with {'a forecast' if d.cases == 1 else 'forecasts'}"
    counts = Counter(why for *_, why in d.left_out)
    return label + "".join(f"; {n} left out, {why}" for why, n in counts.items())


def shortfall_sentence(d: Delivery) -> str:
    """'4 of 6 business cases delivered less than 90% of forecast'."""
    return f"{d.shortfall} of {cases_phrase(d.cases)} delivered less than {100 - d.materiality_pct:g}% of forecast"


def headline_sentence(d: Delivery | None) -> str:
    """The delivered sentence and the shortfall count, as one sentence."""
    if d is None:
        return NO_COMPARISON
    return f"{delivered_sentence(d)}; {shortfall_sentence(d)} (materiality {d.materiality_pct:g}%)."


def month(day: str | dt.date | None) -> str:
    """'January 2020' from a date or its ISO text (2020-01-31 or 2020-01): the one way a pack names a month."""
    if is_missing(day) or not day:
        return MISSING
    if isinstance(day, str):
        day = dt.date.fromisoformat(day if len(day) > 7 else f"{day}-01")
    return f"{day:%B %Y}"


# What the explore notebook says over every table and chart a what-if has changed.
SCENARIO_BANNER = "SCENARIO, not the Board's figures"


def total_label(cases: int) -> str:
    """The variance table's Total row, as the board pack labels it."""
    return f"Total ({cases} cases with figures)"


def as_printed(pounds_value, factor: int | None, unit: str | None) -> str:
    """An amount as its sheet prints it (541 in £'000 for £541,000): exact, '–' when missing."""
    amount = pounds(pounds_value)
    if amount is None:
        return MISSING
    if not factor or factor == 1:
        return f"{amount:,}"
    shown = Decimal(amount) / factor
    return f"{shown.normalize():,f}" + (f" ({unit})" if unit else "")
