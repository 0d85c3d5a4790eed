"""Fiscal years written 2014/15: recognise, order, check they run on without gaps."""

from __future__ import annotations

import re

_FISCAL = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2})\s*$")


def parse_fiscal_year(text: object) -> int | None:
    """The starting calendar year of '2014/15' (2014), or None if `text` is not a fiscal year."""
    if not isinstance(text, str):
        return None
    match = _FISCAL.match(text)
    if not match:
        return None
    start, end = int(match[1]), int(match[2])
    return start if (start + 1) % 100 == end else None


def label(start: int) -> str:
    """2014 -> '2014/15'."""
    return f"{start}/{(start + 1) % 100:02d}"


def follows(previous: int, current: int) -> bool:
    return current == previous + 1


def starts_on(label_text: str):
    """The first day of fiscal year '2019/20' (1 April 2019): the UK public-sector year."""
    import datetime as dt

    start = parse_fiscal_year(label_text)
    return None if start is None else dt.date(start, 4, 1)
