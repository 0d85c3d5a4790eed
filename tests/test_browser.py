"""The board pack in a real browser: headless Chromium opens it from disk.

Needs Debian's chromium (`.ci/run` installs it). Without it these tests skip locally, and fail
under CI, where a skip would hide that they never ran.
"""

import os
import shutil

import pytest

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

pytestmark = [pytest.mark.browser, pytest.mark.notebook]
if CHROMIUM is None:
    if os.environ.get("CI"):
        pytestmark.append(pytest.mark.xfail(strict=True, reason="CI must have chromium (.ci/run installs it)"))
    else:
        pytestmark.append(pytest.mark.skip(reason="Debian's chromium is not installed here (.ci/run installs it)"))


def open_in_chromium(page_path, screenshot):
    from playwright.sync_api import sync_playwright

    seen = {"console": [], "requests": [], "dialogs": [], "failed": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
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
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return seen


@pytest.fixture
def board_pack(shipped_pack):
    return shipped_pack / "board-pack.html"


def test_the_board_pack_opens_cleanly_offline(board_pack, tmp_path):
    shot = tmp_path / "board-pack.png"
    seen = open_in_chromium(board_pack, shot)
    assert [line for line in seen["console"] if line.startswith(("error", "pageerror"))] == []
    outside = [u for u in seen["requests"] if not u.startswith("data:") and u != board_pack.as_uri()]
    assert outside == []
    assert seen["failed"] == []
    assert len(seen["images"]) == 4
    assert all(ok and width > 100 and height > 100 for ok, width, height in seen["images"])
    assert "£6,151k" in seen["text"] and "£21,716k" in seen["text"] and "£6,348k" in seen["text"]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000


def test_a_hostile_label_runs_nothing_in_the_browser(tmp_path, edited_pack):
    from tests import builders

    label = builders.HOSTILE_LABEL
    published = edited_pack
    seen = open_in_chromium(published / "board-pack.html", tmp_path / "hostile.png")
    assert seen["dialogs"] == []
    assert label in seen["text"]  # shown as text
    assert [u for u in seen["requests"] if u.endswith("/x")] == []
    seen = open_in_chromium(published / "1.0-load-and-check.html", tmp_path / "reviewer.png")
    assert seen["dialogs"] == []
    assert label in seen["text"]
