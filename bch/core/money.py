"""Money as exact integer pounds: parsing every written form, formatting for display.

Written forms accepted: 541, £541, £1,501, -£795, £-795, (£795), (795), −795 (Unicode minus),
£2.202m, £.99m, £174k, £1bn. A bare figure is multiplied by the sheet's unit (£'000 -> 1000);
a figure with its own unit (k, m, bn) uses that unit instead. Anything that does not come out
as a whole number of pounds is refused rather than rounded, and so is any amount past
`MAX_CREDIBLE_GBP` (one trillion pounds): no police budget comes near it, and below it every sum
of a sheet's cells stays far inside what pandas' Int64 columns hold.
"""

from __future__ import annotations

import re
from decimal import Decimal, DecimalException, Inexact, localcontext
from typing import NamedTuple

MAX_CREDIBLE_GBP = 10**12  # £1,000,000,000,000: any amount beyond it, either sign, is refused

UNIT_FACTORS: dict[str, int] = {"": 1, "'000": 1_000, "k": 1_000, "m": 1_000_000, "bn": 1_000_000_000}
UNIT_NAMES: dict[int, str] = {1: "£", 1_000: "£'000", 1_000_000: "£m", 1_000_000_000: "£bn"}

_MINUS = "-\u2212\u2013"  # hyphen-minus, Unicode minus, en dash (Excel users type all three)
_AMOUNT = re.compile(
    rf"""^(?P<open>\()?
    (?P<sign>[{_MINUS}])?
    £?
    (?P<sign2>[{_MINUS}])?
    (?P<number>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    (?P<unit>k|m|bn)?
    (?P<close>\))?$""",
    re.X | re.I,
)
_HEADER_UNIT = re.compile(r"(?P<currency>[£$€])\s*(?P<unit>'?000s?|k|m|bn)?(?![a-z0-9])", re.I)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class MoneyError(ValueError):
    """A value that is not a recognisable amount of money."""


class Amount(NamedTuple):
    pounds: int
    unit: str | None  # the unit written with the figure (k, m, bn), None when it used the default


def _whole_pounds(value: Decimal, written: str) -> int:
    # compared as a Decimal first: int() of 1E+999999 would build a million-digit number
    if abs(value) > MAX_CREDIBLE_GBP:
        written = written if 0 < len(written) <= 40 else (written[:39] + "…" if written else "a number of 40+ digits")
        raise MoneyError(f"{written!r} comes to more than £{MAX_CREDIBLE_GBP:,}, which is not a credible amount")
    if value != value.to_integral_value():
        raise MoneyError(f"{written!r} is not a whole number of pounds ({value} £)")
    return int(value)


def _scaled(number: str, factor: int) -> Decimal:
    """number × factor, exactly: with the default 28 digits, 0.99999…9 (30 nines) × 1 would round to 1."""
    with localcontext() as context:
        context.prec = len(number) + len(str(factor)) + 2
        context.traps[Inexact] = True
        return Decimal(number) * factor


def parse_amount(text: str, factor: int = 1) -> Amount:
    """Parse a written amount into integer pounds; a bare figure is scaled by `factor`."""
    compact = _SPACES.sub("", text)
    match = _AMOUNT.match(compact)
    if not match or bool(match["open"]) != bool(match["close"]):
        raise MoneyError(f"{text!r} is not an amount of money")
    if match["sign"] and match["sign2"]:
        raise MoneyError(f"{text!r} has two signs")
    negative = bool(match["open"] or match["sign"] or match["sign2"])
    if match["open"] and (match["sign"] or match["sign2"]):
        raise MoneyError(f"{text!r} is both bracketed and signed")
    unit = match["unit"].lower() if match["unit"] else None
    scale = UNIT_FACTORS[unit] if unit else factor
    value = _scaled(match["number"].replace(",", ""), scale)
    pounds = _whole_pounds(value, text)
    return Amount(-pounds if negative else pounds, unit)


def number_to_pounds(number: int | float | Decimal, factor: int = 1) -> int:
    """Scale a number stored in a cell to integer pounds, exactly (floats via their shortest repr)."""
    if isinstance(number, int) and abs(number) > MAX_CREDIBLE_GBP:  # before str(): 10**5000 has no str()
        written = (
            str(number) if number.bit_length() < 128 else f"a {int(number.bit_length() * 0.30103) + 1}-digit number"
        )
        raise MoneyError(f"{written!r} comes to more than £{MAX_CREDIBLE_GBP:,}, which is not a credible amount")
    if isinstance(number, int) and not isinstance(number, bool):  # exact already: kept off the Decimal path
        pounds = number * factor
        return int(pounds) if abs(pounds) <= MAX_CREDIBLE_GBP else _whole_pounds(Decimal(pounds), str(number))
    try:
        value = _scaled(str(number), factor)
    except DecimalException as exc:  # nan, inf, an exponent past Decimal's range
        raise MoneyError(f"{number!r} is not an amount of money") from exc
    if not value.is_finite():
        raise MoneyError(f"{number!r} is not an amount of money")
    return _whole_pounds(value, str(number))


def header_unit(text: str) -> tuple[str, int | None] | None:
    """The money unit a header announces: ("£'000", 1000); ("$'000", None) if not pounds; None if none."""
    match = _HEADER_UNIT.search(text)
    if not match:
        return None
    unit = (match["unit"] or "").lower()
    written = match["currency"] + (match["unit"] or "")
    if match["currency"] != "£":
        return written, None
    if unit in ("000", "000s", "'000s"):
        unit = "'000"
    return written, UNIT_FACTORS.get(unit)


def format_gbp(pounds: int | None, *, signed: bool = False) -> str:
    """£6,151,000; -£795,000; '–' for no figure. `signed` puts + on positive amounts."""
    if pounds is None:
        return "–"
    sign = "-" if pounds < 0 else ("+" if signed and pounds > 0 else "")
    return f"{sign}£{abs(int(pounds)):,}"


def format_gbp_k(pounds: int | None, *, signed: bool = False) -> str:
    """£6,151k; keeps any odd pounds exactly (£1,234.5k) rather than rounding them away."""
    if pounds is None:
        return "–"
    sign = "-" if pounds < 0 else ("+" if signed and pounds > 0 else "")
    thousands = Decimal(abs(int(pounds))) / 1000
    text = f"{thousands:,.0f}" if thousands == thousands.to_integral_value() else f"{thousands.normalize():,f}"
    return f"{sign}£{text}k"


def as_pounds(value) -> int | None:
    """int pounds from an int or numpy integer; None for a missing value (None, pandas NA).

    A float is refused, NaN included: money is never a float in bch, so one here is a bug upstream
    (pandas turning a column with a blank into float64), and truncating it would hide a wrong figure.
    """
    if value is None:
        return None
    import numbers

    import pandas as pd

    if isinstance(value, bool | float | Decimal) or not isinstance(value, numbers.Integral | type(pd.NA)):
        raise TypeError(f"money is int pounds, not {type(value).__name__} {value!r}")
    return None if value is pd.NA else int(value)
