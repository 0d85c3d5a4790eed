"""Project hygiene: dependencies declared alike, a wheel that ships everything, importing writes nothing, raw data
untouched, make's targets real."""

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from bch import paths

ROOT = paths.ROOT
# conda-forge names that differ from PyPI's (beyond `_` against `-`, which _name folds)
CONDA_TO_PYPI = {"playwright-python": "playwright"}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower())


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _declared() -> set[str]:
    project = _project()
    return {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}


def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return {_name(line): line.split("==")[1].strip() for line in lines if "==" in line}


def _conda() -> tuple[dict[str, str], list]:
    """environment.yml's conda packages as {PyPI name: pinned version}, and its pip section."""
    dependencies = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    pinned = {}
    for spec in (d for d in dependencies if isinstance(d, str)):
        name = _name(spec)
        if name in {"python", "pip"}:
            continue
        assert "==" in spec, f"environment.yml: {spec} is not pinned with =="
        pinned[CONDA_TO_PYPI.get(name, name)] = spec.split("==")[1].strip()
    return pinned, next(d for d in dependencies if isinstance(d, dict))["pip"]


def test_environment_yml_and_pyproject_name_the_same_packages():
    conda, pip_part = _conda()
    assert set(conda) == _declared()
    assert pip_part == ["-e ."]


def test_environment_yml_pins_what_the_constraints_file_pins():
    conda, _ = _conda()
    pins = _pins()
    assert {name: pins.get(name) for name in conda} == conda


def test_every_dependency_is_pinned_in_the_constraints_file():
    assert _declared() - set(_pins()) == set()


def _third_party_imports() -> dict[str, str]:
    """Top-level module -> the first `file:line` importing it, for every non-stdlib import in bch/ (lazy ones too)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "bch").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for top in (m.split(".")[0] for m in modules):
                if top not in sys.stdlib_module_names and top != "bch":
                    found.setdefault(top, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_third_party_import_in_bch_is_a_declared_dependency():
    imported = _third_party_imports()
    assert {"pandas", "jinja2", "jupyter_client", "jupyter_core", "IPython"} <= set(imported)
    owners = importlib.metadata.packages_distributions()
    runtime = {_name(r) for r in _project()["dependencies"]}
    undeclared = {
        module: where for module, where in imported.items() if not {_name(d) for d in owners.get(module, [])} & runtime
    }
    assert undeclared == {}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """bch's wheel, built from a copy: setuptools writes build/ and bch.egg-info/ beside the sources it builds."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "bch", src / "bch", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp / "dist"
    dist.mkdir()
    # what `pip install .` asks of the build backend pyproject.toml names (PEP 517), without pip's start-up
    backend = "import sys, setuptools.build_meta as b; b.build_wheel(sys.argv[1])"
    proc = subprocess.run(
        [sys.executable, "-c", backend, str(dist)], capture_output=True, text=True, cwd=src, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = dist.glob("bch-*.whl")
    return built


@pytest.mark.wheel
def test_a_wheel_ships_the_templates_and_every_module(wheel):
    shipped = set(zipfile.ZipFile(wheel).namelist())
    files = [*(ROOT / "bch").rglob("*.j2"), *(ROOT / "bch").rglob("*.py")]  # every layer's modules, templates
    wanted = {p.relative_to(ROOT).as_posix() for p in files if p.is_file() and "__pycache__" not in p.parts}
    assert {"bch/present/templates/board-pack.html.j2", "bch/cli/parser.py", "bch/core/money.py"} <= wanted
    assert wanted - shipped == set()


@pytest.mark.wheel
@pytest.mark.notebook
def test_an_installed_bch_works_in_a_project_folder_and_with_project(wheel, tmp_path):
    """Installed as `pip install .` would (not from this checkout), bch finds data, notebooks and outputs in the
    project it runs in, or the one --project names, never in site-packages."""
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(site)]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True, timeout=120)
    project = tmp_path / "project"
    shutil.copytree(paths.RAW, project / "data" / "raw")
    (project / "notebooks").mkdir()
    for book in paths.NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(book, project / "notebooks" / book.name)
    env = {k: v for k, v in os.environ.items() if k != paths.PROJECT_ENV} | {"PYTHONPATH": str(site)}

    def bch(*argv: str, cwd) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bch", *argv], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
        )

    where = subprocess.run(
        [sys.executable, "-c", "import bch.paths as p; print(p.PACKAGE); print(p.ROOT)"],
        capture_output=True,
        text=True,
        cwd=project / "notebooks",
        env=env,
        check=True,
    ).stdout.split()
    assert where == [str(site / "bch"), str(project)]  # the installed copy, and the project found from inside it
    checked = bch("check", cwd=project / "data")
    assert checked.returncode == 0, checked.stderr
    said = checked.stdout.splitlines()
    assert said[0] == f"Savings sheet: {project / 'data' / 'raw' / 'bch-savings-2018-07-19.xlsx'} [Savings]"
    assert "  Recurrent savings a year   £6,151,000" in said
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    nowhere = bch("check", cwd=elsewhere)  # no project here, none named: one line, not site-packages
    assert (nowhere.returncode, nowhere.stderr.count("\n")) == (2, 1)
    assert str(elsewhere / "data" / "raw" / "editions.toml") in nowhere.stderr
    packed = bch("--project", str(project), "pack", "--quiet", cwd=elsewhere)
    assert packed.returncode == 0, packed.stderr
    (published,) = [p for p in (project / "outputs").iterdir() if p.is_dir() and not p.is_symlink()]
    assert (published / "board-pack.pdf").is_file() and (project / "outputs" / "latest").resolve() == published
    record = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    assert {entry["path"] for entry in record["inputs"]} == {
        str(project / "data" / "raw" / name)
        for name in ("bch-savings-2018-07-19.xlsx", "business-cases.csv", "paper-claims.csv")
    }
    assert not list(elsewhere.iterdir()) and not (site / "outputs").exists()
    _names_no_absolute_path(published, project, tmp_path)


def _names_no_absolute_path(pack: Path, project: Path, tmp_path: Path) -> None:
    """The board pack, its PDF's text and the reviewer notebooks name files relative to the project, never the
    publishing machine's folders (manifest.json, which is not a Board document, keeps them)."""
    absolute = str(project.resolve())
    html = (pack / "board-pack.html").read_text(encoding="utf-8")
    assert "editions.toml" in html and absolute not in html and str(tmp_path) not in html
    assert "data/raw/editions.toml" in html  # the catalogue, as the project names it
    for name in ("1.0-load-and-check", "2.0-reconcile-forecasts", "3.0-variance-charts"):
        for suffix in (".ipynb", ".html"):
            assert absolute not in (pack / f"{name}{suffix}").read_text(encoding="utf-8"), name + suffix
    notebook = (pack / "1.0-load-and-check.ipynb").read_text(encoding="utf-8")
    assert '"savings_path = \\"../data/raw/bch-savings-2018-07-19.xlsx\\"\\n"' in notebook
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pack / "board-pack.pdf"), "-"], capture_output=True, text=True)
        assert "Cambridgeshire's share" in text.stdout and absolute not in text.stdout


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
    # the file the script made once (its default target), whatever edition is current
    shipped = openpyxl.load_workbook(paths.RAW / "bch-savings-2018-07-19.xlsx")["Savings"]
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


def _make(*args: str) -> str:
    proc = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_make_lists_every_target_by_default_and_each_has_a_rule():
    phony = set(re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1).split())
    listed = {line.split()[1] for line in _make().splitlines() if line.startswith("  make ")}
    assert listed == phony
    for target in phony:  # a .PHONY target with no rule does nothing and still exits 0
        assert "Nothing to be done" not in _make("-n", target), target
    assert "ruff format --check" in _make("-n", "test")


def test_the_iri_grammar_is_skipped_only_while_jsonschema_imports():
    """jsonschema's RFC 3987 grammar costs seconds at import and no notebook check uses it (bch.publish.execute)."""
    probe = (
        "import sys, time; from bch.publish import execute; t = time.perf_counter()\n"
        "execute.import_jsonschema_without_iri_grammar(); import nbformat, papermill\n"
        "print('rfc3987_syntax' in sys.modules, sys.modules.get('rfc3987_syntax', 0) is None)\n"
        "import importlib.util; print(importlib.util.find_spec('rfc3987_syntax').name)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "rfc3987_syntax"]  # not loaded, not left blocked, still findable


def test_one_content_security_policy_declared_once_and_carried_by_every_html_template(tmp_path):
    """bch.present.html.CSP is the only policy in bch/ (templates included); every HTML template writes it through
    the `csp` variable, and the pages rendered without a kernel (a pack's file list, the output folder's index)
    carry it as declared. A published pack's HTML files: test_pack.py."""
    from bch.present import html
    from bch.publish import packindex, render

    sources = sorted(p for p in paths.PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".j2"))
    policies = {
        p.relative_to(paths.PACKAGE).as_posix(): p.read_text(encoding="utf-8").count("default-src") for p in sources
    }
    assert {name: n for name, n in policies.items() if n} == {"present/html.py": 1}
    assert html.CSP.startswith("default-src")
    templates = sorted(html.TEMPLATES.glob("*.html.j2"))
    assert len(templates) == 4  # board pack, reviewer, a pack's file list, the output folder's index
    for template in templates:
        text = template.read_text(encoding="utf-8")
        assert re.search(r'<meta http-equiv="Content-Security-Policy" content="\{\{ (resources\.)?csp \}\}">', text), (
            template.name
        )
    pack, out = tmp_path / "pack", tmp_path / "out"
    pack.mkdir()
    out.mkdir()
    render.index_html(pack, "2019-07-20")
    for page in (pack / "index.html", packindex.rebuild(out)):
        assert f'<meta http-equiv="Content-Security-Policy" content="{html.CSP}">' in page.read_text(encoding="utf-8")


MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(p for p in (ROOT / "bch").rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_reads_in_one_sitting():
    """No module over 300 lines, no function over 60 (issue 19): a module past them is split along its concerns."""
    long_modules = {
        p.relative_to(ROOT).as_posix(): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    long_functions = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions[f"{path.relative_to(ROOT).as_posix()}:{node.lineno} {node.name}"] = length
    assert (long_modules, long_functions) == ({}, {})


def test_the_architecture_page_names_every_module():
    """docs/architecture.md is the map of the package: a module it does not name is a module nobody can find."""
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+)/?`", page))
    modules = {p.stem if p.stem != "__init__" else p.parent.name for p in _modules()} - {"__main__", "bch"}
    assert modules - named == set()
