"""Each bad workbook gets its own test, asserting the exact cell and severity it must name."""

import datetime as dt
from dataclasses import dataclass

import openpyxl
import pytest

from bch.analyse import pipeline, summary
from bch.core.errors import InputError
from bch.core.findings import Finding
from bch.read.sheet import SavingsSheet
from tests import builders

SHIPPED_WARNING = ("warning", "blank-total", "Savings!B13")


@dataclass(frozen=True)
class Checked:
    sheet: SavingsSheet
    findings: tuple[Finding, ...]

    @property
    def totals(self):
        return summary.headline_totals(self.sheet)


def analyse(book, tmp_path, **kwargs):
    """The savings workbook alone: loaded and checked (the register and claims are tested apart)."""
    sheet, findings = pipeline.check_savings(builders.save(book, tmp_path), **kwargs)
    return Checked(sheet, tuple(findings))


def keys(analysis):
    return [(f.severity, f.code, f.cell) for f in analysis.findings]


def test_formula_without_cached_value(shipped, tmp_path):
    book, ws = shipped
    ws["C5"] = "=500+41"
    result = analyse(book, tmp_path)
    assert keys(result) == [("error", "formula-no-value", "Savings!C5"), SHIPPED_WARNING]
    assert "=500+41 has no cached value" in result.findings[0].message
    assert result.totals["recurrent_gbp"] is None  # never a silently short total


def test_excel_error_cell(shipped, tmp_path):
    book, ws = shipped
    ws["D5"] = "#REF!"
    result = analyse(book, tmp_path)
    assert keys(result) == [("error", "excel-error", "Savings!D5"), SHIPPED_WARNING]


def test_a_line_edited_so_its_year_no_longer_foots(shipped, tmp_path):
    book, ws = shipped
    ws["D5"] = 509  # ICT 2016/17: 508 in the paper
    found = keys(analyse(book, tmp_path))
    assert ("error", "row-total", "Savings!G5") in found
    assert ("error", "year-total", "Savings!D9") in found
    assert ("error", "grand-total", "Savings!G9") in found
    result = analyse(book, tmp_path)
    year = next(f for f in result.findings if f.cell == "Savings!D9")
    assert year.message == "states £920,000 but the lines of 2016/17 gives £921,000"


def test_a_row_total_that_does_not_foot(shipped, tmp_path):
    book, ws = shipped
    ws["G5"] = 1500
    result = analyse(book, tmp_path)
    assert result.findings[0] == Finding(
        "error",
        "row-total",
        "Savings!G5",
        "states £1,500,000 but the years of 'ICT' gives £1,501,000",
        stated_gbp=1_500_000,
        computed_gbp=1_501_000,  # ICT's years in table 5.2
    )
    assert keys(result) == [("error", "row-total", "Savings!G5"), SHIPPED_WARNING]


def test_a_wrong_cumulative_row(shipped, tmp_path):
    book, ws = shipped
    ws["E10"] = 4990
    assert keys(analyse(book, tmp_path)) == [("error", "cumulative", "Savings!E10"), SHIPPED_WARNING]


def test_a_wrong_savings_to_date_row(shipped, tmp_path):
    book, ws = shipped
    ws["F11"] = 21_761
    assert keys(analyse(book, tmp_path)) == [("error", "savings-to-date", "Savings!F11"), SHIPPED_WARNING]


def test_tbc(shipped, tmp_path):
    book, ws = shipped
    ws["C3"] = "tbc"
    result = analyse(book, tmp_path)
    assert keys(result) == [("error", "not-money", "Savings!C3"), SHIPPED_WARNING]
    assert "'tbc' is not an amount of money" in result.findings[0].message


def test_n_a(shipped, tmp_path):
    book, ws = shipped
    ws["E4"] = "n/a"
    assert keys(analyse(book, tmp_path)) == [("error", "not-money", "Savings!E4"), SHIPPED_WARNING]


def test_a_date_in_a_value_cell(shipped, tmp_path):
    book, ws = shipped
    ws["D6"] = dt.datetime(2016, 5, 1)
    assert keys(analyse(book, tmp_path)) == [("error", "date-value", "Savings!D6"), SHIPPED_WARNING]


def test_a_boolean(shipped, tmp_path):
    book, ws = shipped
    ws["E7"] = True
    assert keys(analyse(book, tmp_path)) == [("error", "boolean-value", "Savings!E7"), SHIPPED_WARNING]


def test_millions_in_a_thousands_sheet_convert_exactly_and_are_noted(shipped, tmp_path):
    book, ws = shipped
    ws["G5"] = "£1.501m"
    result = analyse(book, tmp_path)
    assert keys(result) == [("warning", "unit-in-cell", "Savings!G5"), SHIPPED_WARNING]
    assert result.findings[0].message == "'£1.501m' carries its own unit in a £'000 sheet; read as £1,501,000"
    assert result.sheet.functions.set_index("function").loc["ICT", "total_gbp"] == 1_501_000


def test_written_negatives_in_the_costs_row(shipped, tmp_path):
    book, ws = shipped
    ws["B12"] = "\u2212795"
    ws["C12"] = "(1,895)"
    ws["D12"] = "-£1,649"
    result = analyse(book, tmp_path)
    assert keys(result) == [SHIPPED_WARNING]
    assert result.totals["change_team_costs_gbp"] == 6_348_000


def test_a_bracketed_line_is_a_negative_saving(shipped, tmp_path):
    book, ws = shipped
    ws["B3"] = "(1,234)"
    found = keys(analyse(book, tmp_path))
    assert found[0] == ("warning", "negative-saving", "Savings!B3")
    assert ("error", "row-total", "Savings!G3") in found


def test_duplicate_label(shipped, tmp_path):
    book, ws = shipped
    ws["A7"] = "ICT"
    result = analyse(book, tmp_path)
    assert result.findings[0] == Finding(
        "error", "duplicate-label", "Savings!A7", "label 'ICT' repeats 'ICT' at Savings!A5; its figures are not counted"
    )


def test_labels_differing_only_by_case_or_space(shipped, tmp_path):
    book, ws = shipped
    ws["A7"] = "  ict "
    result = analyse(book, tmp_path)
    assert result.findings[0].cell == "Savings!A7"
    assert result.findings[0].severity == "error"
    assert "differs only in case or spacing from 'ICT' at Savings!A5" in result.findings[0].message


def test_duplicate_year(shipped, tmp_path):
    book, ws = shipped
    ws["D2"] = "2015/16"
    result = analyse(book, tmp_path)
    # 2016/17 is lost to the duplicate, so 2017/18 no longer follows on either: both are true
    assert keys(result) == [("error", "duplicate-year", "Savings!D2"), ("error", "year-sequence", "Savings!E2")]
    assert "appears twice in the header (Savings!C2 and here)" in result.findings[0].message
    assert not result.sheet.usable
    assert result.totals["recurrent_gbp"] is None


def test_non_consecutive_years(shipped, tmp_path):
    book, ws = shipped
    ws["D2"] = "2017/18"
    ws["E2"] = "2016/17"
    result = analyse(book, tmp_path)
    assert keys(result)[0] == ("error", "year-sequence", "Savings!D2")
    assert "expected 2016/17" in result.findings[0].message


def test_an_unknown_unit_in_the_header(shipped, tmp_path):
    book, ws = shipped
    ws["G2"] = "Total $'000"
    result = analyse(book, tmp_path)
    assert keys(result) == [("error", "unknown-unit", "Savings!G2")]


def test_no_unit_at_all(shipped, tmp_path):
    book, ws = shipped
    ws["G2"] = "Total"
    ws["A1"] = "BCH Cost/Savings"
    assert keys(analyse(book, tmp_path)) == [("error", "no-unit", "Savings!G2")]


def test_a_hidden_first_sheet_holding_stale_figures(shipped, tmp_path):
    book, ws = shipped
    stale = book.copy_worksheet(ws)
    stale.title = "Old figures"
    stale["C5"] = 999
    stale.sheet_state = "hidden"
    book.move_sheet(stale, offset=-1)
    result = analyse(book, tmp_path)
    assert keys(result) == [("warning", "hidden-sheet", "'Old figures'!A1"), SHIPPED_WARNING]
    assert result.sheet.sheet == "Savings"
    assert result.totals["recurrent_gbp"] == 6_151_000


def test_merged_label_cells(shipped, tmp_path):
    book, ws = shipped
    ws.merge_cells("A3:A4")
    found = keys(analyse(book, tmp_path))
    assert found[0] == ("warning", "merged-cells", "Savings!A3")
    assert ("error", "unlabelled-row", "Savings!A4") in found


def test_a_blank_row_inside_the_table(shipped, tmp_path):
    book, ws = shipped
    ws.insert_rows(6)
    result = analyse(book, tmp_path)
    assert keys(result) == [("warning", "blank-row", "Savings!A6"), ("warning", "blank-total", "Savings!B14")]
    assert result.totals["recurrent_gbp"] == 6_151_000


def test_notes_text_reached_as_data(shipped, tmp_path):
    book, ws = shipped
    ws["A15"] = None  # the "Notes" heading is gone
    result = analyse(book, tmp_path)
    notes = [k for k in keys(result) if k[1] == "note-as-data"]
    assert notes[0] == ("warning", "note-as-data", "Savings!A16")
    assert len(notes) == 5
    assert result.totals["recurrent_gbp"] == 6_151_000


def test_an_unknown_row_with_figures_between_the_table_and_notes(shipped, tmp_path):
    book, ws = shipped
    ws["A14"] = "Other savings"
    ws["C14"] = 50
    assert keys(analyse(book, tmp_path)) == [("error", "unknown-row", "Savings!A14"), SHIPPED_WARNING]


def test_a_positive_change_team_cost(shipped, tmp_path):
    book, ws = shipped
    ws["C12"] = 1895
    found = keys(analyse(book, tmp_path))
    assert found[0] == ("error", "cost-sign", "Savings!C12")
    assert ("error", "cost-cumulative", "Savings!C13") in found


def test_a_hidden_row(shipped, tmp_path):
    book, ws = shipped
    ws.row_dimensions[6].hidden = True
    assert keys(analyse(book, tmp_path)) == [("warning", "hidden-row", "Savings!A6"), SHIPPED_WARNING]


def test_a_figure_outside_the_table(shipped, tmp_path):
    book, ws = shipped
    ws["H5"] = 12
    assert keys(analyse(book, tmp_path)) == [("error", "value-outside-table", "Savings!H5"), SHIPPED_WARNING]


def test_a_fraction_of_a_pound(shipped, tmp_path):
    book, ws = shipped
    ws["B3"] = 0.0005
    assert keys(analyse(book, tmp_path)) == [("error", "not-money", "Savings!B3"), SHIPPED_WARNING]


def test_a_sheet_with_no_fiscal_years(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "Savings"
    book.active["B2"] = "2014"
    assert keys(analyse(book, tmp_path)) == [("error", "no-header", "Sheet!A1")]


def test_an_empty_workbook(tmp_path):
    result = analyse(openpyxl.Workbook(), tmp_path)
    assert keys(result) == [("error", "empty-workbook", "Sheet!A1")]
    assert not result.sheet.usable


def test_a_file_that_is_not_an_xlsx(tmp_path):
    path = tmp_path / "savings.xlsx"
    path.write_text("Firearms licensing,27,86\n")
    with pytest.raises(InputError, match=r"savings.xlsx is not a readable .xlsx workbook"):
        pipeline.check_savings(path)


def test_a_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"^savings workbook not found: .*nope.xlsx$"):
        pipeline.check_savings(tmp_path / "nope.xlsx")


def test_two_visible_sheets_need_a_choice(shipped, tmp_path):
    book, _ = shipped
    book.create_sheet("Scratch")
    with pytest.raises(InputError, match=r"has 2 visible sheets \(Savings, Scratch\); choose one with --sheet"):
        analyse(book, tmp_path)
    assert analyse(book, tmp_path, sheet="Savings").totals["recurrent_gbp"] == 6_151_000


def test_a_sheet_that_does_not_exist(shipped, tmp_path):
    book, _ = shipped
    with pytest.raises(InputError, match=r"has no sheet 'Savngs'; its sheets are: Savings"):
        analyse(book, tmp_path, sheet="Savngs")


def test_missing_summary_rows_are_warnings_naming_the_label_column_they_were_looked_for_in(shipped, tmp_path):
    book, ws = shipped
    ws.delete_rows(12, 2)  # a finance export without the change-team cost rows
    result = analyse(book, tmp_path)
    assert keys(result) == [("warning", "missing-row", "Savings!A2:A11")] * 2
    assert [f.message for f in result.findings] == [
        "the sheet has no 'BCH Change Team costs' row, so it is not cross-checked",
        "the sheet has no 'Total Cumulative Change Team costs' row, so it is not cross-checked",
    ]
    assert result.totals == {
        "recurrent_gbp": 6_151_000,
        "cumulative_to_date_gbp": 21_716_000,
        "change_team_costs_gbp": None,
    }
