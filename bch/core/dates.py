"""The one clock bch dates things by: UTC. Pack folders, `started_at`, withdrawals and every "not after today"
check read it here, so a machine's time zone never makes a date valid in one command and refused in another."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def today() -> dt.date:
    return now().date()


_MONTH_FORMATS = ("%b %Y", "%B %Y", "%b %y", "%B %y", "%Y-%m")


def parse_month(text: str) -> str | None:
    """'Feb 2015', 'May 16', 'October 2015', '2015-10' -> '2015-02' etc.; None if not a month."""
    for fmt in _MONTH_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y-%m")
        except ValueError:
            continue
    return None
