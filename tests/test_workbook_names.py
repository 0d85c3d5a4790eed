"""Cell references in bch-pack.xlsx name the source workbook: a file name is input, never a regex template nor a
control or bidi character, and a figure past 10^13 still reads back."""

import pytest

from bch.present import excel, workbook


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("sav\\1.xlsx", "[sav\\1.xlsx]Savings!C3"),  # a backslash crashed re.sub (invalid group reference)
        ("sav\\g<0>.xlsx", "[sav\\g<0>.xlsx]Savings!C3"),  # …or named a workbook that does not exist
        ("sav\\n.xlsx", "[sav\\n.xlsx]Savings!C3"),  # …or broke the reference over two lines
        ("sav\u202eslx.xlsx", "[sav⟨U+202E⟩slx.xlsx]Savings!C3"),
    ],
)
def test_a_source_file_name_is_shown_literally_and_neutralised(source, named):
    assert workbook.name_the_workbook("Savings!C3", "Savings", source) == named
    assert excel._value("cell", "Savings!C3", ("Savings", source)) == named


def test_a_quoted_sheet_name_is_named_with_its_workbook_too():
    assert workbook.name_the_workbook("'Table 5.2'!C3", "Table 5.2", "b.xlsx") == "[b.xlsx]'Table 5.2'!C3"


def test_any_text_cell_with_a_bidi_or_control_character_is_neutralised():
    assert excel._value("commentary", "ok\u202e evil") == "ok⟨U+202E⟩ evil"


def test_headlines_past_ten_to_the_thirteen_read_back(tmp_path):
    from bch.analyse import pipeline

    analysis = pipeline.analyse()
    analysis.__dict__["totals"] = {
        "recurrent_gbp": 59_999_999_940_000,
        "cumulative_to_date_gbp": 10**15,
        "change_team_costs_gbp": -(10**15),
    }
    path = excel.write_workbook(analysis, tmp_path / "x.xlsx")
    read = excel.read_headlines(path)
    assert (read["recurrent_gbp"], read["cumulative_to_date_gbp"], read["change_team_costs_gbp"]) == (
        59_999_999_940_000,
        10**15,
        -(10**15),
    )
