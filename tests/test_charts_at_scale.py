"""Charts at any size: 60 business cases and 10 editions give charts that show every case, text that prints at
8 pt or more, pages that fit an A4 page, and SVGs that keep their text as text."""

import re
import xml.etree.ElementTree as ET

import matplotlib
import pandas as pd
import pytest

from bch.analyse import history, reconcile
from bch.present import chartalt, charts, chartstyle, formats

matplotlib.use("agg")

CASES = 60
EDITIONS = 10
MATERIALITY = 10.0
PRINTED_PAGE_HEIGHT_IN = (297 - 16 - 18) / 25.4  # the board pack's A4 page less its @page margins


def _case(i: int) -> str:
    return f"Function {i:02d} ({'North' if i % 2 else 'South'})"


def cases_frame() -> pd.DataFrame:
    """60 cases, 25 of them 20–80% delivered, the others 95–165%, reconciled as `bch.analyse.reconcile` would
    (delivery %, status and RAG from its own functions)."""
    rows = []
    for i in range(1, CASES + 1):
        forecast = 10_000 * i
        actual = forecast * ((i % 7) * 10 + 20 if i % 12 < 5 else (i % 8) * 10 + 95) // 100
        pct = reconcile.delivery_pct(actual, forecast)
        short = (forecast - actual) * 100 > forecast * MATERIALITY
        status = "under-delivered" if short else ("over-delivered" if actual * 100 > forecast * 110 else "delivered")
        rows.append(
            (_case(i), forecast, None, forecast, actual, actual - forecast, pct, status,
             reconcile.rag(actual, forecast, MATERIALITY))
        )  # fmt: skip
    columns = ["function", "forecast_gbp", "revised_forecast_gbp", "latest_forecast_gbp", "actual_gbp"]
    frame = pd.DataFrame.from_records(rows, columns=[*columns, "variance_gbp", "delivery_pct", "status", "rag"])
    for column in (*columns[1:], "variance_gbp"):
        frame[column] = frame[column].astype("Int64")
    return frame


def trend_of(frame: pd.DataFrame) -> history.Trend:
    """10 editions a year apart, each case's actual growing to the frame's."""
    days = [f"{2018 + n}-07-19" for n in range(EDITIONS)]
    records = [
        (day, r.function, int(r.actual_gbp) * (n + 1) // EDITIONS, int(r.latest_forecast_gbp), None, r.status)
        for n, day in enumerate(days)
        for r in frame.itertuples()
    ]
    cases = pd.DataFrame.from_records(records, columns=history.COLUMNS)
    cases["delivery_pct"] = [
        reconcile.delivery_pct(a, f) for a, f in zip(cases["actual_gbp"], cases["latest_forecast_gbp"], strict=True)
    ]
    return history.Trend(cases, [{"as_of": day, **dict.fromkeys(history.HEADLINES, 0)} for day in days])


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict:
    """Every page of the 60-case charts and the 10-edition trend, saved as the charts notebook saves them."""
    frame = cases_frame()
    totals = reconcile.totals(frame)
    figures = [
        *charts.variance_charts(frame, totals, "Source: a test", MATERIALITY),
        *charts.delivery_charts(frame, totals, MATERIALITY, "Source: a test"),
    ]
    names = [n for n in charts.names(None, frame) if n.startswith(("variance", "delivery"))]
    folder = tmp_path_factory.mktemp("charts-at-scale")
    out = {"frame": frame, "names": names, "figures": dict(zip(names, figures, strict=True))}
    trend = trend_of(frame)
    trend_names = [n for n in charts.names(trend, frame) if n.startswith("trend")]
    assert trend_names == [f"trend-{i}" for i in range(1, 5)]
    out["figures"].update(zip(trend_names, charts.trend_charts(trend), strict=True))
    out["paths"] = {name: chartstyle.save(fig, folder, name) for name, fig in out["figures"].items()}
    return out


def _svg_text(svg_path) -> list[str]:
    """Every line of text in an SVG, as the reader's software sees it (text elements, not outlined paths)."""
    root = ET.parse(svg_path).getroot()
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_every_case_appears_in_the_variance_delivery_and_trend_charts_read_from_the_svgs(saved):
    names = list(saved["figures"])
    assert saved["names"] == [f"variance-{i}" for i in range(1, 5)] + [f"delivery-{i}" for i in range(1, 4)]
    expected = list(saved["frame"]["function"])
    for chart, width in (("variance", 24), ("delivery", 24), ("trend", 18)):
        # each label's lines, as the SVG holds them (a label wraps at `width` characters)
        text = "\n".join(line for n in names if n.startswith(chart) for line in _svg_text(saved["paths"][n][1]))
        for case in expected:
            assert text.count(chartstyle.label(case, width, 2) + "\n") == 1, (chart, case)  # every case, once
    first = " ".join(_svg_text(saved["paths"]["delivery-1"][1]))
    delivered = formats.delivery(reconcile.totals(saved["frame"]), saved["frame"]["status"], MATERIALITY)
    assert delivered.shortfall == 25
    assert "25 of 60 business cases delivered less than 90% of forecast" in first
    assert "(page 1 of 3: cases 1–20 of 60)" in first


def test_the_svgs_keep_their_text_as_text(saved):
    svg = saved["paths"]["variance-1"][1].read_text(encoding="utf-8")
    assert "<text" in svg and "Function 01 (North)" in svg
    assert not re.search(r'<path id="DejaVuSans-[0-9a-f]+"', svg)  # no glyphs outlined as paths


def _printed_inches(png) -> tuple[float, float]:
    from PIL import Image

    with Image.open(png) as image:
        width, height = image.size
    dpi = matplotlib.rcParams["savefig.dpi"]
    with chartstyle.theme():
        dpi = matplotlib.rcParams["savefig.dpi"]
    return width / dpi, height / dpi


def test_text_prints_at_8pt_or_more_and_each_page_fits_an_a4_page(saved):
    for name, (png, _) in saved["paths"].items():
        width, height = _printed_inches(png)
        scale = min(1.0, chartstyle.PRINTED_WIDTH_IN / width)  # the board pack shrinks a chart to its width
        sizes = {
            t.get_fontsize()
            for t in saved["figures"][name].findobj(matplotlib.text.Text)
            if t.get_visible() and t.get_text().strip()
        }
        assert min(sizes) * scale >= chartstyle.MIN_PRINTED_PT - 0.01, (name, min(sizes), scale)
        assert height * scale <= PRINTED_PAGE_HEIGHT_IN, (name, height * scale)


def test_pages_share_one_scale_and_the_alt_text_names_every_case_shown(saved):
    limits = {tuple(saved["figures"][n].axes[1].get_xlim()) for n in saved["names"] if n.startswith("variance")}
    assert len(limits) == 1  # a bar on page 3 compares with one on page 1

    class Analysis:  # what alt_text reads of an analysis
        variance = saved["frame"]
        variance_totals = reconcile.totals(saved["frame"])
        materiality_pct = MATERIALITY

    alt = chartalt.alt_text("delivery-3", Analysis)
    assert alt.startswith("Delivery as % of the latest forecast, lowest first (page 3 of 3: cases 41–60 of 60).")
    shown = [t.get_text() for t in saved["figures"]["delivery-3"].axes[0].get_yticklabels()]
    assert len(shown) == 20 and all(f"{name} " in alt for name in shown)


def test_the_board_pack_embeds_every_page_each_with_the_figures_it_shows_as_alt_text(analysis, tmp_path):
    import dataclasses

    from bch.present import boardpack

    frame = cases_frame()
    big = dataclasses.replace(analysis, variance=frame)  # its totals are computed from its variance
    names = charts.names(None, frame)
    for name in names:
        (tmp_path / f"{name}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    embedded = boardpack.charts(tmp_path, None, big)["charts"]
    assert len(embedded) == len(names) == 4 + 3 + 2
    alts = [c["alt"] for c in embedded]
    assert alts[3].startswith("Variance chart (page 4 of 4: cases 46–60 of 60). The 60 business cases with forecasts")
    assert "Function 60 (South): forecast £600k, actual £360k, -£240k (-40.0%), RAG Red" in alts[3]
    for case in frame["function"]:
        assert sum(f"{case}: forecast" in alt for alt in alts[:4]) == 1, case  # on exactly one variance page
        assert sum(f"{case} " in alt for alt in alts[4:7]) == 1, case  # and one delivery page


def test_the_shipped_charts_print_at_8pt_and_no_gridline_crosses_a_label(analysis, tmp_path):
    """Every shipped chart: text at 8 pt or more printed, no horizontal gridline through a case's label (the bar
    charts of cases have none), and every data label on a white ground where gridlines run behind it."""
    from matplotlib.colors import to_hex

    for name, fig in charts.figures_for(analysis).items():
        png, _ = chartstyle.save(fig, tmp_path, name)
        width, _height = _printed_inches(png)
        scale = min(1.0, chartstyle.PRINTED_WIDTH_IN / width)
        sizes = {t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()}
        assert min(sizes) * scale >= chartstyle.MIN_PRINTED_PT - 0.01, (name, min(sizes), scale)
        for ax in fig.axes:
            if name in ("variance", "delivery"):
                assert not any(line.get_visible() for line in ax.yaxis.get_gridlines()), name
            if any(line.get_visible() for line in ax.xaxis.get_gridlines() + ax.yaxis.get_gridlines()):
                for label in ax.texts:
                    ground = label.get_bbox_patch()
                    assert ground is not None and to_hex(ground.get_facecolor()) == "#ffffff", (name, label)
