"""Charts: bar heights equal the data, colours follow impact, labels show literally."""

import matplotlib
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex

from bch.analyse import pipeline, reconcile, summary
from bch.present import charts, chartstyle, formats
from bch.read import editions

matplotlib.use("agg")


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]


def _title(fig) -> str:
    """The chart's title as one line (it wraps to the chart's width)."""
    return chartstyle.title_of(fig)


def _render(fig):
    FigureCanvasAgg(fig).draw()
    return fig


@pytest.fixture(scope="module")
def drawn(analysis) -> dict:
    """The shipped edition's charts, as the charts notebook makes them, drawn once for the module (read only)."""
    return {name: _render(fig) for name, fig in charts.figures_for(analysis).items()}


def test_variance_chart_bars_equal_the_data(analysis, drawn):
    fig = drawn["variance"]
    ax_abs, ax_var, ax_pct = fig.axes
    rows = charts.measured(analysis.variance)
    bars = _bars(ax_abs)
    actual = [b for b in bars if b.get_fill()]
    outlined = [b for b in bars if not b.get_fill()]
    assert [b.get_width() for b in actual] == list(rows["actual_gbp"])
    latest = outlined[: len(rows)]
    assert [b.get_width() for b in latest] == list(rows["latest_forecast_gbp"])
    original = outlined[len(rows) :]  # only Firearms was revised: its original stays visible
    assert [b.get_width() for b in original] == [174_000]
    assert [b.get_width() for b in _bars(ax_var)] == list(rows["variance_gbp"])
    assert ax_abs.get_yticklabels()[0].get_text() == "Firearms Licensing"
    pins = next(c for c in ax_pct.collections if isinstance(c, matplotlib.collections.PathCollection))
    assert [round(float(x), 1) for x, _ in pins.get_offsets()] == [0.9, -77.8, -31.8, -66.9, 50.0, -100.0]


def _word_of(colour: str) -> str:
    """The RAG word a chart colour stands for (formats.RAG_COLOURS, the tables' declaration too)."""
    words = {hex_.upper(): word for word, hex_ in formats.RAG_COLOURS.items()}
    return words[colour.upper()]


def test_every_chart_colour_is_the_rag_word_of_its_case_in_the_table(analysis, drawn):
    """Variance bars, pins and delivery bars each wear the colour of their case's RAG in the reconciliation:
    Firearms (Green in the table) is green in the delivery chart too (it was grey)."""
    rows = charts.measured(analysis.variance)
    variance = analysis.variance
    table = {f: formats.rag_word(r) for f, r in zip(variance["function"], variance["rag"], strict=True)}
    by_label = {chartstyle.label(f): word for f, word in table.items()}
    ax_var, ax_pct = drawn["variance"].axes[1:3]
    bars = [_word_of(to_hex(b.get_facecolor())) for b in _bars(ax_var)]
    assert bars == [table[f] for f in rows["function"]]
    pins = next(c for c in ax_pct.collections if isinstance(c, matplotlib.collections.PathCollection))
    assert [_word_of(to_hex(c)) for c in pins.get_facecolors()] == [table[f] for f in rows["function"]]
    ax = drawn["delivery"].axes[0]
    shown = [t.get_text() for t in ax.get_yticklabels()]
    colours = [_word_of(to_hex(b.get_facecolor())) for b in _bars(ax) if b.get_height() == pytest.approx(0.55)]
    assert dict(zip(shown, colours, strict=True)) == {f: by_label[f] for f in shown}
    assert dict(zip(shown, colours, strict=True))["Firearms Licensing"] == "Green"
    assert table["ICT"] == "Red" and colours[shown.index("ICT")] == "Red"
    legend = [t.get_text() for t in drawn["delivery"].legends[0].get_texts()]
    assert legend == ["Red: more than 20% short", "Green: within 10% or above"]  # the words of the colours shown


def test_an_amber_case_is_drawn_amber_not_red():
    """At 20% materiality ICT (31.8% short) is Amber in the table: Amber in both charts, named in the legends."""
    analysis = pipeline.analyse(materiality_pct=20.0)
    ict = analysis.variance.set_index("function").loc["ICT"]
    assert formats.rag_word(ict["rag"]) == "Amber"
    figures = charts.figures_for(analysis)
    rows = charts.measured(analysis.variance)
    bars = [_word_of(to_hex(b.get_facecolor())) for b in _bars(figures["variance"].axes[1])]
    assert bars[list(rows["function"]).index("ICT")] == "Amber"
    ax = figures["delivery"].axes[0]
    shown = [t.get_text() for t in ax.get_yticklabels()]
    colours = [_word_of(to_hex(b.get_facecolor())) for b in _bars(ax) if b.get_height() == pytest.approx(0.55)]
    assert colours[shown.index("ICT")] == "Amber"
    assert "Amber: 20–40% short" in [t.get_text() for t in figures["delivery"].legends[0].get_texts()]


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_rag_colours_stay_apart_in_greyscale():
    """Every pair of RAG colours differs in relative luminance by a contrast ratio of 1.5 or more (the old red
    and green differed by 1.02, one grey when printed in black and white)."""
    import itertools

    assert set(formats.RAG_COLOURS) == {"Red", "Amber", "Green", "none"}
    assert chartstyle.RAG is formats.RAG_COLOURS  # one declaration
    for (a, x), (b, y) in itertools.combinations(formats.RAG_COLOURS.items(), 2):
        low, high = sorted((_luminance(x), _luminance(y)))
        assert (high + 0.05) / (low + 0.05) >= 1.5, (a, b)
    assert round(_luminance("#D55E00"), 3) == 0.222 and round(_luminance("#009E73"), 3) == 0.257  # the old pair


def test_variance_chart_title_is_the_finding(analysis):
    fig = charts.variance_chart(analysis.variance, reconcile.totals(analysis.variance))
    texts = [t.get_text().replace("\n", " ") for t in fig.texts]  # the title first
    assert "The 6 business cases with forecasts delivered £1,798k of the £3,916k forecast, £2,118k short" in texts
    assert any("Public Contact (not implemented)" in t and "ERSOU/JPS etc (no business case)" in t for t in texts)


def test_recurrent_by_year_stacks_to_the_year_totals(drawn):
    ax = drawn["recurrent-by-year"].axes[0]
    tops = {}
    for bar in _bars(ax):
        x = round(bar.get_x() + bar.get_width() / 2)
        tops[x] = max(tops.get(x, 0), bar.get_y() + bar.get_height())
    assert [tops[i] for i in range(5)] == [2_600_000, 926_000, 920_000, 547_000, 1_158_000]


def test_cumulative_shows_two_series_never_netted(analysis):
    sheet = analysis.sheet
    fig = charts.cumulative_chart(summary.cumulative_savings(sheet), summary.cumulative_costs(sheet))
    heights = [b.get_height() for b in _bars(fig.axes[0])]
    assert heights[:5] == [2_600_000, 6_126_000, 10_572_000, 15_565_000, 21_716_000]
    assert heights[5:] == [795_000, 2_690_000, 4_339_000, 5_787_000, 6_348_000]
    assert any("Not netted" in t.get_text() for t in fig.texts)


def test_delivery_chart_sorted_with_the_materiality_band(analysis):
    fig = charts.delivery_chart(analysis.variance, reconcile.totals(analysis.variance), 10)
    ax = fig.axes[0]
    bars = [b for b in _bars(ax) if b.get_height() == pytest.approx(0.55)]
    widths = [b.get_width() for b in bars]
    assert widths == [0.0, 22.2, 33.1, 68.2, 100.9, 150.0]  # sorted, lowest first (on top)
    assert [_word_of(to_hex(b.get_facecolor())) for b in bars] == ["Red"] * 4 + ["Green"] * 2
    band = [p for p in ax.patches if p not in bars]
    assert len(band) == 1  # Green's band: one-sided, from 90% to the chart's right edge
    assert band[0].get_x() == pytest.approx(90)
    assert band[0].get_x() + band[0].get_width() == pytest.approx(ax.get_xlim()[1])
    assert "one-sided" in ax.get_xlabel()
    assert _title(fig) == "4 of 6 business cases delivered less than 90% of forecast"


def _band_start(fig) -> list[float]:
    """Where the shaded materiality band starts (% of forecast)."""
    return [round(p.get_x(), 6) for p in fig.axes[0].patches if p.get_height() != pytest.approx(0.55)]


def test_the_charts_follow_the_runs_materiality(drawn):
    """What the charts notebook draws from a run at 35%: the delivery chart's band and statuses move, the
    variance chart (money, not statuses) stays as it is."""
    default, moved = drawn, charts.figures_for(pipeline.analyse(materiality_pct=35.0))
    assert (_band_start(default["delivery"]), _band_start(moved["delivery"])) == ([90.0], [65.0])
    assert _title(moved["delivery"]) == "3 of 6 business cases delivered less than 65% of forecast"
    widths = [[b.get_width() for b in _bars(f["variance"].axes[0])] for f in (default, moved)]
    assert widths[0] == widths[1]


def test_labels_with_dollars_and_markup_render_literally():
    label = "Cost $5 & <b>$x$</b>"
    variance = pd.DataFrame(
        {
            "function": [label],
            "forecast_gbp": pd.array([100_000], dtype="Int64"),
            "revised_forecast_gbp": pd.array([None], dtype="Int64"),
            "latest_forecast_gbp": pd.array([100_000], dtype="Int64"),
            "actual_gbp": pd.array([50_000], dtype="Int64"),
            "variance_gbp": pd.array([-50_000], dtype="Int64"),
            "delivery_pct": [50.0],
            "status": ["under-delivered"],
            "rag": ["red"],
        }
    )
    fig = _render(charts.variance_chart(variance, reconcile.totals(variance)))
    tick = fig.axes[0].get_yticklabels()[0]
    assert tick._preprocess_math(tick.get_text()) == (label, False)  # shown as written, no mathtext
    fig = _render(charts.delivery_chart(variance, reconcile.totals(variance), 10))
    tick = fig.axes[0].get_yticklabels()[0]
    assert tick._preprocess_math(tick.get_text()) == (label, False)


def test_save_writes_png_and_svg(analysis, tmp_path):
    paths = chartstyle.save(
        charts.delivery_chart(analysis.variance, reconcile.totals(analysis.variance), 10), tmp_path, "delivery"
    )
    assert [p.name for p in paths] == ["delivery.png", "delivery.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in paths[1].read_bytes()[:500]


def test_an_unreadable_cell_is_marked_not_drawn_as_complete(shipped, tmp_path):
    from tests import builders

    book, ws = shipped
    ws["C5"] = "tbc"  # ICT 2015/16
    analysis = pipeline.analyse(builders.save(book, tmp_path))
    sheet = analysis.sheet
    fig = _render(charts.recurrent_by_year_chart(sheet.tidy(), _by_year(sheet)))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[1] == "total unknown"  # 2015/16
    assert texts[0] == "£2,600k"
    assert any("Savings!C5" in t.get_text() for t in fig.texts)
    fig = _render(charts.cumulative_chart(summary.cumulative_savings(sheet), summary.cumulative_costs(sheet)))
    heights = [b.get_height() for b in _bars(fig.axes[0])]
    assert heights[:1] == [2_600_000]  # 2014/15 known; every later year unknown, not drawn
    assert len(heights) == 1 + 5
    assert [t.get_text() for t in fig.axes[0].texts] == ["unknown"] * 4
    # ICT's actual is unknown: no bar, named in the caption, and left out of the totals in the title
    fig = _render(charts.variance_chart(analysis.variance, reconcile.totals(analysis.variance)))
    shown = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert "ICT" not in shown
    assert len(shown) == 5
    texts = [t.get_text().replace("\n", " ") for t in fig.texts]  # the title first
    assert texts[0] == (
        "The 5 business cases with forecasts delivered £297k of the £1,714k forecast, £1,417k short (left out, "
        "actual unknown: ICT, £2,202k forecast)"
    )
    assert texts[1].startswith("Not shown (no variance figure): ICT (actual unknown); Public Contact (not implemented)")
    fig = _render(charts.delivery_chart(analysis.variance, reconcile.totals(analysis.variance), 10))
    assert "ICT" not in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert _title(fig) == "3 of 5 business cases delivered less than 90% of forecast"


def small_cases(deltas: list[int], forecast: int = 10_000) -> pd.DataFrame:
    """Cases with a £10,000 forecast each, over-delivered by `deltas` pounds."""
    n = len(deltas)
    return pd.DataFrame(
        {
            "function": [f"Case {i + 1}" for i in range(n)],
            "forecast_gbp": pd.array([forecast] * n, dtype="Int64"),
            "revised_forecast_gbp": pd.array([None] * n, dtype="Int64"),
            "latest_forecast_gbp": pd.array([forecast] * n, dtype="Int64"),
            "actual_gbp": pd.array([forecast + d for d in deltas], dtype="Int64"),
            "variance_gbp": pd.array(deltas, dtype="Int64"),
            "delivery_pct": [(forecast + d) * 100 / forecast for d in deltas],
            "status": ["over-delivered" if d * 100 > forecast * 10 else "delivered" for d in deltas],
            "rag": ["green"] * n,
        }
    )


def _tick_labels(axis) -> list[str]:
    return [t.get_text() for t in axis.get_majorticklabels() if t.get_text()]


def test_variance_labels_and_ticks_keep_every_pound():
    fig = _render(charts.variance_chart(small_cases([1_500, 500]), reconcile.totals(small_cases([1_500, 500]))))
    ax_abs, ax_var, _ = fig.axes
    assert [t.get_text() for t in ax_var.texts] == ["+£1.5k", "+£0.5k"]  # as the table says, not "+£2k"/"+£0k"
    for axis in (ax_abs.xaxis, ax_var.xaxis):
        labels = _tick_labels(axis)
        assert len(labels) >= 2 and len(labels) == len(set(labels)), labels
    assert _title(fig) == ("The 2 business cases with forecasts delivered £22k of the £20k forecast, £2k above")


def test_tick_labels_are_unique_on_every_shipped_chart(drawn):
    for name, fig in drawn.items():
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                labels = _tick_labels(axis)
                assert len(labels) == len(set(labels)), (name, labels)
    assert _tick_labels(drawn["recurrent-by-year"].axes[0].yaxis)[:3] == ["£0k", "£600k", "£1,200k"]


def test_categories_wear_no_variance_colour(analysis):
    sheet = analysis.sheet
    fig = charts.recurrent_by_year_chart(sheet.tidy(), _by_year(sheet))
    fills = {to_hex(b.get_facecolor()).upper() for b in _bars(fig.axes[0])}
    assert fills <= {c.upper() for c in chartstyle.SERIES}
    assert len(fills) == 6  # one per function
    fig = charts.cumulative_chart(summary.cumulative_savings(sheet), summary.cumulative_costs(sheet))
    fills |= {to_hex(b.get_facecolor()).upper() for b in _bars(fig.axes[0])}
    assert not fills & {c.upper() for c in formats.RAG_COLOURS.values()}


def test_delivery_colours_and_count_follow_status_not_rounding():
    frame = small_cases([0])
    frame.loc[0, ["actual_gbp", "variance_gbp"]] = [8_996, -1_004]  # 89.96%: shown as 90.0%, short of 10%
    frame.loc[0, ["delivery_pct", "status", "rag"]] = [90.0, "under-delivered", "amber"]
    fig = _render(charts.delivery_chart(frame, reconcile.totals(frame), 10))
    bar = next(b for b in _bars(fig.axes[0]) if b.get_height() == pytest.approx(0.55))
    assert _word_of(to_hex(bar.get_facecolor())) == "Amber"  # its RAG, as the table says
    assert [t.get_text() for t in fig.axes[0].texts] == ["90.0%"]
    assert _title(fig) == "1 of 1 business case delivered less than 90% of forecast"


def test_trend_labels_and_title_use_the_shared_formats():
    from bch.analyse import history

    cases = pd.DataFrame.from_records(
        [
            ("2018-07-19", "ICT", 1_500, 2_000, 75.0, "under-delivered"),
            ("2019-07-18", "ICT", 1_999, 2_000, 99.95, "delivered"),
        ],
        columns=history.COLUMNS,
    )
    headlines = [{"as_of": day, **dict.fromkeys(history.HEADLINES, 0)} for day in ("2018-07-19", "2019-07-18")]
    fig = _render(charts.trend_chart(history.Trend(cases, headlines)))
    assert [t.get_text() for t in fig.axes[0].texts] == ["£1.999k\n100.0%"]  # the latest, in the shared formats
    labels = _tick_labels(fig.axes[0].yaxis)
    assert len(labels) == len(set(labels))
    assert _title(fig) == "Business cases across 2 editions, as at 19 July 2018 and 18 July 2019"


def test_a_huge_label_never_stretches_a_chart_and_an_underscore_label_keeps_its_legend_entry(tmp_path):
    tidy = pd.DataFrame(
        {
            "function": ["x" * 5000, "_private"],
            "fiscal_year": ["2014/15", "2014/15"],
            "saving_gbp": pd.array([1000, 2000], dtype="Int64"),
            "cell": ["S!B3", "S!B4"],
        }
    )
    fig = charts.recurrent_by_year_chart(tidy, {"2014/15": 3000})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["x" * 39 + "…", " _private"]
    png = chartstyle.save(fig, tmp_path, "huge")[0].read_bytes()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width < 1300 and height < 900, (width, height)  # A4 width at 150 dpi, not the label's 40,000 px
    assert chartstyle.label("y " * 2000).count("\n") == 2


def test_a_case_forecast_at_nothing_is_charted_without_a_delivery_pin(tmp_path):
    register = tmp_path / "cases.csv"  # Firearms' revised and IMD's forecast typed as £0
    shipped = editions.load().newest().register.read_text(encoding="utf-8")
    register.write_text(shipped.replace("£174k,£112k", "£174k,£0k").replace("May 2016,£320k,,", "May 2016,-£0k,,"))
    analysis = pipeline.analyse(register_path=register)
    assert {f.code for f in analysis.findings} >= {"zero-forecast"}
    firearms = analysis.variance.set_index("function").loc["Firearms Licensing"]
    assert (firearms["variance_gbp"], pd.isna(firearms["delivery_pct"]), firearms["status"]) == (
        113_000,
        True,
        "over-delivered",
    )
    fig = _render(charts.variance_chart(analysis.variance, reconcile.totals(analysis.variance)))
    pins = fig.axes[2].collections[-1].get_offsets()  # the ΔF % panel's scatter: one pin per case with a %
    assert len(pins) == len(charts.measured(analysis.variance)) - 2
    shown = [
        t.get_text()
        for t in _render(charts.delivery_chart(analysis.variance, reconcile.totals(analysis.variance), 10))
        .axes[0]
        .get_yticklabels()
    ]
    assert "Firearms Licensing" not in shown and "ICT" in shown


def _by_year(sheet) -> dict:
    """Each year's total as the analysis holds it (`summary.by_year`): what the chart is given, never re-adds."""
    return {row["fiscal_year"]: row["recurrent_gbp"] for row in summary.by_year(sheet)}
