"""Benchmark a newcomer's first run: `git clone`, then `make report` (build .venv, check, publish a pack), timed
from the clone to make's exit; with --test, also a fresh clone's `make test` (build .venv, lint, the whole suite).

Each run clones into a new temporary folder and gives uv a new, empty cache (UV_CACHE_DIR), so every package is
downloaded again: the cold start a fresh machine sees. --warm keeps one cache across runs (a developer's second
clone). Goal (issue 19): `make report` under 60 s and `make test` under 90 s on a 2-core machine.

Run: python3 benchmarks/bench_setup.py [--runs N] [--warm] [--test]   (needs only Python, make and git)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def first_run(target: str, cache: Path) -> float:
    """Seconds from `git clone` to the exit of `make target` in the clone; raises if either fails."""
    with tempfile.TemporaryDirectory(prefix="bch-bench-setup-") as folder:
        clone = Path(folder) / "bch"
        env = {**os.environ, "UV_CACHE_DIR": str(cache)}
        start = time.perf_counter()
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        done = subprocess.run(["make", target], cwd=clone, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"make {target} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return seconds


def measure(target: str, runs: int, warm: bool) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="bch-bench-uv-cache-") as shared:
        times = []
        for _ in range(runs):
            if warm:
                times.append(first_run(target, Path(shared)))
            else:
                with tempfile.TemporaryDirectory(prefix="bch-bench-uv-cache-") as cold:
                    times.append(first_run(target, Path(cold)))
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warm", action="store_true", help="one uv cache for every run (the first fills it)")
    parser.add_argument("--test", action="store_true", help="also time a fresh clone's `make test`")
    args = parser.parse_args()
    cache = "warm (shared across runs)" if args.warm else "cold (empty for each run)"
    print(f"{os.cpu_count()} cores; uv cache {cache}; {args.runs} run(s) each")
    goals = {"report": 60, "test": 90}
    for target in ("report", "test") if args.test else ("report",):
        times = measure(target, args.runs, args.warm)
        median = statistics.median(times)
        shown = ", ".join(f"{t:.1f}" for t in times)
        print(f"git clone + make {target:<7}: median {median:6.1f} s  runs {shown}  (goal < {goals[target]} s)")


if __name__ == "__main__":
    main()
