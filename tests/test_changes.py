"""What changed since the last pack: tables in, plain records out (bch.changes), on tiny frames and on the
shipped edition's own tables as a pack stores them."""

import pandas as pd

from bch import changes, params, tables


def stored(analysis) -> dict[str, pd.DataFrame]:
    """The tables as a pack writes them and the next run reads them back (CSV text)."""
    return {key: tables.as_text(frame) for key, frame in tables.pack_tables(analysis).items()}


def test_the_same_run_again_changes_nothing(analysis):
    run = params.plain(params.validate())
    assert changes.compare(stored(analysis), stored(analysis), run, dict(run)) == []


def test_a_first_pack_has_nothing_to_compare_with(analysis):
    assert changes.compare(None, stored(analysis)) == []


def test_only_the_parameters_that_shape_the_figures_count(analysis):
    run = params.plain(params.validate())
    moved = {**run, "output_dir": "/elsewhere", "catalogue_path": "/other/editions.toml", "materiality_pct": 15.0}
    assert changes.compare(stored(analysis), stored(analysis), run, moved) == [
        {"kind": "parameter changed", "item": "materiality_pct", "before": "10.0", "after": "15.0", "money": False}
    ]


def savings(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["function", "fiscal_year", "saving_gbp"])


def variance(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["function", "actual_gbp", "status"])
    return frame.assign(forecast_gbp="100000", latest_forecast_gbp="100000")


def findings(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["severity", "code", "cell", "message"])


def test_years_actuals_cases_and_findings_in_one_order():
    old = {
        "savings-tidy": savings([("ICT", "2018/19", "423000"), ("HR", "2018/19", "5000")]),
        "variance": variance([("ICT", "90000", "delivered"), ("Custody", "10000", "under-delivered")]),
        "findings": findings([("warning", "blank-total", "Savings!B13", "blank")]),
    }
    new = {
        "savings-tidy": savings([("ICT", "2018/19", "425000"), ("ICT", "2019/20", "200000")]),
        "variance": variance([("ICT", "80000", "under-delivered"), ("Firearms", "5000", "under-delivered")]),
        "findings": findings([("error", "row-total", "Savings!G5", "does not foot")]),
    }
    found = [(c["kind"], c["item"], c["before"], c["after"], c["money"]) for c in changes.compare(old, new)]
    assert found == [
        ("year added", "2019/20", None, "new column", False),
        ("actual added", "ICT 2019/20", None, "200000", True),
        ("actual restated", "ICT 2018/19", "423000", "425000", True),
        ("actual removed", "HR 2018/19", "5000", None, True),
        ("case added", "Firearms", None, "under-delivered", False),
        ("case removed", "Custody", "under-delivered", None, False),
        ("case actual changed", "ICT", "90000", "80000", True),
        ("status changed", "ICT", "delivered", "under-delivered", False),
        ("finding new", "error row-total Savings!G5", None, "does not foot", False),
        ("finding resolved", "warning blank-total Savings!B13", "blank", None, False),
    ]


def test_cells_and_years_sort_as_numbers_not_text():
    items = ["Savings!D11", "Savings!D3", "2019/20", "2018/19", "ICT 10", "ICT 9"]
    assert sorted(items, key=changes.natural_key) == [
        "2018/19",
        "2019/20",
        "ICT 9",
        "ICT 10",
        "Savings!D3",
        "Savings!D11",
    ]
