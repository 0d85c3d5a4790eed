"""The board pack in a real browser: headless Chromium opens it from disk.

Needs Debian's chromium (`.ci/run` installs it). Without it these tests skip locally, and fail
under CI, where a skip would hide that they never ran.
"""

import itertools
import os
import shutil
from pathlib import Path

import pytest

from tests import builders

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def browser(shipped_pack, two_editions):
    """One headless Chromium for the module; each test opens its own page (a fresh context). The packs it
    opens are built first, never inside Playwright's event loop, and even where Chromium is missing: this
    module runs first so that its worker builds them (tests/conftest.py)."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed here (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


def open_in_chromium(browser, page_path, screenshot=None):
    """What Chromium saw opening `page_path`: console lines, requests, dialogs, images, text; a full-page
    screenshot into `screenshot` when one is asked for (each costs a second or more)."""
    seen = {"console": [], "requests": [], "dialogs": [], "failed": []}
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    try:
        page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: seen["console"].append(f"pageerror: {e}"))
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.on("requestfailed", lambda r: seen["failed"].append(r.url))
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.goto(page_path.as_uri(), wait_until="load")
        seen["images"] = page.evaluate(
            """async () => Promise.all(Array.from(document.images).map(async (img) => {
                try { await img.decode(); return [true, img.naturalWidth, img.naturalHeight]; }
                catch (e) { return [false, 0, 0]; }
            }))"""
        )
        seen["text"] = page.inner_text("body")
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
    finally:
        page.context.close()
    return seen


@pytest.fixture
def board_pack(shipped_pack):
    return shipped_pack / "board-pack.html"


def test_the_board_pack_opens_cleanly_offline(browser, board_pack, tmp_path):
    shot = tmp_path / "board-pack.png"
    seen = open_in_chromium(browser, board_pack, shot)
    assert [line for line in seen["console"] if line.startswith(("error", "pageerror"))] == []
    outside = [u for u in seen["requests"] if not u.startswith("data:") and u != board_pack.as_uri()]
    assert outside == []
    assert seen["failed"] == []
    assert len(seen["images"]) == 4
    assert all(ok and width > 100 and height > 100 for ok, width, height in seen["images"])
    assert "£6,151k" in seen["text"] and "£21,716k" in seen["text"] and "£6,348k" in seen["text"]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000


def test_a_hostile_label_runs_nothing_in_the_browser(browser, two_editions):
    label = builders.HOSTILE_LABEL
    published = two_editions["second"]  # its workbook has a line of that label
    seen = open_in_chromium(browser, published / "board-pack.html")
    assert seen["dialogs"] == []
    assert label in seen["text"]  # shown as text
    assert [u for u in seen["requests"] if u.endswith("/x")] == []
    seen = open_in_chromium(browser, published / "1.0-load-and-check.html")
    assert seen["dialogs"] == []
    assert label in seen["text"]


A4_PRINT_WIDTH_PX = round((210 - 2 * 14) / 25.4 * 96)  # the @page margins of the board pack
A4_PRINT_HEIGHT_PX = round((297 - 16 - 18) / 25.4 * 96)


def artefacts(tmp_path):
    """Where screenshots go: $BCH_TEST_ARTEFACTS when set (CI can keep them), else the test's temp dir."""
    folder = Path(os.environ.get("BCH_TEST_ARTEFACTS") or tmp_path / "artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_at_a4_print_width_no_table_overflows_and_each_page_is_kept(browser, shipped_pack, tmp_path):
    page = browser.new_page(viewport={"width": A4_PRINT_WIDTH_PX, "height": A4_PRINT_HEIGHT_PX})
    try:
        page.emulate_media(media="print")
        page.goto((shipped_pack / "board-pack.html").as_uri(), wait_until="load")
        tables = page.evaluate(
            """() => Array.from(document.querySelectorAll('table')).map(
                (t, i) => [i, t.scrollWidth, t.clientWidth, (t.querySelector('th') || {}).textContent])"""
        )
        height = page.evaluate("document.documentElement.scrollHeight")
        shots = []
        for n, top in enumerate(range(0, height, A4_PRINT_HEIGHT_PX), start=1):
            page.evaluate(f"window.scrollTo(0, {top})")
            shot = artefacts(tmp_path) / f"board-pack-print-{n:02d}.png"
            page.screenshot(path=str(shot))
            shots.append(shot)
    finally:
        page.context.close()
    assert len(tables) >= 5
    assert [t for t in tables if t[1] > t[2]] == []  # [index, scrollWidth, clientWidth, first heading]
    assert len(shots) >= 3 and all(s.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for s in shots)


def test_the_pdf_holds_every_table_figure_and_cell_reference_whole(shipped_pack):
    import re
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.cells, self.depth, self.text = [], 0, []

        def handle_starttag(self, tag, attrs):
            if tag == "td":
                self.depth, self.text = 1, []
            elif tag == "br":
                self.text.append(" ")

        def handle_endtag(self, tag):
            if tag == "td" and self.depth:
                self.cells.append(" ".join("".join(self.text).split()))
                self.depth = 0

        def handle_data(self, data):
            if self.depth:
                self.text.append(data)

    parser = Cells()
    parser.feed((shipped_pack / "board-pack.html").read_text())
    tokens = {
        t for cell in parser.cells for t in cell.split() if re.fullmatch(r"[+-]?£[\d,.]+k|\w+!\w+(:\w+)?|[\d.]+%", t)
    }
    text = " ".join(" ".join(builders.pdf_pages(shipped_pack / "board-pack.pdf")).split())
    assert {"£6,151k", "Savings!B13", "Savings!B5:F5", "68.2%"} <= tokens
    assert sorted(t for t in tokens if t not in text) == []


PHONE_WIDTH_PX = 390  # an iPhone 12–15's CSS width


def test_on_a_phone_the_board_pack_never_scrolls_sideways_and_its_headings_never_skip(browser, shipped_pack, tmp_path):
    """At 390 px the tables stack (each cell labelled by its column), so the RAG column is on screen; headings go
    h1 → h2 → h3 without skipping a level, as a screen reader lists them."""
    page = browser.new_page(viewport={"width": PHONE_WIDTH_PX, "height": 844})
    try:
        page.goto((shipped_pack / "board-pack.html").as_uri(), wait_until="load")
        width = page.evaluate("document.documentElement.scrollWidth")
        levels = page.evaluate(
            "() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6')).map(h => Number(h.tagName[1]))"
        )
        rag = page.evaluate(
            """() => { const r = document.querySelector('table.cases .rag').getBoundingClientRect();
                       return [r.left, r.right]; }"""
        )
        stacked = page.evaluate(
            "getComputedStyle(document.querySelector('table.cases td[data-label=\"RAG\"]'), '::before').content"
        )
        page.screenshot(path=str(artefacts(tmp_path) / "board-pack-phone.png"), full_page=True)
    finally:
        page.context.close()
    assert width <= PHONE_WIDTH_PX
    assert rag[0] >= 0 and rag[1] <= PHONE_WIDTH_PX  # the RAG word is on screen
    assert stacked == '"RAG: "'
    assert levels[0] == 1 and levels.count(1) == 1
    assert [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1] == []  # never h1 → h3
