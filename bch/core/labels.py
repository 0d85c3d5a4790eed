"""Row labels of the savings sheet, recognised after trimming and folding case and spaces."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\s\u00a0\u202f]+")

# The sheet's summary rows, by the measure each one states.
RECURRENT_TOTAL = "recurrent_total"
ANNUAL_CUMULATIVE = "annual_cumulative"
SAVINGS_TO_DATE = "savings_to_date"
CHANGE_TEAM_COSTS = "change_team_costs"
CUMULATIVE_COSTS = "cumulative_change_team_costs"

MEASURE_LABELS = {
    RECURRENT_TOTAL: "Total recurrent in each year",
    ANNUAL_CUMULATIVE: "Total annual cumulative",
    SAVINGS_TO_DATE: "Total savings from 2014/15",
    CHANGE_TEAM_COSTS: "BCH Change Team costs",
    CUMULATIVE_COSTS: "Total Cumulative Change Team costs",
}
_PATTERNS = [
    (RECURRENT_TOTAL, re.compile(r"total recurrent( in each year)?")),
    (ANNUAL_CUMULATIVE, re.compile(r"total annual cumulative")),
    (SAVINGS_TO_DATE, re.compile(r"total savings (from|since) \d{4}/\d{2}")),
    (CUMULATIVE_COSTS, re.compile(r"total cumulative (bch )?change team costs?")),
    (CHANGE_TEAM_COSTS, re.compile(r"(bch )?change team costs?")),
]
NOTES = "notes"


def normalise(label: object) -> str:
    """Trim, fold case and collapse runs of spaces: the key two labels are compared by."""
    if label is None:
        return ""
    return _SPACES.sub(" ", str(label)).strip().casefold()


def display(label: object) -> str:
    """The label as written, trimmed, with inner runs of spaces kept as written."""
    return "" if label is None else str(label).strip()


def measure_of(label: object) -> str | None:
    """Which summary row a label names, or None for a line item (a function)."""
    key = normalise(label)
    for measure, pattern in _PATTERNS:
        if pattern.fullmatch(key):
            return measure
    return None


def is_notes_heading(label: object) -> bool:
    return normalise(label).rstrip(":") == NOTES


# Characters that let a cell's text lie about itself, by Unicode category rather than a list of code points (a list
# always misses one: U+2060, U+00AD, U+180E, U+2061–U+2064 look like nothing at all): controls (Cc: NUL, ESC for
# ANSI sequences, CR/LF that forge report lines), format characters (Cf: bidi overrides, zero-width and invisible
# characters, tags), private-use and surrogate code points (Co, Cs), and line and paragraph separators (Zl, Zp).
HOSTILE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})
# The tag block: its unassigned code points (Cn, e.g. U+E0000, U+E0002) are as invisible as the assigned tags (Cf).
TAGS = range(0xE0000, 0xE0080)
_NAMED = {0x00: "NUL", 0x09: "TAB", 0x0A: "LF", 0x0B: "VT", 0x0C: "FF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL"}


def _hostile(char: str) -> bool:
    return unicodedata.category(char) in HOSTILE_CATEGORIES or ord(char) in TAGS


def _visible(char: str) -> str:
    return _NAMED.get(ord(char)) or f"U+{ord(char):04X}"


def _hostile_in(text: str) -> list[str]:
    """The hostile characters of `text` in order. Every one of them is unprintable, so printable text (nearly all)
    is answered without looking at each character."""
    return [] if text.isprintable() else [c for c in text if _hostile(c)]


def hostile_characters(text: str) -> list[str]:
    """The control, bidi, format and invisible characters in `text`, by name ('LF', 'U+202E'), each once, in order."""
    return list(dict.fromkeys(_visible(c) for c in _hostile_in(text)))


def neutralise(text: str) -> str:
    """`text` with each control, bidi, format or invisible character shown as a harmless mark: ⟨LF⟩, ⟨U+202E⟩."""
    if not _hostile_in(text):
        return text
    return "".join(f"⟨{_visible(c)}⟩" if _hostile(c) else c for c in text)


def one_line(exc: BaseException, width: int = 200) -> str:
    """An exception as one short line of plain text for a one-line error: its first line, control characters made
    spaces, clipped (the type's name when it says nothing)."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", lines[0]).strip() if lines else type(exc).__name__
    return clip(text, width)


def clip(text: str, width: int = 200) -> str:
    """`text` cut to `width` characters with an ellipsis, for a one-line message: an input can be any length."""
    return text if len(text) <= width else text[: width - 1] + "…"
