"""`bch pack` refuses a savings layout it can't read before any kernel starts: one line naming the finding,
exit 2, no failed/ folder, nothing published (`bch.publish.pack._before_any_kernel`)."""

import openpyxl
import pytest

from bch import cli
from tests import builders

PREFIX = "bch: error: savings.xlsx is a layout bch can't read, so no pack is made (bch check lists every finding): "


def _duplicate_year(book, ws):
    ws["D2"] = "2015/16"


def _broken_sequence(book, ws):
    ws["D2"] = "2017/18"
    ws["E2"] = "2016/17"


def _unknown_unit(book, ws):
    ws["G2"] = "Total $'000"


def _no_unit(book, ws):
    ws["G2"] = "Total"
    ws["A1"] = "BCH Cost/Savings"


def _no_label_column(book, ws):
    ws.delete_cols(1)


def _shipped_with(change):
    book = builders.shipped_book()
    change(book, book["Savings"])
    return book


def _no_header():
    book = openpyxl.Workbook()
    book.active["A1"] = "Savings"
    book.active["B2"] = "2014"
    return book


def _no_functions():
    return builders.synthetic_book(builders.fiscal_years(2014, 5), {}, [-1, -1, -1, -1, -1])


CASES = {
    "no-header": (
        _no_header,
        "ERROR [no-header] Sheet!A1: sheet 'Sheet' has no header row of fiscal years (2014/15, 2015/16, …)",
    ),
    "duplicate-year": (
        lambda: _shipped_with(_duplicate_year),
        "ERROR [duplicate-year] Savings!D2: fiscal year 2015/16 appears twice in the header (Savings!C2 and here)",
    ),
    "year-sequence": (
        lambda: _shipped_with(_broken_sequence),
        "ERROR [year-sequence] Savings!D2: header year 2017/18 does not follow 2015/16 in the next column "
        "(expected 2016/17); years must be consecutive",
    ),
    "no-label-column": (
        lambda: _shipped_with(_no_label_column),
        "ERROR [no-label-column] Savings!A2: the header's first year has no label column to its left",
    ),
    "unknown-unit": (
        lambda: _shipped_with(_unknown_unit),
        "ERROR [unknown-unit] Savings!G2: the header's unit \"$'000\" (in \"Total $'000\") is not one of £, £'000, "
        "£k, £m",
    ),
    "no-unit": (
        lambda: _shipped_with(_no_unit),
        'ERROR [no-unit] Savings!G2: the header states no unit (such as "Total £\'000")',
    ),
    "empty-sheet": (openpyxl.Workbook, "ERROR [empty-workbook] Sheet!A1: sheet 'Sheet' of savings.xlsx is empty"),
    "no-functions": (
        _no_functions,
        "ERROR [no-functions] Savings!B2:F2: the table has no function rows above its totals",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_layout_bch_cant_read_is_refused_before_a_kernel(case, tmp_path, capsys):
    build, finding = CASES[case]
    savings = builders.save(build(), tmp_path)
    out = tmp_path / "packs"
    code = cli.main(["pack", "--savings", str(savings), "--as-of", "2018-07-19", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == PREFIX + finding + "\n"
    assert not (out / "failed").exists()
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]
