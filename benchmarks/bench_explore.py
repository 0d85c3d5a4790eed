"""Benchmark the explore notebook's slider: a materiality change re-runs the reconciliation only.

Goal (issue 18): a slider change lands in under a second, median of 10. Measured on the shipped edition and on
a 60-function, 10-edition catalogue built in a temp dir (a `tests/builders.py` workbook of 60 lines, a register
of 60 cases, each edition a week after the last). For each: the first analysis of the newest edition (read,
checked, reconciled: paid once per edition, then kept), then ten slider changes (the variance re-reconciled and
the explore table built as its DataTable HTML, as the notebook does), then ten what-if changes; medians printed.

Run: .venv/bin/python benchmarks/bench_explore.py
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bch import params, paths  # noqa: E402
from bch.analyse import explorecache, scenario  # noqa: E402
from bch.core.digest import sha256  # noqa: E402
from bch.present.explore import table  # noqa: E402
from bch.read import register  # noqa: E402
from tests import builders  # noqa: E402

FUNCTIONS, EDITIONS, RUNS = 60, 10, 10
SLIDER = [12.5, 15.0, 17.5, 20.0, 22.5, 25.0, 30.0, 35.0, 40.0, 45.0]


def catalogue(folder: Path, functions: int = FUNCTIONS, count: int = EDITIONS) -> Path:
    """`count` editions of a `functions`-line workbook and register, a week apart (every total foots)."""
    years = builders.fiscal_years(2014, 5)
    lines = {f"Function {i:02d}": [None, 10 + i, 20 + i, None, 30 + 2 * i] for i in range(functions)}
    savings = builders.save(builders.synthetic_book(years, lines, [-100] * 5), folder, "savings.xlsx")
    cases = folder / "register.csv"
    with cases.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(register.COLUMNS)
        for i, label in enumerate(lines):
            forecast = f"£{(60 + 3 * i + (i % 7) * 15)}k"  # delivered: 60 + 4i £k; some short, some over
            writer.writerow([label, label, "Jan 2016", forecast, "", "implemented", "", "", "", "§6"])
    first = dt.date(2018, 7, 19)
    entries = [
        {
            "as_of": as_of,
            "title": f"edition {index + 1}",
            "document_date": as_of,
            "sheet": "Savings",
            "savings": "savings.xlsx",
            "register": "register.csv",
            "register_reviewed": as_of,
            "sha256": {"savings": sha256(savings), "register": sha256(cases)},
        }
        for index, as_of in enumerate(first + dt.timedelta(weeks=n) for n in range(count))
    ]
    return builders.catalogue(folder, entries)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(name: str, path: Path) -> None:
    first = timed(lambda: explorecache.base(path, ""))
    base = explorecache.base(path, "")
    cases = len(base.analysis.variance)
    rags = {k: int(v) for k, v in base.variance(20.0)["rag"].value_counts().items()}
    trend = timed(lambda: base.trend(params.validate(catalogue_path=str(path))))

    def slide(m: float):
        return table.itable_html(table.view(base.variance(m), m), f"materiality {m}%")

    slider = [timed(lambda m=m: slide(m)) for m in SLIDER[:RUNS]]
    first_case = base.register.cases["function"].iloc[0]
    edits = [(scenario.Edit(first_case, base.as_of, 1000 * (k + 1)),) for k in range(RUNS)]
    what_if = [timed(lambda e=e: table.view(base.variance(20.0, e), 20.0)) for e in edits]
    print(
        f"{name}: {cases} cases (at 20%: {rags}); first analysis {first:.2f} s, its trend {trend:.2f} s (once); "
        f"slider change median {statistics.median(slider) * 1000:.0f} ms (max {max(slider) * 1000:.0f} ms); "
        f"what-if median {statistics.median(what_if) * 1000:.0f} ms"
    )
    if statistics.median(slider) >= 1.0:
        sys.exit(f"{name}: a slider change took over a second (median)")


def main() -> None:
    measure("shipped edition", paths.CATALOGUE)
    with tempfile.TemporaryDirectory(prefix="bch-bench-explore-") as folder:
        path = catalogue(Path(folder))
        measure(f"{FUNCTIONS} functions, {EDITIONS} editions", path)


if __name__ == "__main__":
    main()
