"""The explore notebook in a real JupyterLab, driven by headless Chromium: run it, move the materiality slider,
drill into ICT, enter a what-if. On a temporary copy of the project (data/raw and the notebook), so nothing
the notebook saves can land in this checkout."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bch import paths
from bch.present import formats
from tests.test_browser import CHROMIUM, FLAGS, artefacts

pytestmark = [pytest.mark.browser]
NOTEBOOK = "notebooks/4.0-explore.ipynb"
TOKEN = "bch-explore-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab on a copy of the project; its URL (token included). Stopped, by its process id, after."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    root = tmp_path / "project"
    shutil.copytree(paths.RAW, root / "data" / "raw")
    (root / "notebooks").mkdir()
    shutil.copy(paths.ROOT / NOTEBOOK, root / NOTEBOOK)
    port = _free_port()
    env = {**os.environ, paths.PROJECT_ENV: str(root), "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "jupyter-runtime")
    env["BCH_CACHE"] = str(tmp_path / "cache")
    news = tmp_path / "jupyter-config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')  # no pop-up over the page
    jupyter = Path(sys.executable).with_name("jupyter")
    argv = [str(jupyter), "lab", "--no-browser", "--allow-root", f"--ServerApp.token={TOKEN}", f"--port={port}"]
    argv += [
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=",
        "--ServerApp.open_browser=False",
    ]
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(argv, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("JupyterLab did not start: " + (tmp_path / "lab.log").read_text()[-2000:])
                time.sleep(0.3)
        yield {"url": f"{base}/lab/tree/{NOTEBOOK}?token={TOKEN}", "root": root}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


# What the Copy button puts on the clipboard, recorded however it copies (headless Chromium has no clipboard).
RECORD_COPY = """() => {
    const keep = (text) => { window.__copied = text; };
    document.execCommand = () => { const f = document.activeElement; keep(f && f.value ? f.value
        : String(window.getSelection())); return true; };
    if (navigator.clipboard) navigator.clipboard.writeText = async (text) => keep(text);
}"""


def _ict_row(page):
    return page.locator("table.dataTable tbody tr", has_text="ICT").first


def test_an_analyst_slices_drills_and_tries_a_what_if(lab, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    shots = artefacts(tmp_path)
    expect.set_options(timeout=90_000)  # a kernel on a shared machine: the run may take tens of seconds
    console = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            context = browser.new_context(
                viewport={"width": 1500, "height": 1300}, permissions=["clipboard-read", "clipboard-write"]
            )
            page = context.new_page()
            page.set_default_timeout(90_000)
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
            page.goto(lab["url"])
            page.locator(".jp-Notebook").first.wait_for()
            page.locator("#jp-main-statusbar", has_text="Idle").first.wait_for()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

            # 1. it runs: the table at the Board's materiality (10%), ICT red
            try:
                expect(_ict_row(page)).to_contain_text("Red")
            except AssertionError:
                page.screenshot(path=str(shots / "explore-failed.png"), full_page=True)
                raise AssertionError("\n".join(console[-20:])) from None
            expect(_ict_row(page)).to_contain_text("£1,501,000")
            # sorted by actual, the Total row stays last; copied, the figures are whole pounds, not £ text
            actual = page.locator("table.dataTable thead th").filter(has_text="Actual")
            actual.click()
            actual.click()  # descending
            expect(page.locator("table.dataTable tbody tr").first).to_contain_text("ERSOU/JPS etc")  # £4,353,000
            expect(page.locator("table.dataTable tbody tr").last).to_contain_text("Total (6 cases with figures)")
            page.evaluate(RECORD_COPY)
            page.get_by_role("button", name="Copy", exact=True).click()
            copied = page.wait_for_function("window.__copied").json_value()
            ict = next((line for line in copied.splitlines() if line.startswith("ICT\t")), copied)
            assert ict.split("\t")[3:8] == ["2202000", "2202000", "1501000", "-701000", "68.2"], ict
            page.screenshot(path=str(shots / "explore-1-table.png"), full_page=True)

            # 2. the slider from 10% to 20%: ICT amber (it tips at 15.9%)
            readout = page.locator(".widget-slider", has_text="Materiality").locator(".widget-readout")
            expect(readout).to_have_text("10.0")
            readout.click()
            page.keyboard.press("ControlOrMeta+a")
            page.keyboard.type("20")
            page.keyboard.press("Enter")
            expect(_ict_row(page)).to_contain_text("Amber")
            expect(page.locator("table.dataTable caption")).to_contain_text("materiality 20.0%")
            expect(page.locator("table.dataTable tbody tr").first).to_contain_text("ERSOU/JPS etc")  # still sorted
            page.screenshot(path=str(shots / "explore-2-slider-20.png"), full_page=True)

            # 3. ICT picked: its cells
            page.locator(".widget-dropdown", has_text="Drill into").locator("select").select_option("ICT")
            drill = page.locator(".widget-output", has_text="Actuals, year by year")
            expect(drill).to_contain_text("Savings!C5")
            expect(drill).to_contain_text("541 (£'000)")
            expect(drill).to_contain_text("'business-cases.csv'!D4")
            expect(drill).to_contain_text("to date £1.501m has been removed from the budget")
            drill.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explore-3-drill-ict.png"), full_page=True)

            # 4. a what-if forecast: the banner over the figures, ICT's latest forecast changed
            page.locator(".widget-tab .lm-TabBar-tab", has_text="What-if").click()
            page.locator(".widget-dropdown", has_text="Case").locator("select").select_option("ICT")
            forecast = page.locator(".widget-inline-hbox", has_text="Forecast £").locator("input")
            forecast.fill("1600000")
            forecast.press("Enter")
            page.get_by_role("button", name="Apply what-if").click()
            expect(page.locator(".bch-scenario")).to_contain_text(formats.SCENARIO_BANNER)
            expect(page.locator("table.dataTable caption")).to_contain_text(formats.SCENARIO_BANNER)
            expect(_ict_row(page)).to_contain_text("£1,600,000")
            expect(_ict_row(page)).to_contain_text("Green")  # 1,501k of 1,600k: 6.2% short, within 20%
            page.locator(".bch-scenario").scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explore-4-what-if.png"), full_page=True)

            # 5. the pack's charts of the scenario, each with its source cells beside it
            page.locator(".widget-tab .lm-TabBar-tab", has_text="Charts").click()
            sources = page.locator(".bch-chart-sources")
            expect(sources.first).to_contain_text("Savings!B5:F5")
            expect(sources.first).to_contain_text("what-if")  # ICT's forecast comes from the scenario
            expect(page.locator(".bch-chart img")).to_have_count(4)
            page.locator(".bch-chart").first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explore-5-charts.png"), full_page=True)
        finally:
            (shots / "explore-console.txt").write_text("\n".join(console))
            browser.close()
    assert [line for line in console if line.startswith(("error", "pageerror"))] == []
    assert not (lab["root"] / "outputs").exists()
