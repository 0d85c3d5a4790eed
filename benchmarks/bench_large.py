"""Benchmark `bch check` on hostile and large workbooks against the shipped one: time and peak memory.

Run: .venv/bin/python benchmarks/bench_large.py [--runs N]
Goals: each hostile workbook within 2x the wall time of checking the shipped workbook, a 20,000-row
table (refused past bch.read.workbook.MAX_FUNCTIONS) within 10x, and peak RSS under 500 MB for any input
under 10 MB. Each case runs `python -m bch check --json --savings FILE` in a fresh process; its peak RSS is
that child's own (os.wait4's rusage), so one case's memory never shows in another's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import builders  # noqa: E402


def run(path: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of one `bch check --json` on `path`."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bch", "check", "--json", "--savings", str(path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, child.returncode  # ru_maxrss is in KiB on Linux


def build(folder: Path) -> list[tuple[str, Path, float]]:
    """(case, file, goal as a multiple of the shipped workbook's time)."""
    cases = []

    def shipped(name: str) -> Path:
        return builders.save(builders.shipped_book(), folder, name)

    cases.append(("shipped workbook (baseline)", shipped("shipped.xlsx"), 1.0))
    cases.append(("1 GiB XML part (refused)", builders.add_part(shipped("bomb.xlsx"), "xl/bomb.xml", 2**30), 2.0))
    cases.append(("formatting to row 10,000", builders.formatted_down_to(shipped("formatted.xlsx"), 10_000), 2.0))
    book = builders.shipped_book()
    book.active["C100000"] = 7
    cases.append(("stray value at C100000", builders.save(book, folder, "stray.xlsx"), 2.0))
    book = builders.shipped_book()
    book.active["XFD1048576"] = 7
    cases.append(("value in XFD1048576", builders.save(book, folder, "last-cell.xlsx"), 2.0))
    dimension = builders.declare_dimension(shipped("dimension.xlsx"))
    cases.append(('<dimension ref="A1:XFD1048576"/>', dimension, 2.0))
    cases.append(
        (
            "20,000-row table (refused at 1,001)",
            builders.save(builders.big_table(20_000), folder, "rows20000.xlsx"),
            10.0,
        )
    )
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per case; the median is reported")
    args = parser.parse_args()
    # bytecode compiled once, as a regular install has it (PYTHONDONTWRITEBYTECODE may be set here)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bch")], check=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-large-"))
    try:
        cases = build(folder)
        run(cases[0][1])  # warm the page cache
        baseline = None
        print(f"{'case':<36} {'file MB':>8} {'exit':>4} {'seconds':>8} {'ratio':>6} {'goal':>5} {'peak MB':>8}")
        for name, path, goal in cases:
            results = [run(path) for _ in range(args.runs)]
            seconds = statistics.median(r[0] for r in results)
            peak = max(r[1] for r in results)
            baseline = baseline or seconds
            ratio = seconds / baseline
            verdict = "ok" if ratio <= goal and peak < 500 else "MISS"
            size = path.stat().st_size / 2**20
            print(
                f"{name:<36} {size:>8.2f} {results[0][2]:>4} {seconds:>8.2f} {ratio:>5.2f}x {goal:>4.0f}x "
                f"{peak:>8.1f}  {verdict}"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
