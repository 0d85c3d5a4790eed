"""Where text from the inputs may wrap in the board pack: break points (`<wbr>`) in every long run without a space.

A table the PDF sizes by its content is never narrower than the widest run of text it can't break, so a run of
LONG characters or more without a space gets a break point at least every RUN characters. CSS's `overflow-wrap:
anywhere` would say as much, but WeasyPrint measures a content-sized table's text under it by trying each character
in turn, a time that grows with the square of a cell's length (6,000 characters without a space: 76 s); with the
break points marked it follows the length (`benchmarks/bench_pdf.py`). The tables of several free-text columns are
laid out by declared widths instead (the template), where `anywhere` costs little once these break points exist.

A break point falls after `.` `_` `[` `]` `/` where it can, else every RUN characters, and never inside a character
(a letter and its accents, an emoji and its modifiers or joiners, a flag's two letters, a Hangul syllable's jamo) nor
inside a mark `bch.core.labels.neutralise` wrote (`⟨U+202E⟩`). Only the spaces a line may break at end a run: a
no-break space does not.
"""

from __future__ import annotations

import re
import unicodedata

LONG = 25  # characters: a run that long gets break points (a shorter word is left whole)
RUN = 16  # characters between break points at most: a column of a content-sized table is never wider than LONG
JOINTS = frozenset("._[]/")  # where a run wraps first (editions.toml[2019-07-18].register_reviewed)
_SPACES = " \t\n\r\f\v\x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u2028\u2029\u205f\u3000"
_RUNS = re.compile(f"([^{re.escape(_SPACES)}]{{{LONG},}})")  # no-break spaces (U+00A0, U+2007, U+202F) excluded
_MARK = re.compile(r"⟨(?:[A-Z]{2,3}|U\+[0-9A-F]{4,6})⟩")  # as `bch.core.labels.neutralise` writes them
_ZWJ = "\u200d"
_HANGUL_LEADING = ((0x1100, 0x115F), (0xA960, 0xA97F))
_HANGUL_FOLLOWING = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))  # vowels and trailing consonants
_HANGUL_SYLLABLES = (0xAC00, 0xD7A3)


def breakable(text) -> str:
    """Escaped `text` with a break point (`<wbr>`) at least every RUN characters of each run of LONG or more."""
    from markupsafe import Markup, escape

    parts = _RUNS.split(str(text))
    return Markup("").join(
        Markup("<wbr>").join(escape(piece) for piece in pieces(part)) if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


def pieces(run: str) -> list[str]:
    """`run` cut where it may wrap: after a joint, else after RUN characters."""
    inside = {i for mark in _MARK.finditer(run) for i in range(mark.start() + 1, mark.end())}
    cuts, start, width, joined, indicators = [], 0, 1, 0, 0
    for i in range(1, len(run)):
        before, char = run[i - 1], run[i]
        indicators = indicators + 1 if _indicator(before) else 0
        if i in inside:
            width += 1
            continue
        if joined < RUN and _one_character(before, char, indicators):
            joined += 1
            continue
        forced, joined = joined >= RUN, 0  # more than RUN joined in a row is no character a reader sees: cut
        if forced or before in JOINTS or width >= RUN:
            cuts.append(run[start:i])
            start, width = i, 0
        width += 1
    cuts.append(run[start:])
    return cuts


def _one_character(before: str, char: str, indicators: int) -> bool:
    """Whether `before` and `char` belong to one character as a reader sees it (Unicode's grapheme clusters, as far
    as a label needs them)."""
    code = ord(char)
    if unicodedata.category(char).startswith("M") or char == _ZWJ or before == _ZWJ:
        return True
    if 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF:  # variation selectors, skin tones
        return True
    if _indicator(char) and indicators % 2 == 1:  # the second letter of a flag
        return True
    if _within(code, _HANGUL_FOLLOWING):
        return True
    return _within(ord(before), _HANGUL_LEADING) and (
        _within(code, _HANGUL_LEADING) or _HANGUL_SYLLABLES[0] <= code <= _HANGUL_SYLLABLES[1]
    )


def _indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF  # a regional indicator: two make a flag


def _within(code: int, ranges: tuple) -> bool:
    return any(low <= code <= high for low, high in ranges)
