"""The analysts' outputs: bch-pack.xlsx in every pack, and DIR/index.html listing every pack."""

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
from bch.present import excel
from bch.publish import packindex, verify
from tests import builders

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
        found += [n for n in archive.namelist() if n.startswith("xl/worksheets/") and b"<f" in archive.read(n)]
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
    book = openpyxl.load_workbook(packs["first"] / "bch-pack.xlsx")
    assert book.sheetnames == ["Variance", "Savings", "Findings", "Claims", "Headlines", "About"]


def test_the_variance_sheet_keeps_money_as_pounds_with_a_pound_format(packs):
    ws = openpyxl.load_workbook(packs["first"] / "bch-pack.xlsx")["Variance"]
    assert [c.value for c in ws[1]] == reconcile.COLUMNS
    ict = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "ICT")
    cells = {name: cell for name, cell in zip(reconcile.COLUMNS, ict, strict=True)}
    for name, pounds in (("forecast_gbp", 2202000), ("actual_gbp", 1501000), ("variance_gbp", -701000)):
        assert type(cells[name].value) is int and cells[name].value == pounds, name
        assert cells[name].number_format == '"£"#,##0;-"£"#,##0', name
    assert cells["revised_forecast_gbp"].value is None  # ICT was never re-forecast: blank, not £0
    assert (cells["delivery_pct"].value, cells["delivery_pct"].number_format) == (68.2, "0.0")
    assert (cells["status"].value, cells["rag"].value) == ("under-delivered", "red")
    assert cells["actual_cells"].value == "Savings!B5:F5"


def test_the_savings_sheet_keeps_each_figure_with_its_cell(packs):
    ws = openpyxl.load_workbook(packs["first"] / "bch-pack.xlsx")["Savings"]
    lines = rows(ws)
    assert [c.value for c in ws[1]] == ["function", "fiscal_year", "saving_gbp", "cell"]
    assert len(lines) == 14
    assert {"function": "ICT", "fiscal_year": "2015/16", "saving_gbp": 541000, "cell": "Savings!C5"} in lines
    assert all(type(r["saving_gbp"]) is int and re.fullmatch(r"Savings![B-F][3-8]", r["cell"]) for r in lines)
    assert sum(r["saving_gbp"] for r in lines) == 6151000
    assert ws[f"{column(ws, 'saving_gbp')}2"].number_format == excel.GBP_FORMAT


def test_findings_claims_and_headlines(packs):
    book = openpyxl.load_workbook(packs["first"] / "bch-pack.xlsx")
    assert rows(book["Findings"]) == [
        {
            "severity": "warning",
            "code": "blank-total",
            "cell": "Savings!B13",
            "message": "blank, but the running sum of costs to 2014/15 gives -£795,000",
            "stated_gbp": None,
            "computed_gbp": -795_000,
        }
    ]
    claims = rows(book["Claims"])
    assert len(claims) == 21 and all(c["ok"] is True for c in claims)
    costs = next(c for c in claims if c["metric"] == "total:change_team_costs")
    assert (costs["claimed_gbp"], costs["computed_gbp"], costs["cell"]) == (6348000, 6348000, "'paper-claims.csv'!D8")
    assert [(h["measure"], h["amount_gbp"], h["cells"]) for h in rows(book["Headlines"])] == [
        ("recurrent_gbp", 6151000, "Savings!B3:F8"),
        ("cumulative_to_date_gbp", 21716000, "Savings!B3:F8"),
        ("change_team_costs_gbp", 6348000, "Savings!B12:F12"),
    ]


def test_every_sheet_has_a_frozen_header_a_filter_and_widths(packs):
    book = openpyxl.load_workbook(packs["first"] / "bch-pack.xlsx")
    refs = {ws.title: ws.auto_filter.ref for ws in book}
    assert refs == {
        "Variance": "A1:V9",
        "Savings": "A1:D15",
        "Findings": "A1:F2",
        "Claims": "A1:K22",  # with checked and about_as_of: which figures the quotes describe
        "Headlines": "A1:D4",
        "About": "A1:B6",
    }
    for ws in book:
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.bold for c in ws[1]), ws.title
    variance = book["Variance"]
    widths = {name: variance.column_dimensions[column(variance, name)].width for name in ("function", "commentary")}
    assert widths == {"function": 41, "commentary": excel.MAX_WIDTH}


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
    assert [(r[1].value, r[2].value, r[3].value) for r in savings] == [("2017/18", 92000, "Savings!E7")]
    for cell in (variance[0], variance[1], savings[0][0]):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (HOSTILE_LABEL, "s", True), cell.coordinate
    assert variance[reconcile.COLUMNS.index("status")].value == "no business case"
    finding = next(r for r in book["Findings"].iter_rows(min_row=2) if r[1].value == "no-business-case")
    assert (finding[2].value, finding[2].quotePrefix) == ("Savings!A7", False)  # ordinary text, no prefix


def test_the_headlines_read_back_exactly_and_a_float_is_refused(packs, tmp_path):
    path = packs["first"] / "bch-pack.xlsx"
    assert excel.read_headlines(path) == {
        "recurrent_gbp": 6151000,
        "cumulative_to_date_gbp": 21716000,
        "change_team_costs_gbp": 6348000,
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
