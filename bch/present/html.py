"""Every HTML document bch writes: one Content-Security-Policy, one Jinja environment, the templates.

The board pack, each pack's file list, the output folder's index of packs and the reviewers' notebook
pages all carry `CSP`, declared here once: no scripts, no request leaving the file (images only as
data: URIs, as the charts and the notebooks' figures are embedded). The templates under templates/ are
rendered with autoescaping on and strict undefined names, so every label from the data is shown as text,
and each receives the policy as the variable `csp`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
TEMPLATES = Path(__file__).with_name("templates")


def environment(filters: dict | None = None):
    """Jinja with autoescaping, strict undefined names, templates/ to load from, `filters`, and `csp` (the policy,
    written as it is: a constant, its quotes not escaped)."""
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals["csp"] = markupsafe.Markup(CSP)
    env.filters["breakable"] = breakable
    env.filters.update(filters or {})
    return env


@functools.lru_cache(maxsize=1)
def _shared():
    return environment()


def render(template: str, /, **context) -> str:
    """The `template` of templates/ rendered with `context` (read again when its file changes)."""
    return _shared().get_template(template).render(**context)


LONG_TOKEN = 25  # characters without a space: a token that long may wrap inside
_JOINTS = frozenset("._[]/")  # where a long token wraps first (editions.toml[2019-07-18].register_reviewed)
_RUN = 16  # and failing those, every this many characters
_JOINERS = "\u200d\ufe0e\ufe0f"  # zero-width joiner, variation selectors: part of the character beside them
_MARK = len("⟨U+10FFFF⟩")  # the longest mark `bch.core.labels.neutralise` writes


def breakable(text) -> str:
    """Escaped `text` in which each token of LONG_TOKEN characters or more may wrap: after . _ [ ] /, else every
    _RUN characters, never within a character (before a combining mark, beside a joiner) nor inside a mark such as
    ⟨U+202E⟩. A table column is then never wider than that, so the PDF lays a table out by its break points;
    `overflow-wrap: anywhere` made WeasyPrint try every character of every cell, a time that grows with the square
    of a cell's length (6,000 characters: 76 s; benchmarks/bench_pdf.py)."""
    from markupsafe import Markup, escape

    parts = re.split(rf"(\S{{{LONG_TOKEN},}})", str(text))
    return Markup("").join(
        Markup("<wbr>").join(escape(piece) for piece in _pieces(part)) if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


def _pieces(token: str) -> list[str]:
    pieces, start, opened = [], 0, -_MARK
    for index, char in enumerate(token[:-1]):
        after = token[index + 1]
        opened = index if char == "⟨" else (-_MARK if char == "⟩" else opened)
        marked = index - opened < _MARK  # inside a neutralised character's mark (⟨U+202E⟩), as long as one can be
        joined = unicodedata.category(after).startswith("M") or after in _JOINERS or char in _JOINERS
        if not (joined or marked) and (char in _JOINTS or index + 1 - start >= _RUN):
            pieces.append(token[start : index + 1])
            start = index + 1
    pieces.append(token[start:])
    return pieces
