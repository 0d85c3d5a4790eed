"""Withdrawn editions, as the catalogue records them: `[[withdrawn]]` tables in editions.toml.

An edition added by mistake is withdrawn (`bch edition withdraw`): its `[[edition]]` block goes, and a
`[[withdrawn]]` table stays, so the packs published from it are marked withdrawn in index.html, never
`latest`, and never what a new pack is compared with. A pack is the withdrawn edition's when it states
that as-of date and read that workbook (by SHA-256): the same date added again correctly is not withdrawn.
I/O only: reading the catalogue file.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

TABLE = "withdrawn"


@dataclass(frozen=True)
class Withdrawal:
    as_of: str  # ISO date of the withdrawn edition
    on: str  # ISO date it was withdrawn
    reason: str
    savings_sha256: str = ""  # its workbook's bytes; empty: every pack of that date
    packs: tuple[str, ...] | None = None  # its packs published when it was withdrawn; None: not recorded

    def covers(self, record) -> bool:
        """Whether a published pack (`bch.publish.packlist.PackRecord`) is of this withdrawn edition: one of the packs
        recorded when it was withdrawn (the same date added again and published later is not withdrawn)."""
        if record.as_of != self.as_of:
            return False
        if self.packs is not None:
            return record.path.name in self.packs
        if not self.savings_sha256:
            return True
        inputs = record.manifest.get("inputs") if isinstance(record.manifest, dict) else None
        return any(isinstance(e, dict) and e.get("sha256") == self.savings_sha256 for e in inputs or [])


def read(catalogue: str | Path) -> tuple[Withdrawal, ...]:
    """The catalogue's withdrawals; none when it is absent or unreadable (`editions.load` reports that)."""
    try:
        data = tomllib.loads(Path(catalogue).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return ()
    found = []
    for entry in data.get(TABLE, []) if isinstance(data.get(TABLE), list) else []:
        if isinstance(entry, dict) and "as_of" in entry:
            found.append(
                Withdrawal(
                    as_of=_iso(entry["as_of"]),
                    on=_iso(entry.get("withdrawn", "")),
                    reason=str(entry.get("reason", "")),
                    savings_sha256=str(entry.get("savings_sha256", "")),
                    packs=tuple(str(p) for p in entry["packs"] if isinstance(p, str))
                    if isinstance(entry.get("packs"), list)
                    else None,
                )
            )
    return tuple(found)


def of(record, withdrawals) -> Withdrawal | None:
    """The withdrawal covering a published pack, if any."""
    return next((w for w in withdrawals if w.covers(record)), None)


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)
