"""The business-case register: transcription, and bad data named by row and column."""

import pandas as pd
import pytest

from bch import paths
from bch.core import dates
from bch.core.errors import InputError
from bch.read import register

HEADER = (
    "function,sheet_labels,approved,forecast,revised_forecast,status,variance_causes,dependency,commentary,source\n"
)
GOOD = "ICT,ICT,Oct 2015,£2.202m,,implemented,demand change,,c,§6.4\n"


def write(tmp_path, *rows):
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def keys(reg):
    return [(f.severity, f.code, f.cell) for f in reg.findings]


def test_the_shipped_register():
    reg = register.read_register(paths.RAW / "business-cases.csv")
    assert reg.findings == ()
    cases = reg.cases.set_index("function")
    assert len(cases) == 8
    assert cases.loc["Firearms Licensing", ["approved", "forecast_gbp", "revised_forecast_gbp"]].tolist() == [
        "2015-02",
        174_000,
        112_000,
    ]
    assert cases.loc["Human Resources", "forecast_gbp"] == 990_000  # £.99m, parsed by the sheet's money code
    assert cases.loc["ICT", "forecast_gbp"] == 2_202_000
    assert cases.loc["Information Management Department (IMD)", "approved"] == "2016-05"
    assert cases.loc["Custody", "status"] == "partly implemented"
    assert cases.loc["Public Contact", "status"] == "not implemented"
    assert cases.loc["Human Resources", "dependency"] == "ERP"
    assert cases.loc["ERSOU/JPS etc", "status"] == "no business case"


@pytest.mark.parametrize(
    ("written", "month"),
    [("Feb 2015", "2015-02"), ("May 16", "2016-05"), ("October 2015", "2015-10"), ("2015-07", "2015-07")],
)
def test_months(written, month):
    assert dates.parse_month(written) == month


def test_a_negative_forecast(tmp_path):
    reg = register.read_register(write(tmp_path, GOOD, "Custody,Custody,Oct 2015,-£278k,,implemented,,,c,§6.5\n"))
    assert keys(reg) == [("error", "negative-forecast", "cases.csv!D3")]


@pytest.mark.parametrize("written", ["0", "-0", "£0k", "-£0.0m"])
def test_a_zero_forecast_is_a_finding_naming_its_cell(tmp_path, written):
    reg = register.read_register(write(tmp_path, GOOD, f"Custody,Custody,Oct 2015,{written},,implemented,,,c,§6.5\n"))
    assert keys(reg) == [("warning", "zero-forecast", "cases.csv!D3")]
    assert reg.findings[0].message == (
        f"forecast {written!r} is zero; a forecast saving is positive, so no delivery % nor RAG can be shown for it"
    )
    assert reg.cases.set_index("function").loc["Custody", "forecast_gbp"] == 0


def test_a_zero_revised_forecast_names_its_own_cell(tmp_path):
    reg = register.read_register(write(tmp_path, "ICT,ICT,Oct 2015,£2.202m,-0,implemented,demand change,,c,§6.4\n"))
    assert keys(reg) == [("warning", "zero-forecast", "cases.csv!E2")]


def test_an_unknown_status(tmp_path):
    reg = register.read_register(write(tmp_path, "ICT,ICT,Oct 2015,£2.202m,,done-ish,,,c,§6.4\n"))
    assert keys(reg) == [("error", "unknown-status", "cases.csv!F2")]
    assert "'done-ish' is not one of: implemented" in reg.findings[0].message


def test_a_duplicate_function(tmp_path):
    reg = register.read_register(write(tmp_path, GOOD, "ict ,ICT,Oct 2015,£2.202m,,implemented,,,c,§6.4\n"))
    assert keys(reg)[0] == ("error", "duplicate-case", "cases.csv!A3")
    assert "first at cases.csv!A2" in reg.findings[0].message


def test_an_unparseable_month(tmp_path):
    reg = register.read_register(write(tmp_path, "ICT,ICT,Octobre 15,£2.202m,,implemented,,,c,§6.4\n"))
    assert keys(reg) == [("error", "bad-month", "cases.csv!C2")]


def test_a_forecast_in_a_unit_it_cannot_read(tmp_path):
    reg = register.read_register(write(tmp_path, "ICT,ICT,Oct 2015,2.202 million,,implemented,,,c,§6.4\n"))
    assert keys(reg) == [("error", "bad-amount", "cases.csv!D2")]
    assert reg.cases[["function", "approved", "status"]].values.tolist() == [["ICT", "2015-10", "implemented"]]
    assert reg.cases.loc[0, "forecast_gbp"] is pd.NA  # the row is kept with no forecast, never a 0
    assert str(reg.cases["forecast_gbp"].dtype) == "Int64"


def test_an_unknown_cause_is_a_warning(tmp_path):
    reg = register.read_register(write(tmp_path, "ICT,ICT,Oct 2015,£2.202m,,implemented,bad luck,,c,§6.4\n"))
    assert keys(reg) == [("warning", "unknown-cause", "cases.csv!G2")]


def test_a_sheet_label_claimed_twice(tmp_path):
    reg = register.read_register(write(tmp_path, GOOD, "IT,ICT,Oct 2015,£1k,,implemented,,,c,§6.4\n"))
    assert keys(reg) == [("error", "label-claimed-twice", "cases.csv!B3")]


def test_a_missing_column_is_an_input_error(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("function,forecast\nICT,£1k\n")
    with pytest.raises(InputError, match="lacks the column"):
        register.read_register(path)


def test_a_missing_register(tmp_path):
    with pytest.raises(InputError, match="business-case register not found"):
        register.read_register(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    "header",
    ['=HYPERLINK("http://evil.example","x")', "owner\u202e", "notes\x1b[2J", ""],
    ids=["a formula", "bidi", "escape", "blank"],
)
def test_a_column_bch_does_not_read_is_a_warning_and_never_read(tmp_path, header):
    """An extra column is named by its header cell, then dropped: its header and cells reach nothing, and the
    known columns' cells keep their Excel references (the extra column counted)."""
    path = tmp_path / "cases.csv"
    quoted = '"' + header.replace('"', '""') + '"'
    path.write_text(
        HEADER.replace("commentary,", f"commentary,{quoted},") + GOOD.replace(",c,", ",c,=cmd|' /C calc'!A0,"),
        encoding="utf-8",
    )
    reg = register.read_register(path)
    assert keys(reg) == [("warning", "unknown-column", "cases.csv!J1")]
    assert "is not one bch reads" in reg.findings[0].message and "\x1b" not in reg.findings[0].message
    assert list(reg.cases.columns) == list(register.CASES.names)
    assert reg.cases.loc[0, "source"] == "§6.4"  # K2, read past the extra column
    assert "cmd" not in reg.cases.to_csv()


def test_a_revisions_column_bch_does_not_read_is_a_warning(tmp_path):
    cases = write(tmp_path, GOOD)
    revisions = tmp_path / "revisions.csv"
    revisions.write_text(
        'function,effective,forecast,"=HYPERLINK(""http://evil.example"",""x"")",reason,source\n'
        "ICT,2019-01-01,£2.0m,=1+1,a Board decision,minute 2019/01\n",
        encoding="utf-8",
    )
    reg = register.read_register(cases, revisions)
    assert keys(reg) == [("warning", "unknown-column", "revisions.csv!D1")]
    assert reg.revisions["forecast_gbp"].tolist() == [2_000_000]
    assert reg.revisions["reason"].tolist() == ["a Board decision"]
    assert reg.revisions["cell"].tolist() == ["revisions.csv!C2"]


@pytest.mark.parametrize("extra", [" forecast", "forecast", "status "])
def test_a_header_written_twice_is_refused_in_one_line_naming_both_cells(tmp_path, extra):
    """` forecast` beside `forecast` would otherwise replace the register's forecasts with its own (£9m for ICT)."""
    path = tmp_path / "cases.csv"
    path.write_text(HEADER.replace("\n", f",{extra}\n") + GOOD.replace("\n", ",£9m\n"), encoding="utf-8")
    with pytest.raises(InputError) as refused:
        register.read_register(path)
    column = {"forecast": "D1", "status": "F1"}[extra.strip()]
    assert str(refused.value) == (
        f"business-case register {path} has two columns headed {extra.strip()!r} "
        f"(cases.csv!{column} and cases.csv!K1); keep one"
    )


def test_a_row_longer_than_the_header_is_refused_not_shifted(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(HEADER + GOOD.replace("\n", ",x\n"), encoding="utf-8")
    with pytest.raises(InputError, match=r"is not a readable CSV \(.*Expected 10 fields in line 2, saw 11\)"):
        register.read_register(path)


def test_a_column_without_a_header_is_named_by_its_letter(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(HEADER.replace("\n", ",\n") + GOOD.replace("\n", ",x\n"), encoding="utf-8")
    reg = register.read_register(path)
    assert keys(reg) == [("warning", "unknown-column", "cases.csv!K1")]
    assert "'(no header, column K)'" in reg.findings[0].message
    assert reg.cases.loc[0, "forecast_gbp"] == 2_202_000


def test_a_register_of_more_cases_than_a_savings_table_may_have_lines_is_refused_in_one_line(tmp_path):
    """10,000 rows (within the CSV cap) ran a pack for 18 minutes at 5 GB: a register is capped at the cases a
    savings table may hold (bch.read.workbook.MAX_FUNCTIONS), one line, before anything else is read."""
    from bch.read import workbook

    assert register.MAX_CASES == workbook.MAX_FUNCTIONS
    rows = [GOOD.replace("ICT,ICT", f"Case {i},Case {i}") for i in range(register.MAX_CASES + 1)]
    path = write(tmp_path, *rows)
    with pytest.raises(InputError) as refused:
        register.read_register(path)
    assert str(refused.value) == (
        f"business-case register {path} has more than 1,000 rows; a file of more is not read "
        "(bch.read.register.MAX_CASES)"
    )
    assert len(register.read_register(write(tmp_path, *rows[:-1])).cases) == register.MAX_CASES
