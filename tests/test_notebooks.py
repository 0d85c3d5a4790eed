"""Notebooks: thin and clean as committed, and executed by papermill on the shipped data."""

import ast
import json

import nbformat
import pandas as pd
import pytest

from bch import params, paths
from bch.core import findings
from bch.publish import notebooks

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def _project_files() -> dict[str, int]:
    """Every file under data/, notebooks/ and outputs/ with its modification time."""
    folders = (paths.DATA, paths.NOTEBOOKS, paths.OUTPUTS)
    return {str(p): p.stat().st_mtime_ns for folder in folders for p in folder.rglob("*") if p.is_file()}


BEFORE = _project_files()
NAMES = [nb.name for nb in NOTEBOOKS]


def test_the_notebooks_are_there():
    assert NAMES == [
        "1.0-load-and-check.ipynb",
        "2.0-reconcile-forecasts.ipynb",
        "3.0-variance-charts.ipynb",
        "4.0-explore.ipynb",  # the analysts' workbench: never in a pack (tests/test_explore.py)
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_committed_thin_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "a title and purpose first"
    assert nb.cells[1] is code[0], "then the parameters cell, the first code cell"
    assert all(not c.outputs and c.execution_count is None for c in code), "committed without outputs"
    assert code[0].metadata.get("tags") == ["parameters"]
    assert code[0].source == params.notebook_cell(), "exactly the declared parameters, typed and commented"
    tree = ast.parse(code[0].source)
    assigned = {t.target.id: ast.literal_eval(t.value) for t in tree.body if isinstance(t, ast.AnnAssign)}
    assert assigned == params.defaults(), "plain values, exactly the parameters bch validates"
    imports = [c for c in code if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.parse(c.source).body)]
    assert imports == [code[1]], "one import cell, right after the parameters"
    for cell in code:
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_bch_reads_each_parameters_cell_as_papermill_does(path):
    """What `bch pack` checks before any kernel starts is what `papermill --help-notebook` shows."""
    import papermill

    shown = {name: p["inferred_type_name"] for name, p in papermill.inspect_notebook(str(path)).items()}
    assert {name: kind.__name__ for name, kind in notebooks.declared_parameters(path).items()} == shown
    assert list(shown) == [p.name for p in params.NOTEBOOK_PARAMETERS]


def execute(kernel, name, tmp_path, **parameters):
    """Run one notebook with papermill into `tmp_path`, in the session's kernel after a reset (as a pack does)."""
    import papermill as pm

    out_dir = tmp_path / "out"
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / name
    kernel.reset()
    pm.execute_notebook(
        str(paths.NOTEBOOKS / name),
        str(out),
        parameters={"output_dir": str(out_dir), **parameters},
        kernel_name="python3",
        km=kernel.km,
        progress_bar=False,
        execution_timeout=120,
    )
    return out_dir, nbformat.read(out, as_version=4)


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _as_text(frame):
    csv = frame.to_csv(index=False, lineterminator="\n")
    from io import StringIO

    return pd.read_csv(StringIO(csv), dtype=str, keep_default_na=False)


def test_load_and_check(notebook_kernel, tmp_path, analysis):
    out_dir, nb = execute(notebook_kernel, "1.0-load-and-check.ipynb", tmp_path)
    pd.testing.assert_frame_equal(_read(out_dir / "savings-tidy.csv"), _as_text(analysis.sheet.tidy()))
    pd.testing.assert_frame_equal(_read(out_dir / "findings.csv"), _as_text(findings.findings_frame(analysis.findings)))
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "As at 19 July 2018: Recurrent savings <b>£6,151k</b>" in html
    assert "Savings!B13" in html


def test_load_and_check_follows_its_savings_parameter(notebook_kernel, tmp_path, shipped):
    from tests import builders

    book, ws = shipped
    ws["G5"] = 1500
    path = str(builders.save(book, tmp_path))
    out_dir, _ = execute(notebook_kernel, "1.0-load-and-check.ipynb", tmp_path, savings_path=path)
    found = _read(out_dir / "findings.csv")
    assert found.iloc[0].tolist()[:3] == ["error", "row-total", "Savings!G5"]


def test_reconcile_follows_its_materiality_parameter(notebook_kernel, tmp_path):
    """The notebook's tables are bch's own analysis at the materiality it is given (its defaults resolve as
    load-and-check's do: the parameters cells are one declaration)."""
    from bch.analyse import pipeline

    out_dir, _ = execute(notebook_kernel, "2.0-reconcile-forecasts.ipynb", tmp_path, materiality_pct=35.0)
    wider = pipeline.analyse(materiality_pct=35.0)
    pd.testing.assert_frame_equal(_read(out_dir / "variance.csv"), _as_text(wider.variance))
    pd.testing.assert_frame_equal(_read(out_dir / "claims.csv"), _as_text(wider.claims))
    variance = _read(out_dir / "variance.csv").set_index("function")
    assert variance.loc["ICT", "status"] == "delivered"  # 68.2% is within 35%
    assert variance.loc["Custody", "status"] == "under-delivered"


def test_charts(shipped_pack):
    """The charts notebook as the pack ran it (its parameters cell is the others': their default runs above
    stand for it), and the figures it saved; that they follow materiality: test_charts.py."""
    nb = nbformat.read(shipped_pack / "3.0-variance-charts.ipynb", as_version=4)
    for name in ("variance", "delivery", "recurrent-by-year", "cumulative"):
        assert (shipped_pack / "figures" / f"{name}.png").stat().st_size > 10_000
        assert (shipped_pack / "figures" / f"{name}.svg").stat().st_size > 10_000
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 4
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def test_a_bad_parameter_stops_the_notebook_with_the_validation_message(notebook_kernel, tmp_path):
    """In a kernel, as an analyst or papermill meets it (every message: test_params.py)."""
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as failure:
        execute(notebook_kernel, "1.0-load-and-check.ipynb", tmp_path, materiality_pct=150.0)
    assert failure.value.ename == "ParameterError"
    assert failure.value.evalue == "parameter materiality_pct must be from 0 to under 100, not 150.0"
    assert failure.value.source.startswith("run = params.from_notebook(globals())")  # the first cell after imports


def test_notebook_runs_never_write_into_the_project():
    """Runs last in this module: the notebooks above ran (the charts notebook in the session's pack), and
    data/, notebooks/ and outputs/ are as they were."""
    assert _project_files() == BEFORE
    assert all(not c.get("outputs") for c in json.loads((paths.NOTEBOOKS / NAMES[0]).read_text())["cells"])
