"""Benchmark `bch pack` against the floor, measured alternately in one run.

The floor (issue 5): papermill executing one notebook that only imports pandas, matplotlib and
seaborn and draws one bar chart, plus one `jupyter nbconvert --to html` of it: one kernel start,
one import of the stack, one render. Goal: `bch pack` on the shipped data within 1.5x the floor.

Also `bch pack --if-changed` when nothing changed (issue 8): it must decide without starting a
kernel, within 2x the wall time of `bch check --json` on the same data.

Run: .venv/bin/python benchmarks/bench_pack.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def floor_notebook(folder: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(
        cells=[
            new_code_cell("import pandas as pd\nimport matplotlib.pyplot as plt\nimport seaborn as sns"),
            new_code_cell("fig, ax = plt.subplots()\nax.bar(['a', 'b', 'c'], [1, 3, 2])\nplt.show()"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def timed(commands: list[list[str]], cwd: Path) -> float:
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bch")], check=True)  # as bench_check
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        notebook = floor_notebook(tmp)
        floor = [
            [str(BIN / "papermill"), "-k", "python3", "--no-progress-bar", str(notebook), str(tmp / "out.ipynb")],
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(tmp / "out.ipynb")],
        ]
        packs = tmp / "packs"
        pack = [[str(BIN / "bch"), "pack", "--out", str(packs), "--quiet"]]
        timed(floor, tmp), timed(pack, tmp)  # warm caches (fonts, bytecode)
        floors, totals = [], []
        for _ in range(args.runs):  # alternate, so drift hits both alike
            floors.append(timed(floor, tmp))
            totals.append(timed(pack, tmp))
        manifest = json.loads((packs / "latest" / "manifest.json").read_text())
        unchanged = [[str(BIN / "bch"), "pack", "--out", str(packs), "--quiet", "--if-changed"]]
        check = [[str(BIN / "bch"), "check", "--json"]]
        published = len(list(packs.iterdir()))
        ifs, checks = [], []
        for _ in range(args.runs * 2):
            ifs.append(timed(unchanged, tmp))
            checks.append(timed(check, tmp))
        assert len(list(packs.iterdir())) == published, "--if-changed published a pack"
    i, c = statistics.median(ifs), statistics.median(checks)
    print(f"bch check --json             : median {c:5.2f} s  runs {', '.join(f'{x:.2f}' for x in checks)}")
    print(f"bch pack --if-changed        : median {i:5.2f} s  runs {', '.join(f'{x:.2f}' for x in ifs)}")
    print(f"ratio                        : {i / c:.2f}x (goal <= 2.00x; nothing published)")
    f, p = statistics.median(floors), statistics.median(totals)
    print(f"floor (papermill + nbconvert): median {f:5.2f} s  runs {', '.join(f'{x:.2f}' for x in floors)}")
    print(f"bch pack                     : median {p:5.2f} s  runs {', '.join(f'{x:.2f}' for x in totals)}")
    print(f"ratio                        : {p / f:.2f}x (goal <= 1.50x)")
    print("last pack's notebooks (in execution order, seconds in the shared kernel):")
    for run in manifest["notebooks"]:
        print(f"  {run['name']:<32} {run['seconds']:5.2f} s")


if __name__ == "__main__":
    main()
