"""The register's optional action columns: who owns a business case, what happens next, by when, how sure, and
its forecast profile by year (`bch.read.profile`).

A register may carry them (`owner`, `next_action`, `action_due`, `confidence`, `profile`) or not: the shipped one does
not, and reads with no finding. `action_due` is a date like 2019-01-31; one that is not is a finding naming its
cell, and is read as not stated. Page 1 of a board pack shows them for every Red and Amber case.
"""

from __future__ import annotations

import datetime as dt

from bch.core import codes
from bch.core.findings import Finding, finding
from bch.read import profile

COLUMNS = ["owner", "next_action", "action_due", "confidence", "profile"]
SCHEMA = {"owner": "text", "next_action": "text", "action_due": "any", "confidence": "text", "profile": "any"}


def read(row: dict, where, findings: list[Finding]) -> dict:
    """One case's action fields ('' or None where the register has no such column or leaves the cell empty)."""
    written = {column: row.get(column, "") or "" for column in COLUMNS}
    due = _due(written["action_due"], where, findings)
    return {**written, "action_due": due, "profile": profile.read(written["profile"], where, findings)}


def _due(text: str, where, findings: list[Finding]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        findings.append(
            finding(codes.BAD_ACTION_DUE, where("action_due"), f"action due {text!r} is not a date like 2019-01-31")
        )
        return None
