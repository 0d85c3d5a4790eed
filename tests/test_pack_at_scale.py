"""A real `bch pack` of 60 business cases over 10 editions: every case is in the variance and delivery charts
(read from the published SVGs' text), the trend covers every edition, and the board pack embeds every chart page."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from bch import cli
from tests import builders

CASES = 60
EDITIONS = 10
REGISTER_HEADER = (
    "function,sheet_labels,approved,forecast,revised_forecast,status,variance_causes,dependency,commentary,source\n"
)


def _case(i: int) -> str:
    return f"Function {i:02d} ({'North' if i % 2 else 'South'})"


def _catalogue(raw: Path) -> Path:
    """10 editions, as at March 2015 … March 2024, each adding a fiscal year; a register of the 60 cases."""
    raw.mkdir(parents=True)
    (raw / "cases.csv").write_text(
        REGISTER_HEADER
        + "".join(f"{_case(i)},{_case(i)},Oct 2014,£{40 * i}k,,implemented,,,,§6\n" for i in range(1, CASES + 1)),
        encoding="utf-8",
    )
    entries = []
    for n in range(EDITIONS):
        years = builders.fiscal_years(2014, n + 1)
        # £'000 a year per case; cases 1–25 deliver about a third of their forecast over ten years, the rest more
        functions = {_case(i): [(i if i <= 25 else 5 * i) for _ in years] for i in range(1, CASES + 1)}
        name = f"savings-{2015 + n}.xlsx"
        builders.save(builders.synthetic_book(years, functions, [-100] * len(years)), raw, name)
        as_of = dt.date(2015 + n, 3, 1)
        entries.append(
            {
                "as_of": as_of,
                "title": f"Edition {n + 1} (test)",
                "document_date": as_of,
                "sheet": "Savings",
                "savings": name,
                "register": "cases.csv",
                "register_reviewed": as_of,
            }
        )
    return builders.catalogue(raw, entries)


def _svg_texts(path: Path) -> str:
    return "\n".join("".join(e.itertext()) for e in ET.parse(path).iter() if e.tag.endswith("text"))


def test_sixty_cases_and_ten_editions_publish_every_case_in_every_chart(lent_kernel, capsys, tmp_path):
    catalogue = _catalogue(tmp_path / "raw")
    code = cli.main(["pack", "--catalogue", str(catalogue), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err, err
    figures = Path(out.strip()) / "figures"
    for chart in ("variance", "delivery"):
        pages = sorted(figures.glob(f"{chart}-*.svg"))
        assert len(pages) > 1, f"{chart}: 60 cases on one page"
        shown = "\n".join(_svg_texts(page) for page in pages)
        missing = [_case(i) for i in range(1, CASES + 1) if _case(i) not in shown]
        assert missing == [], f"{chart} charts lack {missing}"
        for page in pages:  # each page's title counts only what the page shows, and says which page it is
            assert re.search(r"page\s+\d+\s+of\s+\d+", _svg_texts(page)), page.name
    trend = "\n".join(_svg_texts(page) for page in sorted(figures.glob("trend*.svg")))
    assert "10 editions" in trend
    page = (Path(out.strip()) / "board-pack.html").read_text(encoding="utf-8")
    embedded = len(re.findall(r'<img src="data:image/png;base64,', page))
    assert embedded == len(list(figures.glob("*.png")))
