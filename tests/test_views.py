"""What notebooks show: every data label escaped, £ with separators, impact colours."""

from bch.analyse import pipeline
from bch.present import formats, views

XSS = "<img src=x onerror=alert(1)>"


def test_variance_table_escapes_labels_and_formats_pounds():
    analysis = pipeline.analyse()
    frame = analysis.variance.copy()
    frame.loc[0, "function"] = XSS
    frame.loc[0, "commentary"] = "<script>alert(2)</script>"
    html = views.variance_table(frame).to_html()
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "£2,202k" in html and "-£701k" in html and "+£1k" in html  # £k, as the board pack shows them
    assert "color: #B34700" in html and "color: #00795A" in html


def test_findings_and_tidy_tables_escape_too():
    analysis = pipeline.analyse()
    tidy = analysis.sheet.tidy().copy()
    tidy.loc[0, "function"] = XSS
    assert XSS not in views.tidy_table(tidy).to_html()
    assert "£27,000" in views.tidy_table(tidy).to_html()
    html = views.findings_table(analysis.findings).to_html()
    assert "Savings!B13" in html


def test_claims_table_marks_each_claim():
    analysis = pipeline.analyse()
    claims = analysis.claims.copy()
    claims.loc[0, "ok"] = False
    claims.loc[0, "quote"] = XSS
    html = views.claims_table(claims).to_html()
    assert html.count("✓") == len(claims) - 1 and html.count("✗") == 1
    assert XSS not in html


def test_headline_is_computed_and_escaped():
    import datetime as dt

    text = views.headline(pipeline.analyse(), dt.date(2018, 7, 19))
    assert text.startswith("<p>As at 19 July 2018: Recurrent savings <b>£6,151k</b> a year")
    assert text.endswith(
        "The 6 business cases with forecasts delivered £1,798k of the £3,916k forecast, £2,118k short; "
        "4 of 6 business cases delivered less than 90% of forecast (materiality 10%).</p>"
    )


def test_variance_table_shows_rag_as_word_and_colour():
    import re

    html = views.variance_table(pipeline.analyse().variance).to_html()
    assert ">RAG</th>" in html
    words = dict(re.findall(r'<td id="T_\w+?_(row\d+)_col9" class="[^"]*" >([^<]*)</td>', html))
    assert list(words.values()) == ["Green", "Red", "Red", "Red", "Green", "none", "Red", "none"]
    styles = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", html):
        for cell in re.findall(r"_(row\d+)_col9\b", selectors):
            styles[cell] = styles.get(cell, "") + " ".join(body.split())
    # the swatch in the charts' colour of the word (formats.RAG_COLOURS), the word itself in ink
    red, green, none = (formats.RAG_COLOURS[w] for w in ("Red", "Green", "none"))
    assert f"font-weight: bold; border-left: 0.8em solid {red}" in styles["row2"]  # ICT: Red
    assert f"font-weight: bold; border-left: 0.8em solid {green}" in styles["row0"]  # Firearms: Green
    assert f"font-weight: normal; border-left: 0.8em solid {none}" in styles["row5"]  # Public Contact: no RAG
    assert "color:" not in styles["row2"]


def test_text_columns_read_from_the_left_and_figures_from_the_right():
    import re

    html = views.tidy_table(pipeline.analyse().sheet.tidy()).to_html()
    assert re.search(r"#T_\w+ th \{\n  text-align: left;\n\}", html)  # headers
    left = re.search(r"((?:#T_\w+_row\d+_col\d+, )*#T_\w+_row\d+_col\d+) \{\n  text-align: left;", html)[1]
    assert "_row0_col0" in left and "_row0_col2" not in left  # function is text; saving_gbp is a figure
