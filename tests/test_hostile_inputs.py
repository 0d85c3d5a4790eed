"""Hostile inputs, one test per case: each names the exact finding (severity, code, cell) or one-line error."""

import os
import shutil
import zipfile
from io import StringIO

import pandas as pd
import pytest

from bch import cli
from bch.analyse import pipeline, summary, tables
from bch.core import labels, money, writers
from bch.core.errors import InputError
from bch.read import cellvalues, csvfiles, sheet, workbook, xlsxsafe
from tests import builders

SHIPPED_WARNING = ("warning", "blank-total", "Savings!B13")
MERGE_F5_G5 = b'<mergeCells count="1"><mergeCell ref="F5:G5"/></mergeCells>'
NOT_REGULAR = "is not a regular file (a pipe, device or socket is never read)"


def check(path):
    sheet, findings = pipeline.check_savings(path)
    return sheet, [(f.severity, f.code, f.cell) for f in findings], findings


def refused(path) -> str:
    with pytest.raises(InputError) as caught:
        workbook.read_savings(path)
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- 1. cost follows the data, not the file ------------------------------------------------------------
def test_an_archive_expanding_past_the_cap_is_refused_from_its_directory(tmp_path):
    path = builders.add_part(
        builders.save(builders.shipped_book(), tmp_path), "xl/big.xml", 4 * xlsxsafe.MAX_UNCOMPRESSED_BYTES
    )
    total = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    assert refused(path) == (
        f"{path} would expand to {total:,} bytes; more than the 67,108,864 a workbook may "
        "(bch.read.xlsxsafe.MAX_UNCOMPRESSED_BYTES)"
    )


def test_a_part_compressed_past_the_ratio_is_refused(tmp_path):
    path = builders.add_part(builders.save(builders.shipped_book(), tmp_path), "xl/zeros.xml", 4 * 2**20)
    info = zipfile.ZipFile(path).getinfo("xl/zeros.xml")
    assert refused(path) == (
        f"{path}: part 'xl/zeros.xml' would expand {info.file_size // info.compress_size:,}-fold "
        f"({info.compress_size:,} to {info.file_size:,} bytes); more than the 100-fold a part may "
        "(bch.read.xlsxsafe.MAX_RATIO)"
    )


def test_formatting_without_values_down_to_row_10000_changes_nothing(tmp_path):
    path = builders.formatted_down_to(builders.save(builders.shipped_book(), tmp_path), 10_000)
    sheet, keys, _ = check(path)
    assert keys == [SHIPPED_WARNING]
    assert summary.headline_totals(sheet)["recurrent_gbp"] == 6_151_000


def test_a_stray_value_far_below_the_table_is_named(tmp_path):
    book = builders.shipped_book()
    book.active["C100000"] = 7
    _, keys, findings = check(builders.save(book, tmp_path))
    assert keys == [("error", "value-outside-table", "Savings!C100000"), SHIPPED_WARNING]
    assert findings[0].message == "7 stands below the notes (after 99,979 blank rows); it is not counted"


def test_a_value_in_the_sheets_last_cell_is_named(tmp_path):
    book = builders.shipped_book()
    book.active["XFD1048576"] = "x"
    _, keys, _ = check(builders.save(book, tmp_path))
    assert keys == [("error", "value-outside-table", "Savings!XFD1048576"), SHIPPED_WARNING]


def test_a_value_right_of_the_notes_is_named(tmp_path):
    book = builders.shipped_book()
    book.active["Z17"] = 12
    sheet, keys, findings = check(builders.save(book, tmp_path))
    assert keys == [("error", "value-outside-table", "Savings!Z17"), SHIPPED_WARNING]
    assert findings[0].message == "12 stands beyond the table's last column, beside the notes; it is not counted"
    assert len(sheet.notes) == 5


def test_a_table_that_ends_in_a_long_gap_reads_what_is_below_as_outside(tmp_path):
    book = builders.synthetic_book(builders.fiscal_years(2014, 2), {"ICT": [1, 2]}, costs=[-1, -1])
    ws = book.active
    ws.delete_rows(10, 3)  # no Notes: the table ends at its last row
    ws["A40"] = "Old ICT"
    ws["B40"] = 5
    _, keys, findings = check(builders.save(book, tmp_path))
    assert keys == [("error", "value-outside-table", "Savings!A40"), ("error", "value-outside-table", "Savings!B40")]
    assert findings[0].message == "'Old ICT' stands below the end of the table (after 31 blank rows); it is not counted"


def test_many_stray_values_are_named_up_to_a_limit_then_counted(tmp_path):
    book = builders.shipped_book()
    for row in range(3, 63):
        book.active[f"K{row}"] = row
    _, _, findings = check(builders.save(book, tmp_path))
    strays = [f for f in findings if f.code == "value-outside-table"]
    assert len(strays) == cellvalues.MAX_STRAY_FINDINGS + 1
    assert strays[-1].cell == "Savings!K53"
    assert strays[-1].message == "10 more cells from here on hold values outside the table; none is counted"


def test_a_declared_dimension_of_the_whole_sheet_is_not_relied_on(tmp_path):
    path = builders.declare_dimension(builders.save(builders.shipped_book(), tmp_path))
    assert b'<dimension ref="A1:XFD1048576"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    sheet, keys, _ = check(path)
    assert keys == [SHIPPED_WARNING]
    assert summary.headline_totals(sheet)["recurrent_gbp"] == 6_151_000


def test_a_table_of_as_many_rows_as_the_cap_reads_and_foots(tmp_path):
    """Correctness at size (the function-line cap, bch.read.workbook.MAX_FUNCTIONS); speed is
    benchmarks/bench_large.py's."""
    sheet, keys, _ = check(builders.save(builders.big_table(1_000), tmp_path))
    assert keys == []
    assert len(sheet.functions) == 1_000
    assert sheet.functions["label_cell"].iloc[-1] == "Savings!A1002"


def test_more_filled_cells_than_the_cap_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsxsafe, "MAX_FILLED_CELLS", 40)
    path = builders.save(builders.shipped_book(), tmp_path)
    assert refused(path) == (
        f"{path}: sheet 'Savings' holds more than 40 filled cells; a savings table has a few hundred "
        "(bch.read.xlsxsafe.MAX_FILLED_CELLS)"
    )


def test_a_hidden_column_is_still_found_in_read_only_mode(tmp_path):
    book = builders.shipped_book()
    book.active.column_dimensions["C"].hidden = True
    _, keys, _ = check(builders.save(book, tmp_path))
    assert keys == [("warning", "hidden-column", "Savings!C2"), SHIPPED_WARNING]


def test_values_in_merged_away_cells_read_as_blank(tmp_path):
    path = builders.save(builders.shipped_book(), tmp_path)
    builders.rewrite_part(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="F5:G5"/></mergeCells>'
        ),
    )
    sheet, keys, _ = check(path)
    assert keys[0] == ("warning", "merged-cells", "Savings!F5")
    assert ("error", "row-total", "Savings!G5") not in keys  # G5 reads blank, so ICT's total is not stated
    assert sheet.functions.set_index("function").loc["ICT", "total_status"] == "blank"


# -- 2. reader faults are one line, exit 2 ------------------------------------------------------------
def test_malformed_sheet_xml_is_one_line_exit_2(tmp_path, capsys):
    path = builders.rewrite_part(
        builders.save(builders.shipped_book(), tmp_path), "xl/worksheets/sheet1.xml", lambda xml: xml[: len(xml) // 2]
    )
    assert cli.main(["check", "--json", "--savings", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(
        f"bch: error: {path} is not a readable .xlsx workbook: sheet 'Savings' (xl/worksheets/sheet1.xml) "
        "could not be read (ParseError: no element found: line 1, column "
    )


def test_a_part_openpyxl_cannot_parse_is_one_line(tmp_path):
    path = builders.rewrite_part(
        builders.save(builders.shipped_book(), tmp_path),
        "xl/styles.xml",
        lambda xml: xml.replace(b"<cellXfs", b'<numFmts><numFmt numFmtId="x" formatCode="0"/></numFmts><cellXfs', 1),
    )
    assert refused(path) == (
        f"{path} is not a readable .xlsx workbook: the workbook's structure (workbook, styles, shared strings) "
        "could not be read (TypeError: expected <class 'int'>)"
    )


def test_a_document_type_declaration_is_refused(tmp_path):
    path = builders.rewrite_part(
        builders.save(builders.shipped_book(), tmp_path),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<worksheet", b"<!DOCTYPE worksheet><worksheet", 1),
    )
    assert refused(path) == (
        f"{path} is not a readable .xlsx workbook: sheet 'Savings' (xl/worksheets/sheet1.xml) could not be read "
        "(ValueError: the part declares a document type (<!DOCTYPE>), which no worksheet has)"
    )


def test_an_encrypted_workbook_is_named_as_such(tmp_path):
    path = tmp_path / "savings.xlsx"
    path.write_bytes(xlsxsafe.OLE2_SIGNATURE + bytes(504))
    assert refused(path) == (
        f"{path} is a password-protected (encrypted) workbook or a legacy .xls; "
        "save it from Excel as an unprotected .xlsx"
    )


def test_a_fifo_is_refused_without_blocking(tmp_path):
    path = tmp_path / "savings.xlsx"
    os.mkfifo(path)
    assert refused(path) == f"savings workbook {path} {NOT_REGULAR}"


def test_a_device_is_refused():
    assert (
        refused("/dev/zero")
        == "savings workbook /dev/zero is not a regular file (a pipe, device or socket is never read)"
    )


# -- 3. no amount past the credible cap, no sum that wraps ---------------------------------------------
@pytest.mark.parametrize(
    ("written", "message"),
    [
        (10**16, "'1e+16' comes to more than £1,000,000,000,000, which is not a credible amount"),
        (1e308, "'1e+308' comes to more than £1,000,000,000,000, which is not a credible amount"),
        ("£99999999999bn", "'£99999999999bn' comes to more than £1,000,000,000,000, which is not a credible amount"),
    ],
)
def test_a_huge_value_is_an_error_naming_its_cell(tmp_path, written, message):
    book = builders.shipped_book()
    book.active["C5"] = written
    sheet, keys, findings = check(builders.save(book, tmp_path))
    assert keys == [("error", "not-money", "Savings!C5"), SHIPPED_WARNING]
    assert findings[0].message == f"{message}; it is not counted (a non-figure is never read as 0)"
    assert summary.headline_totals(sheet)["recurrent_gbp"] is None


def test_the_cap_itself_is_accepted_and_one_pound_more_refused():
    assert money.parse_amount("£1,000,000,000,000").pounds == money.MAX_CREDIBLE_GBP
    assert money.number_to_pounds(-(10**9), 1000) == -money.MAX_CREDIBLE_GBP
    with pytest.raises(money.MoneyError, match="comes to more than £1,000,000,000,000"):
        money.parse_amount("£1,000,000,000,001")
    with pytest.raises(money.MoneyError, match="comes to more than"):
        money.number_to_pounds(10**5000)


def test_thirty_nines_after_the_point_are_not_rounded_to_a_pound():
    with pytest.raises(money.MoneyError, match="not a whole number of pounds"):
        money.parse_amount("0." + "9" * 30)


def test_two_huge_line_items_sum_exactly(tmp_path):
    big = money.MAX_CREDIBLE_GBP - 1
    book = builders.synthetic_book(builders.fiscal_years(2014, 1), {"A": [big], "B": [big]}, costs=[-1])
    book.active["C2"] = "Total £"
    for cell in ("C3", "C4", "B5", "C5", "B6", "B7"):
        book.active[cell] = None  # stated totals blank
    sheet, _, _ = check(builders.save(book, tmp_path))
    assert summary.headline_totals(sheet)["recurrent_gbp"] == 2 * big


def test_sums_past_int64_stay_exact_python_ints():
    lines = pd.DataFrame(
        {
            "function": ["A", "A"],
            "fiscal_year": ["2014/15", "2014/15"],
            "saving_gbp": pd.array([2**62, 2**62], dtype="Int64"),
            "status": ["value", "value"],
        }
    )
    assert summary.sum_savings(lines) == 2**63
    assert sheet.sums_by(lines, "function", ["A"], "function")["A"] == 2**63


# -- 4. hostile text in labels -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "shown", "found"),
    [
        ("IC\u202eT", "IC⟨U+202E⟩T", ["U+202E"]),
        ("ICT\x1b[31m", "ICT⟨ESC⟩[31m", ["ESC"]),
        ("a\x00b", "a⟨NUL⟩b", ["NUL"]),
        ("a\r\nb\tc", "a⟨CR⟩⟨LF⟩b⟨TAB⟩c", ["CR", "LF", "TAB"]),
        (
            "\u200bICT\ufeff\u2066\u061c\x85",
            "⟨U+200B⟩ICT⟨U+FEFF⟩⟨U+2066⟩⟨U+061C⟩⟨U+0085⟩",
            ["U+200B", "U+FEFF", "U+2066", "U+061C", "U+0085"],
        ),
        ("ICT £541k – ok", "ICT £541k – ok", []),
        ("ICT\u2060", "ICT⟨U+2060⟩", ["U+2060"]),  # looks exactly like "ICT"
        ("Cus\u00adtody\u180e", "Cus⟨U+00AD⟩tody⟨U+180E⟩", ["U+00AD", "U+180E"]),
        ("a\u2061\u2062\u2063\u2064b", "a⟨U+2061⟩⟨U+2062⟩⟨U+2063⟩⟨U+2064⟩b", ["U+2061", "U+2062", "U+2063", "U+2064"]),
        (
            "HR\U000e0001\U000e0041\U000e0000\U000e007f",
            "HR⟨U+E0001⟩⟨U+E0041⟩⟨U+E0000⟩⟨U+E007F⟩",
            ["U+E0001", "U+E0041", "U+E0000", "U+E007F"],
        ),
        (
            "a\u2028b\u2029\ue000\U000f0000",
            "a⟨U+2028⟩b⟨U+2029⟩⟨U+E000⟩⟨U+F0000⟩",
            ["U+2028", "U+2029", "U+E000", "U+F0000"],
        ),
        ("caf\u00e9\u00a0\u202f£5 – 😀", "caf\u00e9\u00a0\u202f£5 – 😀", []),  # unprintable spaces are not hostile
    ],
)
def test_neutralise_and_hostile_characters(text, shown, found):
    assert labels.neutralise(text) == shown
    assert labels.hostile_characters(text) == found


def test_a_bidi_override_in_a_label_is_shown_and_named(tmp_path):
    book = builders.shipped_book()
    book.active["A5"] = "IC\u202eT"
    sheet, keys, findings = check(builders.save(book, tmp_path))
    assert keys == [("warning", "hostile-text", "Savings!A5"), SHIPPED_WARNING]
    assert findings[0].message == (
        "the label holds U+202E, which can reverse, hide or forge text; read as 'IC⟨U+202E⟩T'"
    )
    assert list(sheet.functions["function"])[2] == "IC⟨U+202E⟩T"


def test_a_newline_in_a_label_cannot_forge_a_report_line(tmp_path, capsys):
    book = builders.shipped_book()
    book.active["A7"] = "Custody\nERROR [fake] all figures wrong"
    path = builders.save(book, tmp_path)
    _, keys, _ = check(path)
    assert keys == [("warning", "hostile-text", "Savings!A7"), SHIPPED_WARNING]
    cli.main(["check", "--savings", str(path)])
    out = capsys.readouterr().out
    assert not any(line.startswith("ERROR [fake]") for line in out.splitlines())
    assert "Custody⟨LF⟩ERROR [fake] all figures wrong" in out


def test_a_hostile_notes_line_is_shown_and_named(tmp_path):
    book = builders.shipped_book()
    book.active["A17"] = "See\u2067 note"
    sheet, keys, _ = check(builders.save(book, tmp_path))
    assert keys == [("warning", "hostile-text", "Savings!A17"), SHIPPED_WARNING]
    assert sheet.notes[1] == "See⟨U+2067⟩ note"


def test_hostile_text_in_a_hand_kept_csv_is_shown_and_named(tmp_path):
    path = tmp_path / "business-cases.csv"
    path.write_text("function,commentary\nICT,fine\nCust\u202eody,\x1b[2Jgone\n", encoding="utf-8")
    frame = csvfiles.read_text_table(path, ["function", "commentary"], "business-case register")
    safe, findings = csvfiles.neutralise_frame(frame, path, "business-case register")
    assert [(f.severity, f.code, f.cell) for f in findings] == [
        ("warning", "hostile-text", "'business-cases.csv'!A3"),
        ("warning", "hostile-text", "'business-cases.csv'!B3"),
    ]
    assert findings[1].message == (
        "business-case register: commentary holds ESC, which can reverse, hide or forge text; read as '⟨ESC⟩[2Jgone'"
    )
    assert list(safe["function"]) == ["ICT", "Cust⟨U+202E⟩ody"]
    assert frame.loc[1, "function"] == "Cust\u202eody"  # the frame given is left as it was


# -- 5. CSV formula injection --------------------------------------------------------------------------
def test_formula_like_text_is_defused_and_numbers_stay_numbers():
    frame = pd.DataFrame(
        {
            "label": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "ICT", None],
            "saving_gbp": pd.array([-795_000, 1, 2, 3, 4, 5, 6, None], dtype="Int64"),
        }
    )
    assert writers.csv_text(frame) == (
        "label,saving_gbp\n"
        '"\'=HYPERLINK(""http://x"")",-795000\n'
        "'+1,1\n'-2,2\n'@SUM(A1),3\n'\tTAB,4\n\"'\nCR\",5\nICT,6\n,\n"
    )  # a CR becomes a quoted LF: unquoted, a reader would take it for a row break


def test_a_formula_label_lands_defused_in_the_tidy_csv(tmp_path):
    book = builders.shipped_book()
    book.active["A5"] = "=cmd|' /C calc'!A0"
    book.active["A5"].data_type = "s"  # typed text, as a hostile sheet holds it, not a formula
    path = builders.save(book, tmp_path)
    sheet, _, _ = check(path)
    written = writers.write_csv(sheet.tidy(), tmp_path / "savings-tidy.csv")
    text = written.read_text(encoding="utf-8")
    assert "'=cmd|' /C calc'!A0,2015/16,541000,Savings!C5" in text
    assert "\n=" not in text


def test_as_text_equals_what_write_csv_wrote(tmp_path):
    frame = pd.DataFrame(
        {"label": ["=1+2", "-£795k", "ok", None], "amount": pd.array([-795_000, None, 1, 2], dtype="Int64")}
    )
    writers.write_csv(frame, tmp_path / "t.csv")
    read = tables.read(tmp_path, "t")
    pd.testing.assert_frame_equal(read, tables.as_text(frame))
    assert list(read["amount"]) == ["-795000", "", "1", "2"]
    assert list(pd.read_csv(StringIO(writers.csv_text(frame)), dtype=str, keep_default_na=False)["label"]) == [
        "'=1+2",
        "'-£795k",
        "ok",
        "",
    ]


def test_the_shipped_workbook_reads_as_before(tmp_path):
    path = shutil.copy(builders.save(builders.shipped_book(), tmp_path), tmp_path / "copy.xlsx")
    sheet, keys, _ = check(path)
    assert keys == [SHIPPED_WARNING]
    assert summary.headline_totals(sheet)["recurrent_gbp"] == 6_151_000


def _with_sheet_xml(tmp_path, edit):
    """The shipped workbook with its sheet's XML edited (what openpyxl would never write)."""
    base = builders.save(builders.shipped_book(), tmp_path, "base.xlsx")
    path = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            dst.writestr(info, data)
    return path


@pytest.mark.parametrize("first", ["-1", "0"])
def test_a_hidden_col_span_from_before_column_a_names_only_real_columns(tmp_path, first):
    cols = f'<cols><col min="{first}" max="2" hidden="1"/></cols><sheetData'
    path = _with_sheet_xml(tmp_path, lambda xml: xml.replace("<sheetData", cols, 1))
    _, findings = pipeline.check_savings(path)
    hidden = [(f.severity, f.code, f.cell, f.message) for f in findings if f.code == "hidden-column"]
    assert hidden == [
        ("warning", "hidden-column", "Savings!A2", "column A is hidden; it is still read"),
        ("warning", "hidden-column", "Savings!B2", "column B is hidden; it is still read"),
    ]


def test_a_cell_counted_past_column_zzz_is_one_line(tmp_path):
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * 18_279
    path = _with_sheet_xml(tmp_path, lambda xml: xml.replace("</sheetData>", f'<row r="40">{cells}</row></sheetData>'))
    with pytest.raises(InputError) as raised:
        pipeline.check_savings(path)
    assert str(raised.value) == (
        f"{path} is not a readable .xlsx workbook: sheet 'Savings' (xl/worksheets/sheet1.xml) could not be read "
        "(ValueError: row 40 has a cell past column ZZZ, the last a reference can name)"
    )


# -- 5. hostile headers in the claims CSV ----------------------------------------------------------------------
FORMULA_HEADER = '=HYPERLINK("http://evil.example","x")'


def hostile_claims(tmp_path, header: str):
    """The claims CSV with one column more than bch reads, placed between two it reads, headed `header`."""
    path = tmp_path / "claims.csv"
    quoted = '"' + header.replace('"', '""') + '"'
    row = "§5.3,v,an ongoing saving,total:recurrent,£6.15m"
    path.write_text(f"paragraph,{quoted},quote,metric,amount\n{row}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        (FORMULA_HEADER, FORMULA_HEADER),
        ("note\u202e", "note⟨U+202E⟩"),
        ("z\u200bw", "z⟨U+200B⟩w"),
        ("e\x1b[2Jsc", "e⟨ESC⟩[2Jsc"),
    ],
    ids=["formula", "bidi", "zero-width", "escape"],
)
def test_a_claims_column_bch_does_not_read_is_dropped_with_a_warning(tmp_path, header, shown):
    from bch.read import claims

    frame, found = claims.read_claims(hostile_claims(tmp_path, header))
    assert list(frame.columns) == ["paragraph", "quote", "metric", "amount", "claimed_gbp", "cell", "metric_cell"]
    assert [(f.severity, f.code, f.cell, f.message) for f in found] == [
        (
            "warning",
            "unknown-column",
            "claims.csv!B1",
            f"paper claims: the column {shown!r} is not one bch reads (paragraph, quote, metric, amount); dropped",
        )
    ]
    assert (frame.loc[0, "cell"], frame.loc[0, "metric_cell"]) == ("claims.csv!E2", "claims.csv!D2")  # as in Excel


def test_a_formula_header_reaches_neither_the_workbook_nor_claims_csv(tmp_path):
    import openpyxl

    from bch.present import excel, workbook

    analysis = pipeline.analyse(paper_claims=hostile_claims(tmp_path, FORMULA_HEADER))
    written = excel.write_workbook(analysis, tmp_path / "bch-pack.xlsx")
    header = [c.value for c in openpyxl.load_workbook(written)["Claims"][1]]
    assert header == [workbook.heading(c) for c in tables.pack_tables(analysis)["claims"].columns]
    assert FORMULA_HEADER not in writers.csv_text(tables.pack_tables(analysis)["claims"])


def test_a_header_is_text_like_any_cell_in_the_workbook_and_csv():
    import io

    import openpyxl
    from openpyxl.styles import Font

    from bch.present import excel

    frame = pd.DataFrame({FORMULA_HEADER: ["a"], "e\x1bsc\u202e": ["b"], "amount_gbp": pd.array([1], dtype="Int64")})
    assert writers.csv_text(frame) == (
        '"\'=HYPERLINK(""http://evil.example"",""x"")",e\x1bsc\u202e,amount_gbp\na,b,1\n'
    )
    book = openpyxl.Workbook()
    excel._write_sheet(book.active, frame, Font(bold=True))  # ESC in a header: no IllegalCharacterError
    saved = io.BytesIO()
    book.save(saved)
    header = openpyxl.load_workbook(saved).active[1]
    assert [(c.value, c.data_type, c.quotePrefix) for c in header] == [
        (FORMULA_HEADER, "s", True),
        ("E⟨ESC⟩sc⟨U+202E⟩", "s", False),  # headers in words: the first letter capitalised, the rest as typed
        ("Amount (£)", "s", False),
    ]


def test_a_path_with_controls_is_one_neutralised_error_line(tmp_path, capsys):
    path = tmp_path / "a\nb\x1b[31m\u202e.xlsx"
    assert cli.main(["check", "--savings", str(path)]) == 2
    assert capsys.readouterr().err == f"bch: error: --savings: no such file {tmp_path}/a⟨LF⟩b⟨ESC⟩[31m⟨U+202E⟩.xlsx\n"
