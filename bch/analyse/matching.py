"""Whether a sheet line and a business case a person would read as one are named alike.

Used only to *propose* a match (a warning naming both cells), never to make one: the register's
`sheet_labels` decides. Knows the abbreviations the collaboration's papers use.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata

from bch.core import labels

# The abbreviations of the BCH papers (§3.6, §4.4–§4.7, §9.1), expanded before names are compared.
ABBREVIATIONS = {
    "hr": "human resources",
    "l&d": "learning and development",
    "ict": "information and communications technology",
    "it": "information technology",
    "imd": "information management department",
    "im": "information management",
    "cj": "criminal justice",
    "psd": "professional standards department",
    "jps": "joint protective services",
    "ersou": "eastern region specialist operations unit",
    "erp": "enterprise resource platform",
}
_IGNORED = {"and", "the", "of", "etc", "dept", "department", "unit", "team", "function", "phase", "&"}
_TOKEN = re.compile(r"[a-z0-9&]+")


def _plain(name: str) -> str:
    """Folded, with zero-width and format characters dropped and dotted initials joined: H.R. -> hr."""
    text = re.sub(r"⟨[^⟩]*⟩", "", labels.normalise(name))  # a neutralised control character (labels.neutralise)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return re.sub(r"(?<=\w)\.(?=\w)|(?<=\w)\.(?=\s|$)", "", text)


def _words(name: str) -> list[str]:
    text = re.sub(r"\([^)]*\)", " ", _plain(name))  # "(IMD)" restates the name
    words: list[str] = []
    for token in re.findall(r"[a-z0-9]+(?:&[a-z0-9]+)?|&", text):
        words += ABBREVIATIONS.get(token, token).split()
    return words


@functools.lru_cache(maxsize=4096)
def _key_words(name: str) -> frozenset[str]:
    return frozenset(w for w in _words(name) if w not in _IGNORED and not w.isdigit())


def _initials(name: str) -> str:
    return "".join(w[0] for w in _plain(name).split() if w[0].isalnum() and w not in _IGNORED)


def alike(line: str, case: str) -> bool:
    """True when a reader would take the two names for one function (HR ~ Human Resources)."""
    a, b = _key_words(line), _key_words(case)
    if not a or not b:
        return False
    if a <= b or b <= a:
        return True
    squashed = _plain(line).replace(" ", "")
    if squashed in (_initials(case), _initials(case).replace("&", "")) and len(squashed) >= 2:
        return True
    return difflib.SequenceMatcher(None, " ".join(sorted(a)), " ".join(sorted(b))).ratio() >= 0.85
