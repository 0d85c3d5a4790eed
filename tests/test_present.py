"""One presentation layer: formats, counts and sentences computed once, rendered alike everywhere."""

import base64
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from bch.analyse import pipeline, reconcile, summary
from bch.present import boardpack, charts, formats, html, report, views, workbook
from bch.read import editions, register
from tests import builders, next_editions


def ict_at(actual_gbp: int, materiality_pct: float = 10) -> pd.DataFrame:
    """The shipped register's ICT case (latest forecast £2,202,000) reconciled against `actual_gbp`."""
    actuals = pd.DataFrame(
        {
            "function": ["ICT"],
            "actual_gbp": pd.array([actual_gbp], dtype="Int64"),
            "label_cell": ["Savings!A5"],
            "cells": ["Savings!B5:F5"],
        }
    )
    cases = register.read_register(editions.load().newest().register).cases
    table, findings = reconcile.reconcile(actuals, cases[cases["function"] == "ICT"], materiality_pct)
    assert findings == []
    return table


def test_money_in_thousands_keeps_every_pound():
    assert formats.gbp_k(1_500, signed=True) == "+£1.5k"
    assert formats.gbp_k(500, signed=True) == "+£0.5k"
    assert formats.gbp_k(-701_000, signed=True) == "-£701k"
    assert formats.gbp_k(1_234_567) == "£1,234.567k"
    assert formats.gbp_k(0, signed=True) == "£0k"
    assert formats.gbp_k(np.int64(6_151_000)) == "£6,151k"
    assert formats.gbp(-795_000) == "-£795,000"
    for missing in (None, pd.NA, float("nan")):
        assert formats.gbp_k(missing) == "–"
        assert formats.gbp(missing) == "–"
    for float_money in (1_500.5, 1_500.0):  # the one money entry point refuses floats, whole or not
        with pytest.raises(TypeError, match="money is int pounds, not float"):
            formats.gbp_k(float_money)


def test_axis_ticks_are_exact_so_never_alike():
    assert [formats.gbp_k_tick(v) for v in (1_600.0, 2_400.0, 2_000.0)] == ["£1.6k", "£2.4k", "£2k"]
    assert formats.gbp_k_tick(-1_200_000.0) == "-£1,200k"
    assert formats.gbp_k_tick(1_599.9999999999998) == "£1.6k"  # locator float noise is not a pound
    assert formats.gbp_k_tick(0.5) == "£0.0005k"  # a sub-pound tick still gets its own label


def test_percentages_and_missing_ones_one_way():
    assert formats.pct(68.2) == "68.2%"
    assert formats.pct(100) == "100.0%"
    for missing in (None, pd.NA, float("nan"), np.float64("nan")):
        assert formats.pct(missing) == "–"
        assert formats.pct_change(missing) == "–"
    assert formats.pct_change(0.9000000000000057) == "+0.9%"
    assert formats.pct_change(-77.8) == "-77.8%"


def test_dates_impact_rag_and_changes():
    assert formats.long_date(dt.date(2018, 7, 9)) == "9 July 2018"
    assert formats.long_date_of("2019-07-18") == "18 July 2019"
    assert formats.long_date_of(None) == "–"
    assert [formats.impact(v) for v in (-1, 0, 1, None, pd.NA)] == ["bad", "", "good", "", ""]
    assert [formats.rag_word(r) for r in ("green", "amber", "red", "none", None)] == [
        "Green",
        "Amber",
        "Red",
        "none",
        "–",
    ]
    assert formats.rag_colour("red") == formats.RAG_COLOURS["Red"] and formats.rag_colour("Green") == "#2E8B57"
    assert formats.rag_colour(None) == formats.rag_colour("none") == formats.RAG_COLOURS["none"]
    assert formats.change_value(150_000, money=True) == "£150k"
    assert formats.change_value(None, money=True) == "–"
    assert formats.change_value("10.0", money=False) == "10.0"


def test_the_headline_sentence_on_the_shipped_data(analysis):
    delivered = formats.delivery(analysis.variance_totals, analysis.variance["status"], analysis.materiality_pct)
    assert delivered == formats.Delivery(6, 3_916_000, 3_978_000, 1_798_000, 4, 10.0)
    assert formats.headline_sentence(delivered) == (
        "The 6 business cases with forecasts delivered £1,798k of the £3,916k forecast, £2,118k short; "
        "4 of 6 business cases delivered less than 90% of forecast (materiality 10%)."
    )


def test_sentences_for_one_case_above_on_and_none():
    one = formats.Delivery(1, 1_000, 1_000, 1_500, 0, 15.0)
    assert formats.delivered_sentence(one) == (
        "The 1 business case with a forecast delivered £1.5k of the £1k forecast, £0.5k above"
    )
    assert formats.shortfall_sentence(one) == "0 of 1 business case delivered less than 85% of forecast"
    assert formats.delivered_label(one) == "delivered by the 1 business case with a forecast"
    on = formats.Delivery(2, 3_000, 3_000, 3_000, 0, 10.0)
    assert formats.delivered_sentence(on) == "The 2 business cases with forecasts delivered £3k, exactly the forecast"
    assert formats.delivery(None, []) is None
    assert formats.delivery({"cases": 0, "latest_forecast_gbp": 0, "forecast_gbp": 0, "actual_gbp": 0}) is None
    assert formats.headline_sentence(None) == formats.NO_COMPARISON


def test_a_case_at_89_96_percent_is_short_everywhere():
    table = ict_at(1_981_000)  # 89.96% of £2,202,000: shown as 90.0%, yet short of a 10% threshold
    assert (table.loc[0, "delivery_pct"], table.loc[0, "status"], table.loc[0, "rag"]) == (
        90.0,
        "under-delivered",
        "amber",
    )
    assert formats.shortfall_count(table["status"]) == 1
    delivered = formats.delivery(reconcile.totals(table), table["status"], 10)
    assert formats.shortfall_sentence(delivered) == "1 of 1 business case delivered less than 90% of forecast"
    within = ict_at(1_982_000)  # 90.01%
    assert formats.shortfall_count(within["status"]) == 0


def test_the_caveat_is_written_once(analysis):
    from bch.analyse import summary
    from bch.present import charts

    assert formats.CAVEAT.startswith("Not netted: change-team costs are shown beside the savings")
    fig = charts.cumulative_chart(summary.cumulative_savings(analysis.sheet), summary.cumulative_costs(analysis.sheet))
    caption = next(t.get_text() for t in fig.texts if "Not netted" in t.get_text())
    assert " ".join(caption.split("\n")[:3]).startswith(formats.CAVEAT[:200])


def test_report_views_and_pack_say_the_same(analysis, tmp_path):
    sentence = (
        "The 6 business cases with forecasts delivered £1,798k of the £3,916k forecast, £2,118k short; "
        "4 of 6 business cases delivered less than 90% of forecast (materiality 10%)."
    )
    assert sentence in report.render_text(analysis)
    assert sentence in views.headline(analysis, dt.date(2018, 7, 19))
    context = pack_context(analysis, tmp_path)
    assert context["headline_sentence"] == sentence
    assert sentence in boardpack.render_html(context)
    assert context["cards"][3] == {
        "figure": "£1,798k",
        "label": "delivered by the 6 business cases with forecasts",
        "cells": "",
        "change": None,
    }


# a 1×1 PNG: the board pack embeds every figure the charts notebook saves, and refuses to lack one
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


CHANGES = [
    {"kind": "actual added", "item": "HR 2019/20", "before": None, "after": 150_000, "money": True},
    {"kind": "parameter changed", "item": "materiality_pct", "before": "10.0", "after": "15.0", "money": False},
]


PARAMETERS = {"savings_path": "/work/main/data/raw/bch-savings-2018-07-19.xlsx", "materiality_pct": 10.0}


def case_row(page: str, case: str) -> str:
    """A business case's row of the reconciliation table."""
    table = page.split('id="reconciliation"')[1]
    return re.search(rf'<tr><th scope="row" data-label="Business case">{re.escape(case)}</th>.*?</tr>', table).group(0)


def pack_context(
    analysis, figures_dir, trend=None, changes=CHANGES, git=None, previous_pack="2026-11-26", parameters=None
):
    for name in charts.names(trend, analysis.variance):
        (figures_dir / f"{name}.png").write_bytes(PIXEL)
    return boardpack.build_context(
        analysis,
        run_date=dt.date(2026, 11, 27),
        pack_name="2026-11-27",
        figures_dir=figures_dir,
        changes=changes,
        previous_pack=previous_pack,
        previous_as_of="2018-07-19" if previous_pack else None,
        previous_unreadable=None,
        parameters=parameters or PARAMETERS,
        versions={"bch": "0", "python": "3", "pandas": "2", "openpyxl": "3", "matplotlib": "3", "papermill": "2"},
        git=git or {"commit": "0" * 40, "dirty": False},
        trend=trend,
    )


def test_the_cover_names_uncommitted_code_a_pack_was_allowed_to_publish(analysis, tmp_path):
    git = {"commit": "0" * 40, "dirty": True, "modified": ["notebooks/2.0-reconcile-forecasts.ipynb"]}
    page = boardpack.render_html(pack_context(analysis, tmp_path, git={**git, "allow_dirty": True}))
    assert (
        "<strong>published with uncommitted changes to notebooks/2.0-reconcile-forecasts.ipynb</strong> "
        "(--allow-dirty): this pack can't be reproduced from that commit" in page
    )
    page = boardpack.render_html(pack_context(analysis, tmp_path, git={**git, "modified": [], "allow_dirty": False}))
    assert "uncommitted changes outside the code and notebooks" in page and "--allow-dirty" not in page


def test_the_pack_formats_through_the_jinja_filters(analysis, tmp_path):
    env = boardpack.environment()
    assert env.filters["gbp_k"] is formats.gbp_k and env.filters["pct"] is formats.pct
    assert env.from_string("{{ v|gbp_k(signed=True) }} {{ p|pct }} {{ n|pct }}").render(v=1_500, p=89.96, n=None) == (
        "+£1.5k 90.0% –"
    )
    page = boardpack.render_html(pack_context(analysis, tmp_path))
    row = case_row(page, "ICT")
    assert (
        '<td data-label="Variance against latest" class="num bad">-£701k</td><td data-label="Delivery" class="num">'
        '68.2%</td><td data-label="Status">under-delivered</td>'
    ) in row
    assert '<span class="rag rag-red">Red</span>' in row  # the word, in its colour
    firearms = case_row(page, "Firearms Licensing")
    assert 'class="num good">+£1k</td>' in firearms and '<span class="rag rag-green">Green</span>' in firearms
    assert '<span class="rag rag-none">none</span>' in page  # Public Contact, ERSOU/JPS: no RAG, said so
    assert '<td data-label="Variance against latest" class="num bad">-£2,118k</td>' in page
    added = '<th scope="row">actual added</th><td>HR 2019/20</td><td class="num">–</td><td class="num">£150k</td>'
    assert added in page
    assert "Against the pack 2026-11-26 (figures as at 19 July 2018): what this run restates." in page
    assert "--bad: #B34700; --good: #00795A; --amber: #8A5A00" in page


def test_a_pack_that_changes_nothing_says_so_and_against_which_pack(analysis, tmp_path):
    page = boardpack.render_html(pack_context(analysis, tmp_path, changes=[]))
    section = page.split('id="changes"')[1].split('id="appendix"')[0]
    assert "No changes since the pack 2026-11-26 (figures as at 19 July 2018)." in section
    assert "<table" not in section


def test_small_variances_read_the_same_in_the_board_pack_and_the_notebook(tmp_path):
    """A register whose cases come within £1.5k and £0.5k of their actuals: never '+£2k' / '+£0k', in the
    board pack's table nor in the reconcile notebook's (views.variance_table, which that notebook shows)."""
    register = editions.load().newest().register.read_text(encoding="utf-8")
    register = register.replace("CJ phase 1,CJ phase 1,Oct 2015,£14k,", "CJ phase 1,CJ phase 1,Oct 2015,£19.5k,")
    register = register.replace(",£174k,£112k,", ",£174k,£112.5k,")
    (tmp_path / "register.csv").write_text(register, encoding="utf-8")
    analysis = pipeline.analyse(register_path=tmp_path / "register.csv")
    page = boardpack.render_html(pack_context(analysis, tmp_path))
    cj, firearms = case_row(page, "CJ phase 1"), case_row(page, "Firearms Licensing")
    assert 'class="num good">+£1.5k</td>' in cj and 'class="num good">+£0.5k</td>' in firearms
    notebook = views.variance_table(analysis.variance).to_html()
    assert "+£1.5k" in notebook and "+£0.5k" in notebook
    assert "+£2k" not in notebook and "+£0k" not in notebook


def test_next_years_workbook_given_explicitly_is_stated_as_at_its_as_of_and_strict_passes(tmp_path):
    """The issue's own words: a next-year workbook, the shipped register and claims, --strict --as-of."""
    workbook = next_editions.workbook(tmp_path, 1, "next.xlsx")
    analysis = pipeline.analyse(savings=workbook, as_of="2019-07-18")
    assert analysis.inputs.edition is None and not analysis.has_errors
    pipeline.enforce_strict(analysis, True)  # raises on any error finding
    page = boardpack.render_html(pack_context(analysis, tmp_path))
    assert "Inputs given explicitly, in no catalogued edition; figures stated as at 18 July 2019" in page


def test_cell_references_are_single_tokens_in_the_pack(analysis, tmp_path):
    page = boardpack.render_html(pack_context(analysis, tmp_path))
    assert "break-all" not in page
    assert '<span class="ref">Savings!B13</span>' in page  # the finding's cell
    assert '<span class="ref">Savings!B5:F5</span>' in page  # ICT's actual, in the reasons table
    assert "from Savings!B3:F8" in page and "from Savings!B12:F12" in page
    assert page.count("break-before: page") == 1  # one forced break: page 1 is the answer, the evidence follows


@pytest.fixture(scope="module")
def pdf_pages(shipped_pack):
    """The text of each page of the shipped edition's published PDF."""
    return builders.pdf_pages(shipped_pack / "board-pack.pdf")


def test_the_pdf_keeps_references_whole_and_fills_page_one(pdf_pages):
    text = "\n".join(pdf_pages)
    for ref in ("Savings!B13", "Savings!B3:F3", "Savings!B4:F4", "Savings!B5:F5", "Savings!B3:F8", "Savings!B12:F12"):
        assert ref in text, ref
    assert not re.search(r"Savings!\s*\n", text)  # never "Savings!" at a line's end
    assert "The answer" in pdf_pages[0] and "Headline figures" not in pdf_pages[0]
    assert "6 business cases forecast £3,916k" in pdf_pages[0]
    assert "Headline figures" in pdf_pages[1]
    assert "The 6 business cases with forecasts delivered £1,798k" in pdf_pages[1]
    assert "Red" in text and "Green" in text


def test_headlines_carry_their_cells_and_change_since_the_last_edition(analysis):
    moved = {"recurrent_gbp": 720_000, "cumulative_to_date_gbp": None, "change_team_costs_gbp": -500}
    moved["since"] = "2018-07-19"
    spans = summary.headline_spans(analysis.sheet)
    assert spans == {
        "recurrent_gbp": "Savings!B3:F8",
        "cumulative_to_date_gbp": "Savings!B3:F8",
        "change_team_costs_gbp": "Savings!B12:F12",
    }
    cards = formats.headlines(analysis.totals, "2014/15", spans, moved)
    recurrent, cumulative, costs = cards
    assert (recurrent.figure, recurrent.label, recurrent.cells) == (
        "£6,151k",
        "recurrent savings a year (all functions)",
        "Savings!B3:F8",
    )
    assert recurrent.change == "+£720k since 19 July 2018"
    assert (cumulative.figure, cumulative.label) == ("£21,716k", "cumulative savings since 2014/15")
    assert cumulative.change is None
    assert (costs.figure, costs.cells, costs.change) == ("£6,348k", "Savings!B12:F12", "-£0.5k since 19 July 2018")


def test_a_change_read_back_from_a_packs_csv_is_shown_in_thousands():
    assert formats.change_value("92000", True) == "£92k"
    assert formats.change_value("delivered", False) == "delivered"
    assert formats.change_value(None, True) == "–"


def test_a_long_reference_in_a_narrow_cell_may_break_only_at_its_joints():
    env = boardpack.environment()
    out = env.from_string("{{ t|breakable }}").render(
        t="warning register-stale editions.toml[2019-07-18].register_reviewed"
    )
    assert out == "warning register-stale editions.<wbr>toml[<wbr>2019-07-18]<wbr>.<wbr>register_<wbr>reviewed"
    broken = "&lt;b&gt;" + "x" * 13 + "<wbr>" + "x" * 16 + "<wbr>x"  # every 16 characters, with no joint
    assert env.from_string("{{ t|breakable }}").render(t="<b>" + "x" * 30) == broken
    assert env.from_string("{{ t|breakable }}").render(t="HR 2019/20") == "HR 2019/20"
    # never inside a neutralised character's mark, nor between a letter and its accent
    assert html.breakable("⟨U+202E⟩" * 4) == "⟨U+202E⟩⟨U+202E⟩<wbr>⟨U+202E⟩⟨U+202E⟩"
    assert html.breakable("e\u0301" * 20) == "e\u0301" * 16 + "<wbr>" + "e\u0301" * 4  # 16 characters, 32 code points
    assert html.breakable("⟨" + "x" * 30) == "⟨" + "x" * 15 + "<wbr>" + "x" * 15  # a lone ⟨ holds nothing together


def test_a_case_whose_actual_is_unknown_is_named_in_the_headline_never_dropped(shipped, tmp_path):
    book, sheet = shipped
    sheet["C5"] = "tbc"  # ICT's 2015/16 saving, as a finance export may say
    analysis = pipeline.analyse(savings=builders.save(book, tmp_path), as_of="2018-07-19")
    assert analysis.variance_totals["left_out"] == (("ICT", 2_202_000, "actual unknown"),)
    delivered = formats.delivery(analysis.variance_totals, analysis.variance["status"], analysis.materiality_pct)
    assert formats.headline_sentence(delivered) == (
        "The 5 business cases with forecasts delivered £297k of the £1,714k forecast, £1,417k short (left out, "
        "actual unknown: ICT, £2,202k forecast); 3 of 5 business cases delivered less than 90% of forecast "
        "(materiality 10%)."
    )
    assert formats.delivered_label(delivered) == (
        "delivered by the 5 business cases with forecasts; 1 left out, actual unknown"
    )


def test_the_board_page_shows_why_a_pack_was_republished_a_revision_and_a_commentary_change(analysis, tmp_path):
    found = [
        {
            "kind": "republished because",
            "item": "inputs: forecasts; code",
            "before": None,
            "after": None,
            "money": False,
        },
        {
            "kind": "forecast revised",
            "item": "ICT (revised 2019-03-01: <b>projects</b>; Board minute 12)",
            "before": "2202000",
            "after": "1800000",
            "money": True,
        },
        {"kind": "commentary changed", "item": "ICT", "before": "Old.", "after": "New & more.", "money": False},
    ]
    page = boardpack.render_html(pack_context(analysis, tmp_path, changes=found))
    section = page.split('id="changes"')[1].split('id="appendix"')[0]
    assert '<th scope="row">republished because</th><td>inputs: forecasts; code</td><td>–</td><td>–</td>' in section
    revised = "ICT (revised 2019-03-01: &lt;b&gt;projects&lt;/b&gt;; Board minute 12)"  # input text, escaped
    assert f'<th scope="row">forecast revised</th><td>{revised}</td>' in section
    assert '<td class="num">£2,202k</td><td class="num">£1,800k</td>' in section
    assert '<th scope="row">commentary changed</th><td>ICT</td><td>Old.</td><td>New &amp; more.</td>' in section


def test_a_not_implemented_case_with_a_forecast_is_named_as_such_never_as_unknown():
    delivered = formats.Delivery(
        cases=6,
        forecast=3_916_000,
        original=3_978_000,
        actual=1_798_000,
        shortfall=4,
        materiality_pct=10,
        left_out=(("ICT", 2_202_000, "actual unknown"), ("Public Contact", 100_000, "not implemented")),
    )
    assert formats.left_out_clause(delivered) == (
        " (left out, actual unknown: ICT, £2,202k forecast; not implemented: Public Contact, £100k forecast)"
    )
    assert formats.delivered_label(delivered) == (
        "delivered by the 6 business cases with forecasts; 1 left out, actual unknown; 1 left out, not implemented"
    )


def test_a_withdrawn_edition_is_named_even_with_no_pack_to_compare_with(analysis, tmp_path):
    withdrawn = [
        {
            "kind": "edition withdrawn",
            "item": "2018-07-19",
            "before": "published as 2026-11-26",
            "after": "withdrawn on 2026-11-27: the wrong file",
            "money": False,
        }
    ]
    page = boardpack.render_html(pack_context(analysis, tmp_path, changes=withdrawn, previous_pack=None))
    section = page.split('id="changes"')[1].split('id="appendix"')[0]
    assert "No pack of an edition still catalogued to compare with." in section and "First pack" not in section
    assert '<th scope="row">edition withdrawn</th><td>2018-07-19</td><td>published as 2026-11-26</td>' in section
    assert "Editions withdrawn since their packs were published: those packs no longer stand." in section


def test_the_headline_figures_are_declared_once_and_every_presenter_reads_them(analysis):
    from bch.analyse import history
    from bch.publish import packindex

    keys = [figure.key for figure in summary.HEADLINE_FIGURES]
    assert keys == list(summary.headline_totals(analysis.sheet)) == list(history.HEADLINES)
    assert [key for key, _ in packindex.HEADLINES] == keys
    assert [h.key for h in formats.headlines(analysis.totals, "2014/15")] == keys
    assert [h.label for h in formats.headlines(analysis.totals, "2014/15")] == [
        "recurrent savings a year (all functions)",
        "cumulative savings since 2014/15",
        "change-team costs over the same years (not netted)",
    ]
    assert list(workbook.headlines(analysis)["measure"]) == [*keys, "delivered_gbp"]  # and the cases' delivery


def test_a_savings_file_named_with_controls_is_neutralised_in_the_appendix(analysis, tmp_path):
    named = {"savings_path": "/data/evil\x1b[31m\nok\u202exslx.xlsx", "materiality_pct": 10.0, "strict": False}
    page = boardpack.render_html(pack_context(analysis, tmp_path, parameters=named))
    appendix = page.split('id="appendix"')[1]
    assert (  # as text, the long path with its break points marked (a PDF wraps it there)
        '<tr><th scope="row">savings_path</th>'
        '<td class="mono path">/data/evil⟨ESC⟩[31m⟨LF⟩ok⟨U+202E⟩xslx.xlsx</td></tr>' in appendix.replace("<wbr>", "")
    )
    assert "/<wbr>data/<wbr>evil⟨ESC⟩[<wbr>31m⟨LF⟩ok⟨U+202E⟩<wbr>xslx.<wbr>xlsx</td>" in appendix
    assert '<tr><th scope="row">materiality_pct</th><td class="mono path">10.0</td></tr>' in appendix
    assert '<tr><th scope="row">strict</th><td class="mono path">False</td></tr>' in appendix
    assert not {"\x1b", "\u202e"} & set(page)


def past_the_right_margin(html: str) -> list[str]:
    """The text of every line WeasyPrint lays out past the right edge of its page's content box (its layout
    boxes are not public API: this reads `_page_box`, as bch never does)."""
    from weasyprint import HTML

    def boxes(box):
        yield box
        for child in getattr(box, "children", []):
            yield from boxes(child)

    past = []
    for page in HTML(string=html).render().pages:
        edge = page._page_box.content_box_x() + page._page_box.width
        past += [b.text for b in boxes(page._page_box) if hasattr(b, "text") and b.position_x + b.width > edge + 0.5]
    return past


def body_rows_by_page(html: str) -> list[dict[str, int]]:
    """For each page WeasyPrint lays out, how many body rows of each table (by class) it holds (layout boxes, as
    `past_the_right_margin` reads them)."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes as layout

    def count(box, found: dict, table: str | None = None, body: bool = False) -> None:
        if isinstance(box, layout.TableBox):
            table = box.element.get("class") if box.element is not None else None
        body = body or (isinstance(box, layout.TableRowGroupBox) and not (box.is_header or box.is_footer))
        if isinstance(box, layout.TableRowBox) and table and body:
            found[table] = found.get(table, 0) + 1
        for child in getattr(box, "children", []):
            count(child, found, table, body)

    pages = []
    for page in HTML(string=html).render().pages:
        found: dict[str, int] = {}
        count(page._page_box, found)
        pages.append(found)
    return pages


def test_a_label_with_no_break_point_wraps_inside_the_page(tmp_path):
    book = builders.shipped_book()
    book["Savings"]["A7"] = "X" * 125  # was Custody: now a sheet line with no business case, named in a finding
    analysis = pipeline.analyse(savings=str(builders.save(book, tmp_path, "long.xlsx")), as_of="2018-07-19")
    page = boardpack.render_html(pack_context(analysis, tmp_path))
    # wrapped by the page's style, not cut
    assert f'<tr><th scope="row" data-label="Business case">{"X" * 125}</th>' in page
    assert past_the_right_margin(page) == []


def test_each_chart_in_the_board_pack_has_its_figures_as_alt_text(analysis, tmp_path):
    page = boardpack.render_html(pack_context(analysis, tmp_path))
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', page)
    assert len(alts) == len(charts.names(None, analysis.variance)) == 4
    assert alts[0].startswith("Variance chart. The 6 business cases with forecasts delivered £1,798k")
    assert "ICT: forecast £2,202k, actual £1,501k, -£701k (-31.8%), RAG Red" in alts[0]
    assert "Human Resources 0.0% (Red)" in alts[1]
    assert alts[2].startswith("Recurrent savings added in each fiscal year, stacked by function: 2014/15 £2,600k;")
    assert "2018/19: savings £21,716k, change-team costs £6,348k" in alts[3]


def test_why_cases_varied_lists_each_case_with_a_cause_or_a_commentary_and_says_when_none_has(analysis, tmp_path):
    import dataclasses

    variance = analysis.variance.copy()
    ict = variance["function"] == "ICT"
    variance.loc[ict, "commentary"] = ""  # a cause, no commentary (as a blank cell reads): still listed
    page = boardpack.render_html(pack_context(dataclasses.replace(analysis, variance=variance), tmp_path))
    reasons = page.split('<table class="reasons">')[1].split("</table>")[0]
    assert '<tr><th scope="row">ICT</th><td>demand change</td><td>–</td><td>§6.4<br>' in reasons
    assert reasons.count("<tr>") == 1 + len(variance)  # the head, then every shipped case: each has one or both
    variance[["commentary", "variance_causes"]] = ""
    page = boardpack.render_html(pack_context(dataclasses.replace(analysis, variance=variance), tmp_path))
    why = page.split('id="why"')[1].split('id="charts"')[0]
    assert "<p>The register gives no cause or commentary for any case.</p>" in why and "<table" not in why
