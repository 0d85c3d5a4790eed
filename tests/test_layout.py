"""The loader finds rows and columns by their labels: new years and functions just work."""

from bch.analyse import pipeline, summary
from tests import builders


def test_a_sixth_year_and_a_new_function_just_work(tmp_path):
    years = builders.fiscal_years(2014, 6)
    functions = {
        "ICT": [None, 541, 508, 29, 423, 100],
        "Firearms licensing": [None, 27, 86, None, None, None],
        "Public Contact": [None, None, None, None, None, 40],
    }
    book = builders.synthetic_book(years, functions, costs=[-795, -1895, -1649, -1448, -561, -300])
    sheet, findings = pipeline.check_savings(builders.save(book, tmp_path))
    assert findings == []
    assert sheet.years == tuple(years)
    assert summary.headline_totals(sheet)["recurrent_gbp"] == (1601 + 113 + 40) * 1000
    assert sheet.tidy().set_index(["function", "fiscal_year"]).loc[("ICT", "2019/20"), "cell"] == "Savings!G3"


def test_labels_are_matched_after_folding_case_and_spaces(shipped, tmp_path):
    book, ws = shipped
    ws["A9"] = "  TOTAL   recurrent in each  year "
    ws["A13"] = "total cumulative change team costs"
    result = pipeline.analyse(builders.save(book, tmp_path))
    assert [f.cell for f in result.findings] == ["Savings!B13"]


def test_rows_moved_around_are_found_by_label(shipped, tmp_path):
    book, ws = shipped
    for col in "ABCDEFG":  # swap the Firearms and Custody rows
        ws[f"{col}3"].value, ws[f"{col}7"].value = ws[f"{col}7"].value, ws[f"{col}3"].value
    result = pipeline.analyse(builders.save(book, tmp_path))
    assert result.totals["recurrent_gbp"] == 6_151_000
    assert result.sheet.functions["function"].iloc[0] == "Custody"


def test_units_of_pounds_and_millions(tmp_path):
    book = builders.synthetic_book(builders.fiscal_years(2014, 2), {"ICT": [1, 2]}, costs=[-1, -1])
    book.active["D2"] = "Total £m"
    sheet, _ = pipeline.check_savings(builders.save(book, tmp_path))
    assert sheet.unit == "£m"
    assert summary.headline_totals(sheet)["recurrent_gbp"] == 3_000_000


def test_two_point_two_million_in_a_thousands_sheet(tmp_path):
    """The paper's own '£2.202m' (the ICT forecast, §6.4) typed into a £'000 sheet: exact, and noted."""
    book = builders.synthetic_book(builders.fiscal_years(2015, 2), {"ICT": [1000, 1202]}, costs=[-1, -1])
    book.active["C3"] = "£1.202m"
    book.active["D3"] = "£2.202m"
    sheet, findings = pipeline.check_savings(builders.save(book, tmp_path))
    assert [(f.severity, f.code, f.cell) for f in findings] == [
        ("warning", "unit-in-cell", "Savings!C3"),
        ("warning", "unit-in-cell", "Savings!D3"),
    ]
    assert findings[1].message == "'£2.202m' carries its own unit in a £'000 sheet; read as £2,202,000"
    assert summary.headline_totals(sheet)["recurrent_gbp"] == 2_202_000
