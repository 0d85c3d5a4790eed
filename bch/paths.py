"""Every default path of the project, in one place."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RAW = DATA / "raw"
NOTEBOOKS = ROOT / "notebooks"
OUTPUTS = ROOT / "outputs"
CATALOGUE = RAW / "editions.toml"  # which files make each edition of the inputs
