"""The analysts' outputs: bch-pack.xlsx in every pack, and DIR/index.html listing every pack."""

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from bch.analyse import pipeline, reconcile
from bch.core.digest import sha256
from bch.present import excel, workbook
from bch.publish import packindex, verify
from tests import builders

SOURCE = "bch-savings-2018-07-19.xlsx"  # the workbook every cell reference names
HOSTILE_LABEL = '=HYPERLINK("http://x","y")'
XSS = "<img src=x onerror=alert(1)>"
LOADS = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)


@pytest.fixture
def packs(two_editions):
    """The shipped edition's pack, then the next edition's, in one output folder (read only)."""
    return two_editions


def rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def column(ws, name: str) -> str:
    return next(c.column_letter for c in ws[1] if c.value == name)


def no_formulas(path: Path) -> list[str]:
    """Every cell openpyxl reads as a formula, and every worksheet part with an <f> element."""
    book = openpyxl.load_workbook(path, data_only=False)
    found = [f"{ws.title}!{c.coordinate}" for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(path) as archive:
        found += [
            n for n in archive.namelist() if n.startswith("xl/worksheets/") and re.search(rb"<f[\s>/]", archive.read(n))
        ]
    return found


# -- bch-pack.xlsx ----------------------------------------------------------------------------------


def test_every_pack_holds_the_workbook_and_its_manifest_hashes_it(packs):
    for folder in (packs["first"], packs["second"]):
        record = json.loads((folder / "manifest.json").read_text())
        entry = next(e for e in record["outputs"] if e["path"] == "bch-pack.xlsx")
        assert entry["sha256"] == sha256(folder / "bch-pack.xlsx")
        assert verify.verify(folder) == []
        assert "bch-pack.xlsx" in (folder / "index.html").read_text()
        assert not [p.name for p in folder.iterdir() if p.name.startswith(".bch-pack.xlsx.")]  # no temp file left
    sheets = ["Variance", "Savings", "By year", "Change-team costs", "Findings", "Claims", "Headlines"]
    assert openpyxl.load_workbook(packs["first"] / "bch-pack.xlsx").sheetnames == [*sheets, "About"]
    second = openpyxl.load_workbook(packs["second"] / "bch-pack.xlsx")  # from a second edition: the trend, the changes
    assert second.sheetnames == [*sheets, "Trend", "Changes since the last pack", "About"]
    trend = rows(second["Trend"])
    assert {r["As at"] for r in trend} == {dt.datetime(2018, 7, 19), dt.datetime(2019, 7, 18)}  # dates, not text
    ict = [r for r in trend if r["Function"] == "ICT"]
    assert (ict[0]["Actual (£)"], ict[0]["Delivery (%)"]) == (1501000, pytest.approx(0.682))
    changes = rows(second["Changes since the last pack"])
    assert set(changes[0]) == {"Kind", "Item", "Before", "After", "Before (£)", "After (£)"}
    hr = next(c for c in changes if c["Item"] == "HR 2019/20")  # as the board pack shows it, and exact
    assert (hr["Kind"], hr["Before"], hr["After"], hr["Before (£)"], hr["After (£)"]) == (
        "actual added",
        "–",
        "£150k",
        None,
        150000,
    )


def test_the_variance_sheet_keeps_money_as_pounds_with_a_pound_format(packs):
    ws = openpyxl.load_workbook(packs["first"] / "bch-pack.xlsx")["Variance"]
    assert [c.value for c in ws[1]] == [workbook.heading(c) for c in reconcile.COLUMNS]  # headers in words
    assert ws["D1"].value == "Forecast (£)" and ws["P1"].value == "RAG"
    ict = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "ICT")
    cells = {name: cell for name, cell in zip(reconcile.COLUMNS, ict, strict=True)}
    for name, pounds in (("forecast_gbp", 2202000), ("actual_gbp", 1501000), ("variance_gbp", -701000)):
        assert type(cells[name].value) is int and cells[name].value == pounds, name
        assert cells[name].number_format == '"£"#,##0;-"£"#,##0', name
    assert cells["revised_forecast_gbp"].value is None  # ICT was never re-forecast: blank, not £0
    assert (cells["delivery_pct"].value, cells["delivery_pct"].number_format) == (pytest.approx(0.682), "0.0%")
    assert (cells["status"].value, cells["rag"].value) == ("under-delivered", "red")
    assert cells["actual_cells"].value == "[bch-savings-2018-07-19.xlsx]Savings!B5:F5"  # names the source


def test_the_savings_sheet_keeps_each_figure_with_its_cell(packs):
    ws = openpyxl.load_workbook(packs["first"] / "bch-pack.xlsx")["Savings"]
    lines = rows(ws)
    assert [c.value for c in ws[1]] == ["Function", "Fiscal year", "Saving (£)", "Cell"]
    assert len(lines) == 14
    ict = {"Function": "ICT", "Fiscal year": "2015/16", "Saving (£)": 541000, "Cell": f"[{SOURCE}]Savings!C5"}
    assert ict in lines
    assert all(
        type(r["Saving (£)"]) is int and re.fullmatch(rf"\[{re.escape(SOURCE)}\]Savings![B-F][3-8]", r["Cell"])
        for r in lines
    )
    assert sum(r["Saving (£)"] for r in lines) == 6151000
    assert ws[f"{column(ws, 'Saving (£)')}2"].number_format == excel.GBP_FORMAT


def test_findings_claims_and_headlines(packs):
    book = openpyxl.load_workbook(packs["first"] / "bch-pack.xlsx")
    assert rows(book["Findings"]) == [
        {
            "Severity": "warning",
            "Code": "blank-total",
            "Cell": f"[{SOURCE}]Savings!B13",
            "Message": "blank, but the running sum of costs to 2014/15 gives -£795,000",
            "Stated (£)": None,
            "Computed (£)": -795_000,
        }
    ]
    claims = rows(book["Claims"])
    assert len(claims) == 21 and all(c["Agrees"] == "yes" for c in claims)  # booleans as words
    costs = next(c for c in claims if c["Metric"] == "total:change_team_costs")
    assert (costs["Claimed (£)"], costs["Computed (£)"], costs["Cell"]) == (6348000, 6348000, "'paper-claims.csv'!D8")
    headlines = [(h["Measure"], h["Amount (£)"], h["Cells"].split("; ")[0]) for h in rows(book["Headlines"])]
    assert headlines == [
        ("recurrent_gbp", 6151000, f"[{SOURCE}]Savings!B3:F8"),
        ("cumulative_to_date_gbp", 21716000, f"[{SOURCE}]Savings!B3:F8"),
        ("change_team_costs_gbp", 6348000, f"[{SOURCE}]Savings!B12:F12"),
        ("delivered_gbp", 1798000, f"[{SOURCE}]Savings!B3:F3"),  # the fourth: delivered by the 6 cases
    ]
    assert rows(book["By year"])[-1] == {
        "Fiscal year": "2018/19",
        "Recurrent added (£)": 1158000,
        "Recurrent a year by then (£)": 6151000,
        "Cumulative savings (£)": 21716000,
    }
    assert [r["Change team costs (£)"] for r in rows(book["Change-team costs"])] == [
        795000,
        1895000,
        1649000,
        1448000,
        561000,
    ]
    assert rows(book["Change-team costs"])[-1]["Cumulative change team costs (£)"] == 6348000
    about = {r["Field"]: r["Value"] for r in rows(book["About"])}
    assert about["figures as at"] == dt.datetime(2018, 7, 19) and about["materiality"] == pytest.approx(0.1)
    assert book["About"]["B6"].number_format == "0.0%" and about["source workbook"] == SOURCE


def test_every_sheet_has_a_frozen_header_a_filter_and_widths(packs):
    book = openpyxl.load_workbook(packs["first"] / "bch-pack.xlsx")
    refs = {ws.title: ws.auto_filter.ref for ws in book}
    assert refs == {
        "Variance": "A1:V9",
        "Savings": "A1:D15",
        "By year": "A1:D6",
        "Change-team costs": "A1:C6",
        "Findings": "A1:F2",
        "Claims": "A1:K22",  # with checked and about_as_of: which figures the quotes describe
        "Headlines": "A1:D5",
        "About": "A1:B7",
    }
    for ws in book:
        assert ws.freeze_panes == "B2", ws.title  # the header row and the first column stay in view
        assert all(c.font.bold for c in ws[1]), ws.title
        setup = ws.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1", ws.title
    variance = book["Variance"]
    widths = {name: variance.column_dimensions[column(variance, name)].width for name in ("Function", "Commentary")}
    imd = next(r for r in variance.iter_rows(min_row=2) if r[0].value.startswith("Information Management"))
    assert imd[0].alignment.wrap_text and variance.row_dimensions[imd[0].row].height >= 30  # its row shows it all
    assert widths == {"Function": excel.MAX_WIDTH, "Commentary": excel.MAX_WIDTH}  # wider text wraps


def test_no_cell_in_a_pack_workbook_is_a_formula(packs):
    assert no_formulas(packs["first"] / "bch-pack.xlsx") == []
    assert no_formulas(packs["second"] / "bch-pack.xlsx") == []


def test_a_formula_like_label_is_stored_as_text(tmp_path):
    book = builders.shipped_book()
    ws = book["Savings"]
    ws["A7"] = HOSTILE_LABEL  # was Custody
    ws["A7"].data_type = "s"
    path = builders.save(book, tmp_path, "formula-label.xlsx")
    analysis = pipeline.analyse(savings=str(path), as_of="2018-07-19")
    written = excel.write_workbook(analysis, tmp_path / "bch-pack.xlsx")
    assert no_formulas(written) == []
    book = openpyxl.load_workbook(written, data_only=False)
    variance = next(r for r in book["Variance"].iter_rows(min_row=2) if r[0].value == HOSTILE_LABEL)
    savings = [r for r in book["Savings"].iter_rows(min_row=2) if r[0].value == HOSTILE_LABEL]
    assert [c.coordinate for c in savings[0]] == ["A10", "B10", "C10", "D10"]
    assert [(r[1].value, r[2].value, r[3].value) for r in savings] == [
        ("2017/18", 92000, "[formula-label.xlsx]Savings!E7")
    ]
    for cell in (variance[0], variance[1], savings[0][0]):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (HOSTILE_LABEL, "s", True), cell.coordinate
    assert variance[reconcile.COLUMNS.index("status")].value == "no business case"
    finding = next(r for r in book["Findings"].iter_rows(min_row=2) if r[1].value == "no-business-case")
    assert (finding[2].value, finding[2].quotePrefix) == ("[formula-label.xlsx]Savings!A7", False)  # no quote prefix


def test_the_headlines_read_back_exactly_and_a_float_is_refused(packs, tmp_path):
    path = packs["first"] / "bch-pack.xlsx"
    assert excel.read_headlines(path) == {
        "recurrent_gbp": 6151000,
        "cumulative_to_date_gbp": 21716000,
        "change_team_costs_gbp": 6348000,
        "delivered_gbp": 1798000,
    }
    book = openpyxl.load_workbook(path)
    book["Headlines"]["C3"] = 21716000.5
    book.save(tmp_path / "edited.xlsx")
    with pytest.raises(ValueError, match=r"Headlines!C3 holds '21716000\.5', not whole pounds$"):
        excel.read_headlines(tmp_path / "edited.xlsx")


def test_money_that_arrives_as_a_float_is_refused():
    with pytest.raises(TypeError, match=r"^actual_gbp: money is int pounds, not float 1501000\.0$"):
        excel._value("actual_gbp", 1501000.0)
    with pytest.raises(TypeError, match=r"^actual_gbp: money is int pounds, not float nan$"):
        excel._value("actual_gbp", float("nan"))  # a blank is <NA> in an Int64 column, never NaN
    assert excel._value("actual_gbp", pd.NA) is None


# -- DIR/index.html ---------------------------------------------------------------------------------


def test_the_index_lists_both_packs_newest_edition_first(packs):
    first, second = packs["first"].name, packs["second"].name
    page = (packs["out"] / "index.html").read_text()
    assert f'<span class="mono">latest</span> points to <a href="{second}/board-pack.html">{second}</a>' in page
    assert "(figures as at 18 July 2019)." in page
    assert "2 packs, newest edition first" in page
    body = page.split("<tbody>")[1]
    assert body.index("18 July 2019") < body.index("19 July 2018")
    older = body.split(f'<a href="{first}/index.html">')[1].split("</tr>")[0]
    newer = body.split(f'<a href="{second}/index.html">')[1].split("</tr>")[0]
    assert f"{second}</a> (latest)" in body and f"{first}</a> (latest)" not in body
    assert "<td>bch-savings-2018-07-19.xlsx</td><td>0 errors, 1 warning</td>" in older
    assert "<td>bch-savings-2019-07-18.xlsx</td>" in newer
    cells = re.compile(r'<td class="num" title="([^"]+)">([^<]+)</td>')
    assert cells.findall(older) == [("£6,151,000", "£6,151k"), ("£21,716,000", "£21,716k"), ("£6,348,000", "£6,348k")]
    assert cells.findall(newer) == [("£6,901,000", "£6,901k"), ("£28,617,000", "£28,617k"), ("£6,748,000", "£6,748k")]
    for name in (first, second):
        for document in ("board-pack.html", "board-pack.pdf", "bch-pack.xlsx", "index.html"):
            assert f'<a href="{name}/{document}">' in page
    assert not [p.name for p in packs["out"].iterdir() if p.name.startswith(".index.html.")]


def test_the_index_has_the_board_packs_policy_and_loads_nothing(packs):
    page = (packs["out"] / "index.html").read_text()
    board = (packs["first"] / "board-pack.html").read_text()
    policy = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
    csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    assert policy.findall(page) == policy.findall(board) == [csp]
    assert "<script" not in page.lower()
    assert "http:" not in page and "https:" not in page and not LOADS.search(page)


@pytest.fixture
def copied(tmp_path, packs):
    """A copy of the output folder, to break."""
    out = tmp_path / "packs"
    shutil.copytree(packs["out"], out, symlinks=True)
    return out, out / packs["first"].name, out / packs["second"].name


def edit_manifest(folder: Path, change) -> None:
    record = json.loads((folder / "manifest.json").read_text())
    change(record)
    (folder / "manifest.json").write_text(json.dumps(record))


def test_a_hostile_name_is_escaped(copied):
    out, _, _ = copied
    # a pack recorded as bch records one (its manifest's digest in the ledger), read from a hostile file
    hostile = {"savings_path": f"/in/{XSS}.xlsx"}
    builders.recorded_pack(out, "2099-01-01", "2018-07-19", parameters=hostile, findings={"error": 0, "warning": 0})
    page = packindex.rebuild(out).read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;.xlsx" in page
    assert "<img" not in page.lower()
    (out / "latest").unlink()
    (out / "latest").symlink_to(f"../{XSS}")
    page = packindex.rebuild(out).read_text()
    assert "points to ../&lt;img src=x onerror=alert(1)&gt;, which is not a pack bch can read." in page
    assert "<img" not in page.lower() and "(latest)" not in page


def test_a_pack_that_cannot_be_read_is_listed_and_the_rest_stand(copied):
    out, first, second = copied
    edit_manifest(first, lambda r: r.pop("findings"))  # edited after publishing: no longer its ledger entry
    (second / "bch-pack.xlsx").write_bytes(b"not a workbook")
    (out / "2017-01-01").mkdir()
    (out / "2017-01-01" / "manifest.json").write_text("{not json")
    page = packindex.rebuild(out).read_text()
    assert f'<a href="{first.name}/index.html">' not in page  # its edited figures are never shown as a pack's
    newer = page.split(f'<a href="{second.name}/index.html">')[1].split("</tr>")[0]
    assert newer.count(">could not be read</td>") == 3
    assert json.loads((second / "manifest.json").read_text())["findings"] == {"error": 0, "warning": 4}
    assert "<td>0 errors, 4 warnings</td>" in newer
    unread = page.split("<h2>Pack folders that could not be read</h2>")[1].split("</p>")[0]
    assert f'<a href="2017-01-01/">2017-01-01</a>, <a href="{first.name}/">{first.name}</a>.' in unread


def test_a_pack_without_a_workbook_shows_no_figures(copied):
    out, first, _ = copied
    (first / "bch-pack.xlsx").unlink()
    page = packindex.rebuild(out).read_text()
    older = page.split(f'<a href="{first.name}/index.html">')[1].split("</tr>")[0]
    assert older.count('<td class="num" title="no bch-pack.xlsx in this pack">–</td>') == 3
    assert f'href="{first.name}/bch-pack.xlsx"' not in older


def test_an_index_that_cannot_be_written_names_the_published_pack(copied, monkeypatch):
    out, _, _ = copied
    before = (out / "index.html").read_bytes()

    def full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("bch.core.writers.write_atomic", full)
    with pytest.raises(packindex.IndexNotWritten) as failure:
        packindex.rebuild(out)
    assert str(failure.value) == (
        f"the pack is published, but {out / 'index.html'} could not be rewritten (No space left on device); "
        "the next publish rebuilds it"
    )
    assert (out / "index.html").read_bytes() == before
