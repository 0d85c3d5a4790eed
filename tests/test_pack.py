"""`bch pack` end to end: what a published pack holds, its manifest, a second pack after it, escaping,
the CLI's output (failures that publish nothing: test_pack_failures.py)."""

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from bch.core.digest import sha256
from bch.publish import ledger, notebooks, pack, packhistory, packoptions, verify
from bch.read import editions
from tests import builders
from tests.conftest import RUN_DATE

XSS = builders.HOSTILE_LABEL
DOLLAR = builders.DOLLAR_LABEL


@pytest.fixture
def published(shipped_pack):
    return shipped_pack


def test_a_pack_holds_every_part(published):
    names = {p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file()}
    for notebook in ("1.0-load-and-check", "2.0-reconcile-forecasts", "3.0-variance-charts"):
        assert {f"{notebook}.ipynb", f"{notebook}.html"} <= names
    for figure in ("variance", "delivery", "recurrent-by-year", "cumulative"):
        assert {f"figures/{figure}.png", f"figures/{figure}.svg"} <= names
    assert {"board-pack.html", "board-pack.pdf", "index.html", "manifest.json"} <= names
    assert {"savings-tidy.csv", "findings.csv", "variance.csv", "claims.csv"} <= names
    assert published.name == RUN_DATE.isoformat()
    assert (published.parent / "latest").resolve() == published
    assert not [p for p in published.parent.iterdir() if p.name.startswith(".building")]


def test_every_manifest_hash_matches_its_file(published):
    record = json.loads((published / "manifest.json").read_text())
    assert verify.verify(published) == []
    assert len(record["outputs"]) == len([p for p in published.rglob("*") if p.is_file()]) - 1
    for entry in record["outputs"]:
        data = (published / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    inputs = {Path(i["path"]).name: i for i in record["inputs"]}
    assert inputs["bch-savings-2018-07-19.xlsx"]["sha256"] == sha256(editions.load().newest().savings)
    assert set(inputs) == {"bch-savings-2018-07-19.xlsx", "business-cases.csv", "paper-claims.csv"}


def test_the_manifest_describes_the_run(published):
    record = json.loads((published / "manifest.json").read_text())
    assert record["parameters"]["materiality_pct"] == 10.0
    assert record["parameters"]["as_of"] == "2018-07-19"
    assert record["findings"] == {"error": 0, "warning": 1}
    assert [n["status"] for n in record["notebooks"]] == ["ok", "ok", "ok"]
    assert {n["name"] for n in record["notebooks"]} == {
        "1.0-load-and-check.ipynb",
        "2.0-reconcile-forecasts.ipynb",
        "3.0-variance-charts.ipynb",
    }
    assert set(record["versions"]) >= {"python", "bch", "pandas", "papermill", "weasyprint"}
    assert set(record["git"]) == {"commit", "dirty", "modified", "allow_dirty"}
    assert dt.datetime.fromisoformat(record["started_at"]) <= dt.datetime.fromisoformat(record["finished_at"])
    assert record["previous_pack"] is None


def test_the_board_pack_shows_computed_headlines(published):
    page = (published / "board-pack.html").read_text()
    for figure in ("£6,151k", "£21,716k", "£6,348k", "£1,798k", "£3,916k"):
        assert figure in page
    assert "First pack: there is no earlier pack to compare with." in page
    assert "Savings!B13" in page
    assert "from Savings!B3:F8" in page and "from Savings!B12:F12" in page  # every headline traceable
    assert "Savings!B5:F5" in page  # ICT's actual, in the reasons table
    assert "<script" not in page
    assert "default-src 'none'" in page
    assert page.count('src="data:image/png;base64,') == 4


def test_the_pdf_opens_and_holds_the_same_figures(published):
    from pypdf import PdfReader

    reader = PdfReader(published / "board-pack.pdf")
    assert len(reader.pages) >= 4
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4
    text = "\n".join(builders.pdf_pages(published / "board-pack.pdf"))
    for figure in ("£6,151k", "£21,716k", "£6,348k"):
        assert figure in text
    assert "Page 1 of" in text


def test_published_notebooks_carry_no_kernel_noise(published):
    for path in [*published.glob("*.ipynb"), *published.glob("*.html")]:
        text = path.read_text()
        assert "Session/line number was not unique" not in text, path.name
        assert "PosixPath" not in text and ".building-" not in text, path.name
    injected = notebooks.injected_parameters(published / "1.0-load-and-check.ipynb")
    assert injected["output_dir"] == str(published)
    assert (
        "Saved into <code>output_dir</code>: savings-tidy.csv, findings.csv."
        in (published / "1.0-load-and-check.ipynb").read_text()
    )


def test_no_html_file_loads_anything_from_outside(published):
    loads = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)
    for page in published.glob("*.html"):
        assert not loads.search(page.read_text()), page.name


@pytest.fixture
def next_pack(two_editions):
    """The next edition's pack: new lines labelled XSS and DOLLAR, 15% materiality, after the shipped pack."""
    return two_editions["second"]


def test_a_second_pack_leaves_the_first_alone(two_editions, shipped_pack):
    assert builders.tree_digest(two_editions["first"]) == builders.tree_digest(shipped_pack)
    assert json.loads((two_editions["second"] / "manifest.json").read_text())["previous_pack"] == shipped_pack.name


def test_if_changed_with_nothing_changed_needs_no_write_access_to_the_output_folder(tmp_path, monkeypatch):
    """The suite runs as root, which chmod cannot stop writing: the folder is made unwritable by os.access."""
    book = builders.shipped_book()
    workbook = builders.save(book, tmp_path, "savings.xlsx")
    out = tmp_path / "packs"
    options = packoptions.PackOptions(out=out, if_changed=True, savings_path=str(workbook), as_of="2018-07-19")
    prints = packhistory.fingerprint(packoptions.run_parameters(options))
    first = builders.recorded_pack(out, RUN_DATE.isoformat(), "2018-07-19", fingerprint=prints)
    before = builders.tree_digest(out), sorted(p.name for p in out.iterdir())
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: mode != os.W_OK and real(path, mode, **kw))
    unchanged = pack.build_pack(options, run_date=RUN_DATE)
    assert unchanged == packoptions.Published(
        first, True, f"nothing changed since {first.name} (same inputs, parameters and code); nothing published"
    )
    assert (builders.tree_digest(out), sorted(p.name for p in out.iterdir())) == before  # not even the lock file
    book["Savings"]["F8"] = 835
    builders.save(book, tmp_path, "savings.xlsx")
    with pytest.raises(packoptions.PackError) as refused:
        pack.build_pack(options, run_date=RUN_DATE)
    assert str(refused.value) == f"cannot write into the output folder {out}"


def test_if_changed_a_workbook_edited_in_place_publishes_a_second_folder_that_day(tmp_path, monkeypatch):
    """--if-changed with explicit inputs: the same workbook, parameters and code publish nothing; one cell
    edited in place (nothing else differs) publishes DAY.2 beside the day's first pack, in no edition,
    compared with it, and `latest`. The notebooks and rendering are stubbed (every other pack test runs them):
    the decision, the folder, the manifest, the ledger and `latest` are bch's own."""
    from bch.analyse import pipeline
    from bch.publish import render

    book = builders.shipped_book()
    workbook = builders.save(book, tmp_path, "savings.xlsx")
    out = tmp_path / "packs"
    options = packoptions.PackOptions(out=out, if_changed=True, savings_path=str(workbook), as_of="2018-07-19")
    before = packhistory.fingerprint(packoptions.run_parameters(options))
    first = builders.recorded_pack(out, RUN_DATE.isoformat(), "2018-07-19", fingerprint=before)
    first_digest = builders.tree_digest(first)
    executed = []

    def notebooks_and_rendering(job, progress=None):
        executed.append(job)
        return [], pipeline.analyse_run(job.run), []

    monkeypatch.setattr(render, "execute_and_render", notebooks_and_rendering)
    monkeypatch.setattr(render, "check_tables", lambda analysis, building: None)  # no notebook wrote tables
    unchanged = pack.build_pack(options, run_date=RUN_DATE)
    assert (unchanged.unchanged, unchanged.path, executed) == (True, first, [])

    book["Savings"]["F8"] = 835  # ERSOU/JPS etc 2018/19, was 735
    builders.save(book, tmp_path, "savings.xlsx")
    after = packhistory.fingerprint(packoptions.run_parameters(options))
    assert after["inputs"]["savings"] != before["inputs"]["savings"]
    assert {k: v for k, v in after.items() if k != "inputs"} == {k: v for k, v in before.items() if k != "inputs"}
    changed = pack.build_pack(options, run_date=RUN_DATE)
    assert (changed.unchanged, changed.path, len(executed)) == (False, out / f"{RUN_DATE.isoformat()}.2", 1)
    record = json.loads((changed.path / "manifest.json").read_text())
    assert (record["edition"], record["previous_pack"], record["fingerprint"]) == (None, first.name, after)
    assert executed[0].previous.path == first
    assert (out / "latest").resolve() == changed.path
    assert builders.tree_digest(first) == first_digest
    assert ledger.recorded_packs(out) == {first.name: 1, changed.path.name: 2}


def test_headlines_follow_the_data(next_pack):
    page = (next_pack / "board-pack.html").read_text()
    figures = re.findall(r'<span class="figure">([^<]+)</span>', page)
    assert figures[:3] == ["£6,901k", "£28,617k", "£6,748k"]  # the new lines' £30k included
    assert "+£750k since 19 July 2018" in page
    assert "£6,151k" not in page.split('id="claims"')[0]  # only the paper's own quote keeps it


def test_changes_since_the_last_pack(next_pack):
    changes = (next_pack / "board-pack.html").read_text().split('id="changes"')[1].split('id="appendix"')[0]
    for row in (
        '<th scope="row">parameter changed</th><td>materiality_pct</td><td>10.0</td><td>15.0</td>',
        '<th scope="row">case actual changed</th><td>ICT</td><td class="num">£1,501k</td><td class="num">£1,701k</td>',
        f'<th scope="row">case added</th><td>{DOLLAR}</td><td>–</td><td>no business case</td>',
        '<th scope="row">finding new</th><td>warning no-business-case Savings!A11</td>',
    ):
        assert row in changes


def test_a_hostile_label_is_text_everywhere(next_pack):
    for page in next_pack.glob("*.html"):
        html = page.read_text()
        assert "<img src=x" not in html.lower(), page.name
    assert "&lt;img src=x onerror=alert(1)&gt;" in (next_pack / "board-pack.html").read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in (next_pack / "1.0-load-and-check.html").read_text()
    text = "\n".join(builders.pdf_pages(next_pack / "board-pack.pdf"))
    assert XSS in text
    assert DOLLAR in text


def test_a_dollar_label_shows_literally(next_pack):
    assert DOLLAR in (next_pack / "board-pack.html").read_text()
    assert DOLLAR in (next_pack / "1.0-load-and-check.html").read_text()


def test_the_cli_publishes_with_progress_on_stderr_and_the_pack_on_stdout(two_editions):
    """`python -m bch pack` as a scheduler runs it (exit 0: the fixture checks): each notebook's time then the
    published folder on stderr and nothing else (no library's warnings), the pack's path alone on stdout, a
    folder named for the day it ran."""
    lines = two_editions["stderr"].read_text().splitlines()
    assert [line.split(": ")[1] for line in lines[:3]] == [
        "3.0-variance-charts.ipynb",
        "1.0-load-and-check.ipynb",
        "2.0-reconcile-forecasts.ipynb",
    ]
    assert re.fullmatch(r"bch pack: checks and manifest: \d+\.\ds", lines[3])
    assert re.fullmatch(rf"bch pack: published {re.escape(str(two_editions['second']))} in \d+\.\ds", lines[4])
    assert len(lines) == 5
    assert two_editions["stdout"].read_text() == f"{two_editions['second']}\n"
    assert two_editions["second"].parent == two_editions["out"]
    assert two_editions["second"].name in two_editions["days"].read_text().split()  # even across midnight


def test_each_notebook_counts_from_in_1_in_the_shared_kernel(published):
    for notebook in published.glob("*.ipynb"):
        counts = [c.execution_count for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
        assert counts[0] == 1, notebook.name
        assert counts == list(range(1, len(counts) + 1)), notebook.name


def test_every_html_file_of_a_pack_carries_the_one_content_security_policy(published):
    """The board pack, the pack's file list and each reviewer's notebook page: bch.present.html.CSP, as declared."""
    from html.parser import HTMLParser

    from bch.present import html

    class Policies(HTMLParser):
        found: list

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
                self.found.append(attrs.get("content"))

    pages = sorted(published.rglob("*.html"))
    assert len(pages) >= 5  # board-pack.html, index.html and the three notebooks' pages
    for page in pages:
        parser = Policies()
        parser.found = []
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.found == [html.CSP], page.name
