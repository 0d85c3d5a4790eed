"""Limits a real input never reaches, each refused in one line (exit 2) past it: CSV bytes and rows (register,
revisions, claims), function lines in a workbook, editions in the catalogue."""

import pytest

from bch import cli, paths
from bch.read import csvfiles, editions, workbook
from tests import builders, next_editions

REGISTER_HEADER = (
    "function,sheet_labels,approved,forecast,revised_forecast,status,variance_causes,dependency,commentary,source\n"
)
REGISTER_ROW = "ICT,ICT,Oct 2015,£2.202m,,implemented,demand change,,c,§6.4\n"
CSVS = {
    "register": ("business-case register", REGISTER_HEADER, REGISTER_ROW),
    "revisions": ("forecast revisions", "function,effective,forecast,reason,source\n", "ICT,2020-01,£1.8m,r,s\n"),
    "claims": ("paper claims", "paragraph,quote,metric,amount\n", "5.2,q,recurrent_total,£6.151m\n"),
}


def run_check(capsys, *argv) -> tuple[int, str]:
    code = cli.main(["check", *argv])
    return code, capsys.readouterr().err


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("option", CSVS)
def test_a_csv_of_more_rows_than_the_cap_is_refused(option, tmp_path, capsys):
    what, header, row = CSVS[option]
    path = tmp_path / f"{option}.csv"
    # a register is capped at the cases a savings table may hold; the other CSVs at MAX_CSV_ROWS
    most, declared = (1_000, "register.MAX_CASES") if option == "register" else (10_000, "csvfiles.MAX_CSV_ROWS")
    path.write_text(header + row * (most + 1), encoding="utf-8")
    code, err = run_check(capsys, f"--{option}", str(path))
    assert code == 2
    assert one_line(err) == (
        f"bch: error: {what} {path} has more than {most:,} rows; a file of more is not read (bch.read.{declared})\n"
    )


def test_a_csv_at_the_row_cap_is_read(tmp_path, capsys):
    path = tmp_path / "claims.csv"
    header, row = CSVS["claims"][1:]
    path.write_text(header + row * csvfiles.MAX_CSV_ROWS, encoding="utf-8")
    assert len(csvfiles.read_text_table(path, ["amount"], "paper claims")) == csvfiles.MAX_CSV_ROWS


@pytest.mark.parametrize("option", CSVS)
def test_a_csv_of_more_bytes_than_the_cap_is_refused(option, tmp_path, capsys, monkeypatch):
    what, header, row = CSVS[option]
    path = tmp_path / f"{option}.csv"
    path.write_text(header + row * 400, encoding="utf-8")
    size = path.stat().st_size
    # the catalogue's own register and claims are read too: the cap stays above them
    assert all(shipped.stat().st_size < size - 1 for shipped in paths.RAW.glob("*.csv"))
    monkeypatch.setattr(csvfiles, "MAX_CSV_BYTES", size - 1)  # the cap as the file's size less one: no huge file
    code, err = run_check(capsys, f"--{option}", str(path))
    assert code == 2
    assert one_line(err) == (
        f"bch: error: {what} {path} is {size:,} bytes; a file of more than {size - 1:,} is not read "
        "(bch.read.csvfiles.MAX_CSV_BYTES)\n"
    )


def test_the_byte_cap_is_ten_mebibytes():
    assert csvfiles.MAX_CSV_BYTES == 10 * 2**20


def test_a_workbook_of_more_function_lines_than_the_cap_is_refused(tmp_path, capsys):
    savings = builders.save(builders.big_table(workbook.MAX_FUNCTIONS + 1), tmp_path)
    for command in (["check"], ["pack", "--out", str(tmp_path / "packs")]):
        code = cli.main([*command, "--savings", str(savings), "--as-of", "2018-07-19"])
        assert code == 2
        assert one_line(capsys.readouterr().err) == (
            "bch: error: savings.xlsx has more than 1,000 function lines (the next at Savings!A1003); "
            "a savings table of more is not read (bch.read.workbook.MAX_FUNCTIONS)\n"
        )
    assert not (tmp_path / "packs").exists()


def test_a_catalogue_of_more_editions_than_the_cap_is_refused(tmp_path, capsys):
    catalogue = tmp_path / "editions.toml"
    entry = '[[edition]]\nas_of = 2018-07-19\ntitle = "t"\n\n'
    catalogue.write_text(entry * (editions.MAX_EDITIONS + 1), encoding="utf-8")
    code, err = run_check(capsys, "--catalogue", str(catalogue))
    assert code == 2
    assert one_line(err) == (
        f"bch: error: editions catalogue {catalogue} lists 201 editions; a catalogue of more than 200 is not read "
        "(bch.read.editions.MAX_EDITIONS)\n"
    )


def test_the_shipped_inputs_are_far_inside_the_limits():
    assert (paths.RAW / "business-cases.csv").stat().st_size < csvfiles.MAX_CSV_BYTES // 1000
    assert len(editions.load().editions) < editions.MAX_EDITIONS


def test_an_edition_past_the_cap_is_refused_before_anything_is_copied(tmp_path, capsys, monkeypatch):
    raw = next_editions.raw_folder(tmp_path, 2)
    monkeypatch.setattr(editions, "MAX_EDITIONS", 2)
    before = builders.tree_digest(raw)
    workbook = next_editions.workbook(tmp_path, 2, "bch-savings-2020-07-16.xlsx")
    argv = ["edition", "--catalogue", str(raw / "editions.toml"), "add", "--as-of", "2020-07-16"]
    argv += ["--savings", str(workbook), "--title", "t", "--document-date", "2020-07-16"]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == (
        f"bch: error: {raw / 'editions.toml'} already lists 2 editions, the most a catalogue may hold "
        "(bch.read.editions.MAX_EDITIONS); start a new catalogue for the next ones\n"
    )
    assert builders.tree_digest(raw) == before


def test_a_table_of_endless_repeats_of_one_label_is_refused_not_read_as_findings(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_TABLE_ROWS", 30)
    book = builders.shipped_book()
    ws = book["Savings"]
    ws.insert_rows(6, 40)
    for row in range(6, 46):
        ws.cell(row, 1, "ICT")  # a duplicate label each: refused rows, each a finding, until the cap
        ws.cell(row, 2, 1)
    savings = builders.save(book, tmp_path)
    code, err = run_check(capsys, "--savings", str(savings), "--as-of", "2018-07-19")
    assert code == 2
    assert one_line(err) == (
        "bch: error: savings.xlsx has more than 30 rows in its table (the next at Savings!A33); a savings table of "
        "more is not read (bch.read.workbook.MAX_TABLE_ROWS)\n"
    )
