"""Benchmark the trend across editions (`bch.analyse.history.trend`): every earlier edition read once, then kept.

A catalogue of N editions is built in a temp dir (each edition the shipped workbook under its own name, dated a
week apart after the shipped one), then the newest edition's trend is computed in a fresh process, twice: with an
empty cache (every earlier edition analysed) and again with the cache the first run left. Each run's wall time and
the child's own peak RSS (os.wait4's rusage) are printed. Goals (issue 20): the cached trend of the most editions a
catalogue may hold (bch.read.editions.MAX_EDITIONS) in a few seconds, and memory that follows one edition, not the
catalogue.

Run: .venv/bin/python benchmarks/bench_trend.py [--editions 10 50 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bch.core.digest import sha256  # noqa: E402
from bch.read import editions  # noqa: E402
from tests import builders  # noqa: E402

CHILD = """
import sys
from bch import params
from bch.analyse import history, pipeline
run = params.validate(catalogue_path=sys.argv[1])
trend = history.trend(run, pipeline.analyse_run(run))
assert len(trend.editions) == int(sys.argv[2]), trend.editions
"""


def catalogue(folder: Path, count: int) -> Path:
    shipped = editions.load().newest()
    shutil.copy(shipped.register, folder / shipped.register.name)
    register = sha256(shipped.register)
    entries = []
    for index in range(count):
        as_of = shipped.as_of + dt.timedelta(weeks=index)
        name = f"savings-{as_of.isoformat()}.xlsx"
        shutil.copy(shipped.savings, folder / name)
        entries.append(
            {
                "as_of": as_of,
                "title": f"edition {index + 1}",
                "document_date": as_of,
                "sheet": "Savings",
                "savings": name,
                "register": shipped.register.name,
                "register_reviewed": shipped.as_of,
                "sha256": {"savings": sha256(shipped.savings), "register": register},
            }
        )
    return builders.catalogue(folder, entries)


def run(path: Path, count: int, cache: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one trend in a fresh process."""
    env = {**os.environ, "BCH_CACHE": str(cache)}
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(count)], env=env)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"the trend of {count} editions failed")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--editions", type=int, nargs="+", default=[10, 50, editions.MAX_EDITIONS])
    args = parser.parse_args()
    for count in args.editions:
        with tempfile.TemporaryDirectory(prefix="bch-bench-trend-") as folder:
            path = catalogue(Path(folder), count)
            cache = Path(folder) / "cache"
            cold = run(path, count, cache)
            warm = run(path, count, cache)
        print(
            f"{count:4d} editions: empty cache {cold[0]:6.2f} s, {cold[1]:5.0f} MB peak; "
            f"cached {warm[0]:6.2f} s, {warm[1]:5.0f} MB peak"
        )


if __name__ == "__main__":
    main()
