"""Text from the inputs wraps inside the board pack's page, whatever it holds: long runs without a space, no-break
spaces, variation selectors, literal ⟨ marks, several long runs on one row (`bch.present.wrapping`).
First written as a hostile review of that module's first version, which each of these broke.
"""

from __future__ import annotations

import re

import pytest

from bch.analyse import pipeline
from bch.present import boardpack, html, wrapping
from tests import next_editions
from tests.test_present import pack_context, past_the_right_margin


def _edited_register(tmp_path, edit, claims_edit=None):
    raw = next_editions.raw_folder(tmp_path / "p", 1)
    catalogue = next_editions.hand_edited(raw, "business-cases.csv", edit)
    if claims_edit:
        next_editions.hand_edited(raw, "paper-claims.csv", claims_edit)
    return boardpack.render_html(pack_context(pipeline.analyse(catalogue=catalogue), tmp_path))


@pytest.mark.parametrize(
    "hostile",
    [
        "AAAA\u00a0" * 120,  # no-break spaces: CSS never breaks at them
        "A\ufe0f" * 300,  # a variation selector after every letter
        ("\u27e8" + "A" * 8) * 60,  # a literal ⟨ every 9 characters, never closed: no mark
    ],
    ids=["nbsp", "variation-selectors", "lone-open-marks"],
)
def test_a_hostile_commentary_and_quote_wrap_inside_the_page(tmp_path, hostile):
    """In the reasons table (declared widths) and in the paper's quotes (sized by its content: break points)."""

    def edit(rows):
        column = rows[0].index("commentary")
        next(row for row in rows if row[0] == "ICT")[column] = hostile

    def claims_edit(rows):
        rows[1][rows[0].index("quote")] = hostile

    page = _edited_register(tmp_path, edit, claims_edit)
    quotes = page.split('<table class="claims">')[1].split("</table>")[0]
    assert quotes.count("<wbr>") >= len(hostile) // (2 * wrapping.RUN)  # the quote has its break points
    assert past_the_right_margin(page) == []


def test_three_long_tokens_on_one_decision_row_stay_inside_page_one(tmp_path):
    """Three long runs on one row of the decisions table: its columns are declared, so no text widens them."""

    def edit(rows):
        rows[0] += ["owner", "next_action", "action_due", "confidence"]
        for row in rows[1:]:
            token = "abcdefghijklmnopqrstuvwxyz" * 4
            row += [token, token, "", token] if row[0] == "ICT" else ["", "", "", ""]

    assert past_the_right_margin(_edited_register(tmp_path, edit)) == []


@pytest.mark.parametrize(
    "text", ["AAAA\u00a0" * 40, "A\ufe0f" * 100, ("\u27e8" + "A" * 8) * 20, "\u27e8" * 100, "\U0001f44d\u200d" * 50]
)
def test_breakable_leaves_no_run_much_longer_than_its_limit_without_a_break_point(text):
    runs = re.split(r"<wbr>|[ \t\n]", str(html.breakable(text)))
    assert max(len(run) for run in runs) <= 2 * wrapping.RUN
