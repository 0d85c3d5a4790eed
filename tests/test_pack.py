"""`bch pack` end to end: published packs, failures that publish nothing, escaping, the manifest."""

import datetime as dt
import fcntl
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from bch import editions, manifest, pack, paths
from bch.errors import BchError, ParameterError
from tests import builders

pytestmark = pytest.mark.notebook
XSS = builders.HOSTILE_LABEL
DOLLAR = builders.DOLLAR_LABEL


def run_pack(out: Path, **options) -> Path:
    return pack.build_pack(pack.PackOptions(out=out, **options)).path


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


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
    assert published.name == dt.date.today().isoformat()
    assert (published.parent / "latest").resolve() == published
    assert not [p for p in published.parent.iterdir() if p.name.startswith(".building")]


def test_every_manifest_hash_matches_its_file(published):
    record = json.loads((published / "manifest.json").read_text())
    assert manifest.verify(published) == []
    assert len(record["outputs"]) == len([p for p in published.rglob("*") if p.is_file()]) - 1
    for entry in record["outputs"]:
        data = (published / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    inputs = {Path(i["path"]).name: i for i in record["inputs"]}
    assert inputs["bch-savings-2018-07-19.xlsx"]["sha256"] == manifest.sha256(editions.load().newest().savings)
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
    assert set(record["git"]) == {"commit", "dirty"}
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
    text = "\n".join(page.extract_text() for page in reader.pages)
    for figure in ("£6,151k", "£21,716k", "£6,348k"):
        assert figure in text
    assert "Page 1 of" in text


def test_published_notebooks_carry_no_kernel_noise(published):
    for path in [*published.glob("*.ipynb"), *published.glob("*.html")]:
        text = path.read_text()
        assert "Session/line number was not unique" not in text, path.name
        assert "PosixPath" not in text and ".building-" not in text, path.name
    injected = manifest.injected_parameters(published / "1.0-load-and-check.ipynb")
    assert injected["output_dir"] == str(published)
    assert (
        "Saved into <code>output_dir</code>: savings-tidy.csv, findings.csv."
        in (published / "1.0-load-and-check.ipynb").read_text()
    )


def test_no_html_file_loads_anything_from_outside(published):
    loads = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)
    for page in published.glob("*.html"):
        assert not loads.search(page.read_text()), page.name


def test_a_same_day_rerun_makes_a_second_folder_and_leaves_the_first_alone(tmp_path, shipped_pack):
    shutil.copytree(shipped_pack.parent, tmp_path, symlinks=True, dirs_exist_ok=True)
    first = tmp_path / shipped_pack.name
    before = tree_digest(first)
    second = run_pack(tmp_path)
    assert second.name == f"{first.name}.2"
    assert tree_digest(first) == before
    assert (tmp_path / "latest").resolve() == second
    assert "No changes since the pack " + first.name in (second / "board-pack.html").read_text()
    assert json.loads((second / "manifest.json").read_text())["previous_pack"] == first.name


@pytest.fixture
def edited(edited_pack):
    return edited_pack


def test_headlines_follow_the_data(edited):
    page = (edited / "board-pack.html").read_text()
    assert "£6,251k" in page and "£21,816k" in page
    assert "£6,151k" not in page.split('id="claims"')[0]  # only the paper's own (now ✗) quote keeps it


def test_changes_since_the_last_pack(edited):
    page = (edited / "board-pack.html").read_text()
    assert "actual changed" in page
    assert "ERSOU/JPS etc 2018/19" in page
    assert "finding new" in page


def test_a_hostile_label_is_text_everywhere(edited):
    for page in edited.glob("*.html"):
        html = page.read_text()
        assert "<img src=x" not in html.lower(), page.name
    assert "&lt;img src=x onerror=alert(1)&gt;" in (edited / "board-pack.html").read_text()
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(edited / "board-pack.pdf").pages)
    assert XSS in text
    assert DOLLAR in text


def test_a_dollar_label_shows_literally(edited):
    assert DOLLAR in (edited / "board-pack.html").read_text()
    assert DOLLAR in (edited / "1.0-load-and-check.html").read_text()


# -- failures: nothing published, the failed notebook kept, `latest` untouched ------------------


def notebook_with(tmp_path: Path, extra_source: str) -> Path:
    """The load-and-check notebook with one more cell."""
    nb = nbformat.read(paths.NOTEBOOKS / "1.0-load-and-check.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(extra_source, id="extra-cell"))
    path = tmp_path / "9.0-broken.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def with_a_pack(tmp_path, published):
    """An output folder holding one published pack (a copy of the module's)."""
    out = tmp_path / "packs"
    shutil.copytree(published.parent, out, symlinks=True)
    first = out / published.name
    return out, first, tree_digest(first)


def assert_nothing_published(out: Path, first: Path, digest: dict) -> Path:
    """No new pack, `latest` and the old pack untouched, the failed notebook and message kept."""
    packs = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert packs == sorted([first.name, "failed", "index.html", "latest", "ledger.jsonl"])
    assert (out / "latest").resolve() == first
    assert tree_digest(first) == digest
    assert not [p for p in out.iterdir() if p.name.startswith(".building")]
    kept = sorted((out / "failed").iterdir())
    assert len(kept) == 1
    assert len(list(kept[0].glob("*.ipynb"))) == 1
    assert (kept[0] / "error.txt").read_text().strip()
    return kept[0]


def test_strict_with_a_junk_cell_fails(with_a_pack, tmp_path, shipped):
    out, first, digest = with_a_pack
    book, ws = shipped
    ws["C3"] = "tbc"
    junk = builders.save(book, tmp_path, "junk.xlsx")
    with pytest.raises(pack.PackError) as failure:
        run_pack(out, savings_path=str(junk), as_of="2018-07-19", strict=True)
    message = str(failure.value)
    assert "failed at cell" in message and "DataError: strict run: 1 error finding(s)" in message
    assert "Savings!C3" in message
    kept = assert_nothing_published(out, first, digest)
    failed = nbformat.read(next(kept.glob("*.ipynb")), as_version=4)
    assert any("An Exception was encountered" in "".join(c.source) for c in failed.cells)  # papermill's banner


def test_a_notebook_that_raises(with_a_pack, tmp_path):
    out, first, digest = with_a_pack
    broken = notebook_with(tmp_path, "raise RuntimeError('the figures do not add up')")
    with pytest.raises(pack.PackError, match=r"9.0-broken.ipynb failed at cell \d+ .*RuntimeError: the figures do not"):
        run_pack(out, books=[broken])
    kept = assert_nothing_published(out, first, digest)
    assert (kept / "9.0-broken.ipynb").is_file()
    assert re.search(r"\n\n9.0-broken.ipynb: failed \(\d+\.\d+s\)\n$", (kept / "error.txt").read_text())


def test_a_killed_kernel(with_a_pack, tmp_path):
    out, first, digest = with_a_pack
    broken = notebook_with(tmp_path, "import os\nos._exit(9)")
    with pytest.raises(
        pack.PackError, match=r"9.0-broken.ipynb failed at cell \d+ \((In \[\d+\]: )?import os\): the kernel died"
    ):
        run_pack(out, books=[broken])
    assert_nothing_published(out, first, digest)


def test_a_cell_that_times_out(with_a_pack, tmp_path):
    out, first, digest = with_a_pack
    broken = notebook_with(tmp_path, "import time\ntime.sleep(30)")
    with pytest.raises(pack.PackError, match=r"9.0-broken.ipynb timed out at cell \d+ \((In \[\d+\]: )?import time\)"):
        run_pack(out, books=[broken], cell_timeout=2)
    assert_nothing_published(out, first, digest)


@pytest.mark.parametrize(
    ("declared", "changed_to", "message"),
    [
        ("strict: bool = False", "", r"1.0-old.ipynb has no parameter 'strict'"),
        ("materiality_pct: float = 10.0", "materiality_pct: str = '10'", r"materiality_pct is str; got float"),
    ],
    ids=["missing", "ill-typed"],
)
def test_a_parameter_the_notebook_cannot_take_is_refused_before_any_kernel(tmp_path, declared, changed_to, message):
    nb = nbformat.read(paths.NOTEBOOKS / "1.0-load-and-check.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert declared in cell.source
    cell.source = cell.source.replace(declared, changed_to)
    path = tmp_path / "1.0-old.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ParameterError, match=message):
        run_pack(tmp_path / "packs", books=[path])
    assert not (tmp_path / "packs").exists()


def test_a_second_run_at_once_is_refused(tmp_path):
    out = tmp_path / "packs"
    out.mkdir()
    with open(out / pack.LOCK, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(pack.PackBusy, match="another bch pack is running into"):
            run_pack(out)
    assert pack.PackBusy.exit_code == 3


def test_an_output_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(BchError, match="cannot create the output folder"):
        run_pack(blocker / "packs")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--materiality", "150"], "--materiality must be from 0 to under 100"),
        (["--as-of", "19/07/2018"], "--as-of must be an ISO date"),
        (["--savings", "nope.xlsx"], "--savings: no such file"),
        (["--cell-timeout", "0"], "--cell-timeout must be at least 1, not 0"),
        (["--unknown", "1"], "unrecognized arguments: --unknown"),
    ],
)
def test_cli_usage_errors_exit_2_before_any_kernel(tmp_path, argv, message):
    proc = subprocess.run(
        [sys.executable, "-m", "bch", "pack", "--out", str(tmp_path / "packs"), *argv],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert message in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert not (tmp_path / "packs").exists()


def test_cli_publishes_with_progress_and_quiet(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "bch", "pack", "--out", str(tmp_path), "--materiality", "35"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert any(line.startswith("bch pack: 3.0-variance-charts.ipynb: ") for line in lines)
    assert lines[-1].startswith(f"bch pack: published {tmp_path}")
    assert proc.stdout.strip() == str(tmp_path / dt.date.today().isoformat())
    quiet = subprocess.run(
        [sys.executable, "-m", "bch", "pack", "--out", str(tmp_path), "--quiet"], capture_output=True, text=True
    )
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    variance = (tmp_path / dt.date.today().isoformat() / "variance.csv").read_text()
    assert "ICT,ICT,2015-10,2202000,,2202000,,,1501000,-701000,-701000,68.2,68.2,delivered" in variance


def test_verify_command_finds_a_changed_file(with_a_pack, capsys):
    from bch import cli

    out, first, _ = with_a_pack
    assert cli.main(["verify", str(out / "latest")]) == 0
    assert capsys.readouterr().out.strip().endswith(": intact")
    (first / "variance.csv").write_text("tampered\n")
    assert cli.main(["verify", str(first)]) == 1
    assert "changed: variance.csv" in capsys.readouterr().out
    assert cli.main(["verify", str(out)]) == 2


def test_each_notebook_counts_from_in_1_in_the_shared_kernel(published):
    for notebook in published.glob("*.ipynb"):
        counts = [c.execution_count for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
        assert counts[0] == 1, notebook.name
        assert counts == list(range(1, len(counts) + 1)), notebook.name


def test_small_variances_read_the_same_in_the_table_the_notebooks_and_the_text(tmp_path, shipped_pack):
    """A register whose cases come within £1.5k and £0.5k of their actuals: never '+£2k' / '+£0k'."""
    register = (editions.load().newest().register).read_text(encoding="utf-8")
    register = register.replace("CJ phase 1,CJ phase 1,Oct 2015,£14k,", "CJ phase 1,CJ phase 1,Oct 2015,£19.5k,")
    register = register.replace(",£174k,£112k,", ",£174k,£112.5k,")
    path = tmp_path / "register.csv"
    path.write_text(register, encoding="utf-8")
    out = tmp_path / "packs"
    shutil.copytree(shipped_pack.parent, out, symlinks=True)
    published = run_pack(out, forecasts_path=str(path))
    page = (published / "board-pack.html").read_text()
    cj = re.search(r"<tr><td>CJ phase 1</td>.*?</tr>", page).group(0)
    firearms = re.search(r"<tr><td>Firearms Licensing</td>.*?</tr>", page).group(0)
    assert '<td class="num good">+£1.5k</td>' in cj and '<td class="num good">+£0.5k</td>' in firearms
    reviewer = (published / "2.0-reconcile-forecasts.html").read_text()
    assert "+£1.5k" in reviewer and "+£0.5k" in reviewer
    assert "+£2k" not in reviewer and "+£0k" not in reviewer
