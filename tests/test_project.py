"""Project hygiene: dependencies declared alike, importing writes nothing, raw data untouched."""

import re
import subprocess
import sys
import tomllib

import yaml

from bch import paths

ROOT = paths.ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_and_pyproject_name_the_same_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    listed = {_name(d) for d in conda if isinstance(d, str)} - {"python", "pip"}
    assert listed == declared
    pip_part = next(d for d in conda if isinstance(d, dict))["pip"]
    assert pip_part == ["-e ."]


def test_every_dependency_is_pinned_in_the_constraints_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = {
        _name(line): line.split("==")[1] for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line
    }
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert _name(requirement) in pinned, requirement


def test_importing_bch_writes_nothing_and_imports_little(tmp_path):
    before = sorted(p.relative_to(ROOT) for p in (ROOT / "data").rglob("*"))
    probe = (
        "import sys, bch, bch.paths; print(sorted(m for m in sys.modules if m.startswith(('pandas', 'matplotlib'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout.strip() == "[]"
    assert sorted(p.relative_to(ROOT) for p in (ROOT / "data").rglob("*")) == before


def test_the_raw_workbook_is_the_transcription_of_table_5_2(tmp_path):
    """The shipped file holds exactly what the transcription script writes (its provenance)."""
    import openpyxl

    script = ROOT / "scripts" / "transcribe_table_5_2.py"
    fresh = tmp_path / "fresh.xlsx"
    subprocess.run([sys.executable, str(script), str(fresh)], check=True, capture_output=True)
    shipped = openpyxl.load_workbook(paths.SAVINGS_WORKBOOK)["Savings"]
    rebuilt = openpyxl.load_workbook(fresh)["Savings"]
    assert [[c.value for c in row] for row in shipped.iter_rows()] == [
        [c.value for c in row] for row in rebuilt.iter_rows()
    ]


def test_the_transcription_script_never_overwrites(tmp_path):
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"as received")
    script = ROOT / "scripts" / "transcribe_table_5_2.py"
    proc = subprocess.run([sys.executable, str(script), str(target)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert target.read_bytes() == b"as received"
