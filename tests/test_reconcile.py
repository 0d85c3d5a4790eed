"""Forecast against delivered, per function: the paper's §6 figure by figure, and the edge cases."""

import pandas as pd
import pytest

from bch.analyse import pipeline, reconcile
from bch.core.findings import Finding
from bch.read import editions, register

K = 1000
# function: (forecast, revised, actual, variance vs latest, variance vs original), £k, from §6.2–§6.8
EXPECTED = {
    "Firearms Licensing": (174, 112, 113, +1, -61),
    "Information Management Department (IMD)": (320, None, 71, -249, -249),
    "ICT": (2202, None, 1501, -701, -701),
    "Custody": (278, None, 92, -186, -186),
    "CJ phase 1": (14, None, 21, +7, +7),
    "Human Resources": (990, None, 0, -990, -990),
}


@pytest.fixture(scope="module")
def table(analysis):
    return analysis.variance.set_index("function")


def _k(value):
    return None if pd.isna(value) else int(value) // K


@pytest.mark.parametrize("function", list(EXPECTED))
def test_each_case_figure_by_figure(table, function):
    row = table.loc[function]
    got = tuple(
        _k(row[c])
        for c in ("forecast_gbp", "revised_forecast_gbp", "actual_gbp", "variance_gbp", "variance_vs_original_gbp")
    )
    assert got == EXPECTED[function]


def test_totals_over_the_cases_with_figures(analysis):
    assert analysis.variance_totals == {
        "forecast_gbp": 3_978 * K,
        "latest_forecast_gbp": 3_916 * K,
        "actual_gbp": 1_798 * K,
        "variance_gbp": -2_118 * K,
        "cases": 6,
        "left_out": (),
    }


def test_delivery_and_status_at_the_default_materiality(table):
    assert table.loc["Firearms Licensing", ["delivery_pct", "status", "rag"]].tolist() == [100.9, "delivered", "green"]
    assert table.loc["ICT", ["delivery_pct", "status", "rag"]].tolist() == [68.2, "under-delivered", "red"]
    assert table.loc["CJ phase 1", ["delivery_pct", "status", "rag"]].tolist() == [150.0, "over-delivered", "green"]
    assert table.loc["Firearms Licensing", "delivery_vs_original_pct"] == 64.9


def test_register_only_case_has_actual_zero(table):
    hr = table.loc["Human Resources"]
    assert (hr["actual_gbp"], hr["variance_gbp"], hr["status"]) == (0, -990 * K, "no savings delivered")
    assert pd.isna(hr["sheet_label"])


def test_sheet_line_without_a_business_case(table):
    ersou = table.loc["ERSOU/JPS etc"]
    assert ersou["actual_gbp"] == 4_353 * K
    assert pd.isna(ersou["variance_gbp"])
    assert ersou["status"] == "no business case"
    assert ersou["actual_cells"] == "Savings!B8:F8"


def test_not_implemented_has_no_variance_figure(table):
    pc = table.loc["Public Contact"]
    assert pc["status"] == "not implemented"
    assert pd.isna(pc["variance_gbp"])
    assert pd.isna(pc["delivery_pct"])
    assert pc["rag"] == "none"


def test_aliases_join_register_names_to_sheet_labels(table):
    assert table.loc["Information Management Department (IMD)", "sheet_label"] == "Information management"
    assert table.loc["Information Management Department (IMD)", "actual_cells"] == "Savings!B4:F4"
    assert table.loc["Firearms Licensing", "sheet_label"] == "Firearms licensing"


def test_materiality_changes_status_and_rag():
    actuals = pd.DataFrame(
        {"function": ["ICT"], "actual_gbp": pd.array([1_501_000], dtype="Int64"), "label_cell": ["S!A5"], "cells": [""]}
    )
    cases = register.read_register(editions.load().newest().register).cases
    at_10, _ = reconcile.reconcile(actuals, cases[cases["function"] == "ICT"], 10)
    at_35, _ = reconcile.reconcile(actuals, cases[cases["function"] == "ICT"], 35)
    assert (at_10.loc[0, "status"], at_10.loc[0, "rag"]) == ("under-delivered", "red")
    assert (at_35.loc[0, "status"], at_35.loc[0, "rag"]) == ("delivered", "green")
    at_20, _ = reconcile.reconcile(actuals, cases[cases["function"] == "ICT"], 20)
    assert at_20.loc[0, "rag"] == "amber"  # 31.8% short: beyond 20%, within 40%


def test_a_sheet_label_matching_no_register_row_is_a_warning():
    actuals = pd.DataFrame(
        {
            "function": ["ICT", "Drones"],
            "actual_gbp": pd.array([1_501_000, 5_000], dtype="Int64"),
            "label_cell": ["Savings!A5", "Savings!A9"],
            "cells": ["Savings!B5:F5", "Savings!B9:F9"],
        }
    )
    cases = register.read_register(editions.load().newest().register).cases
    table, found = reconcile.reconcile(actuals, cases[cases["function"] == "ICT"])
    assert found == [
        Finding(
            "warning",
            "no-business-case",
            "Savings!A9",
            "sheet line 'Drones' matches no business case in the register; shown without a forecast",
        )
    ]
    assert table.set_index("function").loc["Drones", "status"] == "no business case"


def test_a_register_label_missing_from_the_sheet_is_a_warning_and_actual_unknown():
    actuals = pd.DataFrame(
        {"function": ["ICT"], "actual_gbp": pd.array([1], dtype="Int64"), "label_cell": ["S!A5"], "cells": [""]}
    )
    cases = register.read_register(editions.load().newest().register).cases
    table, found = reconcile.reconcile(actuals, cases[cases["function"].isin(["ICT", "Custody"])])
    assert [(f.severity, f.code, f.cell) for f in found] == [("warning", "no-sheet-line", "'business-cases.csv'!B5")]
    custody = table.set_index("function").loc["Custody"]
    assert pd.isna(custody["actual_gbp"])  # unknown, not a silent 0
    assert custody["status"] == "actual unknown"


def test_an_unreadable_actual_gives_no_variance(shipped, tmp_path):
    from tests import builders

    book, ws = shipped
    ws["C5"] = "tbc"
    result = pipeline.analyse(builders.save(book, tmp_path))
    ict = result.variance.set_index("function").loc["ICT"]
    assert ict["status"] == "actual unknown"
    assert pd.isna(ict["variance_gbp"])


def test_two_sheet_lines_matching_one_case_are_an_error_and_neither_is_counted():
    cases = register.read_register(editions.load().newest().register).cases
    cases = cases[cases["function"] == "ICT"].assign(aliases=[("ICT", "ICT projects")])
    actuals = pd.DataFrame(
        {
            "function": ["ICT", "ICT projects"],
            "actual_gbp": pd.array([1_501_000, 200_000], dtype="Int64"),
            "label_cell": ["Savings!A5", "Savings!A9"],
            "cells": ["Savings!B5:F5", "Savings!B9:F9"],
        }
    )
    table, found = reconcile.reconcile(actuals, cases.reset_index(drop=True))
    assert [(f.severity, f.code, f.cell) for f in found] == [("error", "case-matched-twice", "Savings!A9")]
    assert found[0].message == (
        "business case 'ICT' matches 2 sheet lines ('ICT' at Savings!A5, 'ICT projects' at Savings!A9); none is "
        "counted: its actual is unknown"
    )
    assert pd.isna(table.set_index("function").loc["ICT", "actual_gbp"])
    assert reconcile.totals(table)["left_out"] == (("ICT", 2_202_000, "actual unknown"),)
