"""Drift between editions: revisions carried forward, a reverted forecast, a restated year, a workbook adding no
year, and catalogued files edited after they were added. Catalogues are built in temp dirs."""

import datetime as dt
import os

import pandas as pd
import pytest

from bch import adding
from bch.analyse import drift, pipeline
from bch.core import codes
from bch.read import editions
from tests import builders, next_editions

SHIPPED_REGISTER = editions.load().newest().register


def _add(raw, incoming, as_of, later_years, **files):
    """The next edition as at `as_of` (document of the same day): the test workbook with `later_years` more years
    and a line no edition has, so its bytes are no catalogued workbook's."""
    name = f"bch-savings-{as_of}.xlsx"
    savings = files.pop("savings", None) or next_editions.workbook(
        incoming, later_years, name, {"Not in any edition": 1}
    )
    return adding.add(
        raw / "editions.toml", adding.NewEdition(as_of=as_of, title="t", document_date=as_of, savings=savings, **files)
    )


def _found(as_of: str, raw, code: str) -> list[tuple[str, str, str]]:
    analysis = pipeline.analyse(catalogue=raw / "editions.toml", edition=as_of)
    return [(f.severity, f.cell, f.message) for f in analysis.findings if f.code == code]


@pytest.fixture
def raw3(tmp_path):
    return next_editions.raw_folder(tmp_path, 3)


def test_revisions_carry_forward_when_a_new_register_is_given_without_them(raw3, tmp_path):
    register = tmp_path / "register-2021.csv"  # the same cases, written out again by finance
    register.write_bytes(SHIPPED_REGISTER.read_bytes() + b"\n")
    added = _add(
        raw3,
        tmp_path,
        "2021-07-15",
        2,
        register=register,
    )
    assert added.revisions is not None and added.revisions.name == "forecast-revisions.csv"
    analysis = pipeline.analyse(catalogue=raw3 / "editions.toml", edition="2021-07-15")
    ict = analysis.variance.set_index("function").loc["ICT"]
    assert (ict["forecast_gbp"], ict["latest_forecast_gbp"]) == (2_202_000, 1_800_000)
    assert [f for f in analysis.findings if f.code == codes.FORECAST_REVERTED] == []


def test_a_forecast_gone_back_to_a_replaced_value_is_a_warning_naming_the_case(raw3, tmp_path):
    no_revisions = tmp_path / "revisions-2021.csv"
    no_revisions.write_text("function,effective,forecast,reason,source\n", encoding="utf-8")
    _add(
        raw3,
        tmp_path,
        "2021-07-15",
        2,
        revisions=no_revisions,
    )
    assert _found("2021-07-15", raw3, codes.FORECAST_REVERTED) == [
        (
            "warning",
            "'business-cases.csv'!A4",
            "ICT's latest forecast £2,202k is one the edition as at 2020-07-16 had replaced: there it was £1,800k "
            "from 2020-01-01, and no revision dated since says why it went back (a revision left out of this "
            "edition?)",
        )
    ]


def test_a_revision_dated_after_the_earlier_edition_may_go_back(raw3, tmp_path):
    back = tmp_path / "revisions-2021.csv"
    back.write_text(
        next_editions.REVISIONS + "ICT,2021-02,£2.202m,The projects were restarted,Board minute 2021/02\n",
        encoding="utf-8",
    )
    _add(
        raw3,
        tmp_path,
        "2021-07-15",
        2,
        revisions=back,
    )
    assert _found("2021-07-15", raw3, codes.FORECAST_REVERTED) == []


def test_reverted_forecasts_from_tiny_tables():
    cases = pd.DataFrame({"function": ["ICT", "Custody"], "register_cell": ["r!A2", "r!A3"]})
    earlier = {"ict": [(2_202_000, ""), (1_800_000, "2020-01-01")], "custody": [(100, "")]}
    now = {"ict": [(2_202_000, "")], "custody": [(100, "")]}
    found = drift.reverted_forecasts(cases, now, earlier, "2020-07-16", dt.date(2020, 7, 16))
    assert [(f.code, f.cell) for f in found] == [("forecast-reverted", "r!A2")]
    assert drift.reverted_forecasts(cases, earlier, earlier, "2020-07-16", dt.date(2020, 7, 16)) == []


def test_a_year_restated_by_a_deleted_line_is_a_warning_at_the_years_header(tmp_path):
    raw = next_editions.raw_folder(tmp_path, 1)
    book = builders.synthetic_book(
        [*next_editions.SHIPPED_YEARS, "2019/20"],
        {k: [*v, 10] for k, v in next_editions.SHIPPED.items() if k != "Custody"},
        [*next_editions.SHIPPED_COSTS, -400],
    )
    savings = builders.save(book, tmp_path, "bch-savings-2019-07-18.xlsx")
    _add(raw, tmp_path, "2019-07-18", 1, savings=savings)
    assert _found("2019-07-18", raw, codes.YEAR_RESTATED) == [
        (
            "warning",
            "Savings!E2",
            "2017/18's savings total £455k; the edition as at 2018-07-19 stated £547k for it "
            "(no longer a line: Custody)",
        )
    ]


def test_a_workbook_adding_no_year_is_a_warning(tmp_path):
    raw = next_editions.raw_folder(tmp_path, 2)
    _add(
        raw,
        tmp_path,
        "2020-07-16",
        1,
    )
    assert _found("2020-07-16", raw, codes.NO_NEW_YEAR) == [
        (
            "warning",
            "Savings!G2",
            "the workbook's last fiscal year is 2019/20; the edition as at 2019-07-18 already "
            "went to 2019/20: is this last year's workbook?",
        )
    ]


def test_the_catalogue_records_each_files_digest_and_an_edited_file_is_an_error(tmp_path):
    raw = next_editions.raw_folder(tmp_path, 2)
    second = editions.load(raw / "editions.toml").get("2019-07-18")
    assert dict(second.sha256).keys() == {"savings", "register"}
    assert _found("2019-07-18", raw, codes.FILE_CHANGED) == []
    register = raw / "business-cases.csv"
    os.chmod(register, 0o644)
    register.write_bytes(register.read_bytes().replace(b"\xc2\xa32.202m", b"\xc2\xa32.102m"))
    found = _found("2019-07-18", raw, codes.FILE_CHANGED)
    assert [(severity, cell) for severity, cell, _ in found] == [("error", "editions.toml[2019-07-18].register")]
    assert found[0][2].startswith("business-cases.csv has changed since it was catalogued (SHA-256 ")
    assert _found("2018-07-19", raw, codes.FILE_CHANGED)[0][1] == "editions.toml[2018-07-19].register"


@pytest.mark.parametrize(
    ("digests", "message"),
    [
        ('"abc"', "sha256 must be a table of file field = digest"),
        ('{ savings = "abc" }', "sha256.savings must be 64 lower-case hex digits"),
        ('{ notes = "' + "0" * 64 + '" }', "sha256 names 'notes', not one of savings, register, revisions, claims"),
    ],
)
def test_a_malformed_digest_table_is_one_line(tmp_path, digests, message):
    raw = next_editions.raw_folder(tmp_path, 1)
    catalogue = raw / "editions.toml"
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(text[: text.rindex("sha256 =")] + f"sha256 = {digests}\n", encoding="utf-8")
    with pytest.raises(editions.InputError, match=message):
        editions.load(catalogue)
