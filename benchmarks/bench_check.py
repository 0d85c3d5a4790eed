"""Benchmark `bch check`: start-up against the import floor, and loader growth with table size.

Run: .venv/bin/python benchmarks/bench_check.py [--runs N]
Goal (issue 2): `bch check` on the shipped data within 1.2x the wall time of
`python -c "import pandas, openpyxl"`, measured alternately in one run; loader time grows linearly.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bch.analyse import checks  # noqa: E402
from bch.read import workbook  # noqa: E402
from tests import builders  # noqa: E402


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def startup(runs: int) -> None:
    # pandas and openpyxl come with bytecode compiled at install; an editable bch does not, and
    # where PYTHONDONTWRITEBYTECODE is set it would be compiled from source on every run. Compile
    # it once, as a regular install does, so both sides are measured alike.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bch")], check=True)
    floor_cmd = [sys.executable, "-c", "import pandas, openpyxl"]
    check_cmd = [sys.executable, "-m", "bch", "check", "--json"]
    wall(floor_cmd), wall(check_cmd)  # warm the page cache
    floor, check = [], []
    for _ in range(runs):  # alternate, so drift hits both alike
        floor.append(wall(floor_cmd))
        check.append(wall(check_cmd))
    f, c = statistics.median(floor), statistics.median(check)
    print(f"import pandas, openpyxl : median {f * 1000:7.1f} ms over {runs} runs")
    print(f"bch check --json        : median {c * 1000:7.1f} ms over {runs} runs")
    print(f"ratio                   : {c / f:.2f}x (goal <= 1.20x)")


def table(rows: int, years: int) -> tuple[list[str], dict, list[int]]:
    names = [f"Function {i}" for i in range(rows)]
    fy = builders.fiscal_years(1900, years)
    functions = {name: [(i * 7 + j) % 900 + 1 for j in range(years)] for i, name in enumerate(names)}
    return fy, functions, [-(j % 50) - 1 for j in range(years)]


def loader(repeats: int) -> None:
    print("\nloader + checks (read_savings + check_sheet), best of", repeats)
    print(f"{'rows x years':>14} {'cells':>8} {'seconds':>9} {'us/cell':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for rows, years in [(6, 5), (60, 5), (600, 5), (6, 50), (6, 500), (60, 50)]:
            fy, functions, costs = table(rows, years)
            path = builders.save(builders.synthetic_book(fy, functions, costs), Path(tmp), f"t{rows}x{years}.xlsx")
            best = float("inf")
            for _ in range(repeats):
                start = time.perf_counter()
                sheet = workbook.read_savings(path)
                found = checks.check_sheet(sheet)
                best = min(best, time.perf_counter() - start)
            assert not found, found[:3]
            cells = (rows + 5) * (years + 1)
            print(f"{rows:>6} x {years:<5} {cells:>8} {best:>9.3f} {best / cells * 1e6:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    startup(args.runs)
    loader(args.repeats)


if __name__ == "__main__":
    main()
