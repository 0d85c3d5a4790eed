from decimal import Decimal

import pytest

from bch.core import money


@pytest.mark.parametrize(
    ("written", "factor", "pounds", "unit"),
    [
        ("£541", 1000, 541_000, None),
        ("£1,501", 1000, 1_501_000, None),
        ("-£795", 1000, -795_000, None),
        ("£-795", 1000, -795_000, None),
        ("(£795)", 1000, -795_000, None),
        ("(795)", 1000, -795_000, None),
        ("(1,234)", 1000, -1_234_000, None),
        ("\u2212795", 1000, -795_000, None),
        ("£2.202m", 1000, 2_202_000, "m"),
        ("£.99m", 1000, 990_000, "m"),
        ("£174k", 1000, 174_000, "k"),
        ("£174K", 1, 174_000, "k"),
        ("£6.151m", 1, 6_151_000, "m"),
        ("£21.716m", 1000, 21_716_000, "m"),
        (" £ 1,501 ", 1000, 1_501_000, None),
        ("£2.6m", 1, 2_600_000, "m"),
        ("1.5", 1000, 1_500, None),
        ("£0", 1000, 0, None),
    ],
)
def test_written_amounts_become_exact_pounds(written, factor, pounds, unit):
    assert money.parse_amount(written, factor) == money.Amount(pounds, unit)


@pytest.mark.parametrize(
    "written", ["tbc", "n/a", "", "£", "1,50", "12,3456", "(£795", "--795", "-(795)", "£1.2.3", "1e3"]
)
def test_anything_else_is_refused(written):
    with pytest.raises(money.MoneyError):
        money.parse_amount(written, 1000)


def test_a_fraction_of_a_pound_is_refused_not_rounded():
    with pytest.raises(money.MoneyError, match="not a whole number of pounds"):
        money.parse_amount("£0.0005", 1000)


def test_numbers_scale_exactly_without_float_drift():
    assert money.number_to_pounds(2.202, 1_000_000) == 2_202_000
    assert money.number_to_pounds(Decimal("1.501"), 1_000_000) == 1_501_000


def test_float_noise_is_refused():
    with pytest.raises(money.MoneyError):
        money.number_to_pounds(0.1 + 0.2, 1000)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Total £'000", ("£'000", 1000)),
        ("Total £k", ("£k", 1000)),
        ("Total £m", ("£m", 1_000_000)),
        ("Total £", ("£", 1)),
        ("(£000s)", ("£000s", 1000)),
        ("Total $'000", ("$'000", None)),
        ("Total €m", ("€m", None)),
        ("Total", None),
    ],
)
def test_header_units(header, expected):
    assert money.header_unit(header) == expected


def test_formatting():
    assert money.format_gbp(6_151_000) == "£6,151,000"
    assert money.format_gbp(-795_000) == "-£795,000"
    assert money.format_gbp(1_000, signed=True) == "+£1,000"
    assert money.format_gbp(None) == "–"
    assert money.format_gbp_k(6_151_000) == "£6,151k"
    assert money.format_gbp_k(-61_000, signed=True) == "-£61k"
    assert money.format_gbp_k(1_234_500) == "£1,234.5k"
