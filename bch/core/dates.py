"""The one clock bch dates things by: UTC. Pack folders, `started_at`, withdrawals and every "not after today"
check read it here, so a machine's time zone never makes a date valid in one command and refused in another."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def today() -> dt.date:
    return now().date()
