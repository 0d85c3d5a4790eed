"""Declared table schemas: a float or NaN in a money column is stopped where the table is made."""

from __future__ import annotations

import pandas as pd
import pytest

from bch.analyse import history, pipeline, reconcile
from bch.analyse.claimcheck import CLAIMS
from bch.core.findings import FINDINGS, findings_frame
from bch.core.schema import Schema, SchemaError, money_array
from bch.present import excel, workbook
from bch.read import register
from bch.read.sheet import FUNCTIONS, LINES, STATED

TABLE = Schema("demo", {"what": "text", "amount_gbp": "money", "n": "count", "share_pct": "pct"})


def test_a_blank_beside_figures_stays_int_pounds_where_pandas_would_make_floats():
    made = TABLE.frame([("a", None, 1, None), ("b", 6_348_000, 2, 12.5)])
    assert str(made["amount_gbp"].dtype) == "Int64"
    assert list(made["amount_gbp"]) == [pd.NA, 6_348_000]  # pandas' own from_records gives [nan, 6348000.0]
    assert pd.DataFrame.from_records([(None,), (6_348_000,)])[0].dtype == "float64"
    assert made["share_pct"].isna().tolist() == [True, False]


def test_a_float_in_a_money_column_fails_at_the_producer_naming_table_and_column():
    with pytest.raises(SchemaError, match=r"^money is int pounds, not the float 6348000\.0$"):
        TABLE.frame([("a", 6_348_000.0, 1, None)])
    floats = pd.DataFrame({"what": ["a"], "amount_gbp": [1.0], "n": [1], "share_pct": [1.0]})
    with pytest.raises(SchemaError, match=r"^table demo, column amount_gbp \(money\): has dtype float64; money is"):
        TABLE.check(floats)
    text = pd.DataFrame({"what": [3], "amount_gbp": pd.array([1], dtype="Int64"), "n": [1], "share_pct": [1.0]})
    with pytest.raises(SchemaError, match=r"^table demo, column what \(text\): has dtype int64; expected text$"):
        TABLE.check(text)
    with pytest.raises(SchemaError, match=r"^table demo lacks column\(s\) \['share_pct'\]$"):
        TABLE.check(floats.drop(columns="share_pct"))


def test_a_sum_past_int64_stays_exact():
    huge = 2**70
    assert list(money_array([huge, None])) == [huge, None]


def test_every_table_of_the_shipped_analysis_is_as_declared():
    analysis = pipeline.analyse()
    LINES.check(analysis.sheet.lines)
    STATED.check(analysis.sheet.stated)
    FUNCTIONS.check(analysis.sheet.functions)
    reconcile.VARIANCE.check(analysis.variance)
    CLAIMS.check(analysis.claims, extra=True)
    register.CASES.check(analysis.register.cases)
    FINDINGS.check(findings_frame(analysis.findings))
    headlines = workbook.headlines(analysis)
    workbook.HEADLINE_TABLE.check(headlines)
    assert list(headlines["amount_gbp"]) == [6_151_000, 21_716_000, 6_348_000, 1_798_000]  # §5.3, table 5.2, §6
    trend = history.trend_table([analysis]).cases
    assert history.TREND.check(trend) is trend


def test_headlines_with_unknown_totals_keep_the_known_one_as_int_pounds():
    """The crash of a `tbc` workbook: [None, None, 6348000] made float64 and the Excel writer refused it."""
    analysis = pipeline.analyse()
    unknown = {"recurrent_gbp": None, "cumulative_to_date_gbp": None, "change_team_costs_gbp": 6_348_000}
    analysis.__dict__["totals"] = unknown  # the cached property, as a `tbc` line leaves it
    frame = workbook.headlines(analysis)
    assert str(frame["amount_gbp"].dtype) == "Int64"
    assert [excel._value("amount_gbp", v) for v in frame["amount_gbp"]] == [None, None, 6_348_000, 1_798_000]
