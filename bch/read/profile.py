"""A business case's forecast profile: how much of its recurrent saving it is expected to have delivered by the end
of each fiscal year, from the register's optional `profile` column ("2016/17 £100k; 2017/18 £250k").

With one, a Red case can be told apart as not yet due (on its profile, the full saving due later) or behind its
profile. An entry that is not "YEAR AMOUNT", a year written twice or out of order, or an amount that falls, is a
finding naming the cell, and the case is read as having no profile: a profile half read is never used.
"""

from __future__ import annotations

from bch.core import codes, fiscal, money
from bch.core.findings import Finding, finding

Profile = tuple[tuple[str, int], ...]  # (fiscal year, pounds expected delivered by its end), years in order


def read(text: str, where, findings: list[Finding]) -> Profile:
    if not text:
        return ()
    entries: list[tuple[int, str, int]] = []
    for part in (p.strip() for p in text.split(";")):
        year_text, _, amount_text = part.partition(" ")
        start = fiscal.parse_fiscal_year(year_text)
        try:
            pounds = money.parse_amount(amount_text.strip(), 1).pounds if start is not None else None
        except money.MoneyError:
            pounds = None
        if start is None or pounds is None or pounds < 0:
            return _bad(where, findings, f"{part!r} is not a fiscal year and an amount, like '2017/18 £250k'")
        if entries and (start <= entries[-1][0] or pounds < entries[-1][2]):
            return _bad(where, findings, f"{part!r} does not follow {entries[-1][1]}: years in order, amounts rising")
        entries.append((start, fiscal.label(start), pounds))
    return tuple((label, pounds) for _, label, pounds in entries)


def _bad(where, findings: list[Finding], why: str) -> Profile:
    findings.append(finding(codes.BAD_PROFILE, where("profile"), f"profile: {why}; read as no profile"))
    return ()


def due_by(profile: Profile, year: str) -> int | None:
    """The saving the profile expects delivered by the end of `year` (0 before its first year); None without one."""
    if not profile:
        return None
    start = fiscal.parse_fiscal_year(year)
    due = [pounds for label, pounds in profile if fiscal.parse_fiscal_year(label) <= start]
    return due[-1] if due else 0
