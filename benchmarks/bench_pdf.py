"""Benchmark the board pack's PDF against the length of the longest unbroken text in its tables.

A register's commentary and the catalogue's recommendation are input: a finance export can put thousands of
characters without a space in one cell. The PDF's time must follow that length, not its square. Each length
is drawn twice: as bch draws it (break points marked by `bch.present.html.breakable`, tables sized by them),
and as it was drawn before (the reasons table sized by its content, its cells allowed to break at any character,
`overflow-wrap: anywhere`, which WeasyPrint measures by trying each character in turn).

Run: .venv/bin/python benchmarks/bench_pdf.py [--lengths 0 1500 3000 6000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bch.analyse import pipeline  # noqa: E402
from bch.present import boardpack, charts  # noqa: E402
from tests import next_editions  # noqa: E402

PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f80f0000010101001807e9a90000000049454e44ae426082"
)
AS_BEFORE = (  # every table sized by its content, every cell free to break at any character
    "<style>table { table-layout: auto !important; } table td, table th { overflow-wrap: anywhere !important; }"
    "</style></head>"
)


def page_with(length: int, folder: Path) -> str:
    """The shipped edition's board pack, ICT's commentary replaced by `length` characters without a space."""

    def edit(rows: list[list[str]]) -> None:
        column = rows[0].index("commentary")
        for row in rows[1:]:
            if row[0] == "ICT" and length:
                row[column] = "A" * length

    catalogue = next_editions.hand_edited(next_editions.raw_folder(folder, 1), "business-cases.csv", edit)
    analysis = pipeline.analyse(catalogue=catalogue)
    figures = folder / "figures"
    figures.mkdir()
    for name in charts.names(None, analysis.variance):
        (figures / f"{name}.png").write_bytes(PIXEL)
    context = boardpack.build_context(
        analysis,
        run_date=dt.date(2026, 12, 5),
        pack_name="2026-12-05",
        figures_dir=figures,
        changes=[],
        previous_pack=None,
        previous_as_of=None,
        previous_unreadable=None,
        parameters={},
        versions={"bch": "0", "python": "3", "pandas": "2", "openpyxl": "3", "matplotlib": "3", "papermill": "2"},
        git={"commit": "0" * 40, "dirty": False},
        trend=None,
    )
    return boardpack.render_html(context)


def seconds_to_draw(page: str, target: Path) -> float:
    start = time.process_time()
    boardpack.render_pdf(page, target)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lengths", type=int, nargs="+", default=[0, 1500, 3000, 6000])
    args = parser.parse_args()
    print(f"{'characters':>10}  {'bch (CPU s)':>11}  {'as before (CPU s)':>17}")
    for length in args.lengths:
        with tempfile.TemporaryDirectory() as tmp:
            page = page_with(length, Path(tmp))
            now = seconds_to_draw(page, Path(tmp) / "now.pdf")
            before = seconds_to_draw(page.replace("<wbr>", "").replace("</head>", AS_BEFORE, 1), Path(tmp) / "b.pdf")
        print(f"{length:>10,}  {now:>11.2f}  {before:>17.2f}")


if __name__ == "__main__":
    main()
