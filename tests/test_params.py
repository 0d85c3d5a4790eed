"""The one parameter declaration: validation, the notebooks' cell, the CLI and PackOptions derive from it."""

import dataclasses
import math

import pytest

from bch import params, paths
from bch.cli import parser as cliparser
from bch.core.errors import ParameterError
from bch.publish import notebooks, packoptions


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"materiality_pct": 150.0}, "parameter materiality_pct must be from 0 to under 100, not 150.0"),
        ({"materiality_pct": math.nan}, "parameter materiality_pct must be from 0 to under 100, not nan"),
        ({"as_of": "19/07/2018"}, "parameter as_of must be an ISO date like 2019-07-18, not '19/07/2018'"),
        ({"savings_path": "nope.xlsx"}, "parameter savings_path: no such file"),
        ({"strict": "yes"}, "parameter strict must be bool, not str ('yes')"),
        ({"materiality_pct": True}, "parameter materiality_pct must be float, not bool (True)"),
    ],
)
def test_a_notebooks_bad_parameter_is_one_clear_message(values, message):
    """What a notebook's first cell after the parameters raises (one such run in a kernel: test_notebooks.py)."""
    namespace = {**params.defaults(params.NOTEBOOK), **values}
    with pytest.raises(ParameterError) as failure:
        params.from_notebook(namespace)
    assert message in str(failure.value)
    assert "\n" not in str(failure.value)


def test_the_defaults_resolve_to_the_newest_edition_from_notebooks():
    run = params.from_notebook(params.defaults(params.NOTEBOOK))
    assert run.inputs.edition.key == "2018-07-19"
    assert run.inputs.savings == paths.ROOT / "data/raw/bch-savings-2018-07-19.xlsx"
    assert (run.materiality_pct, run.strict) == (10.0, False)
    assert run.output_dir == paths.ROOT / "data/processed"


def test_an_int_is_a_float_and_minus_zero_is_zero():
    assert params.check_value("materiality_pct", 15) == 15.0
    assert str(params.check_value("materiality_pct", -0.0)) == "0.0"
    with pytest.raises(ParameterError, match="parameter cell_timeout must be at least 1, not 0"):
        params.check_value("cell_timeout", 0)
    with pytest.raises(ParameterError, match="unknown parameter 'materiality'"):
        params.check_value("materiality", 10.0)


def test_the_cli_options_are_the_declared_ones_with_their_defaults_in_help():
    parser = cliparser.build()
    text = parser._subparsers._group_actions[0].choices["pack"].format_help()
    for p in params.of(params.PACK):
        assert p.option in text, p.name
    assert "(default: 10.0)" in text and "(default: 300)" in text
    check = parser._subparsers._group_actions[0].choices["check"].format_help()
    assert "--strict" not in check and "--cell-timeout" not in check


def test_pack_options_are_the_declared_pack_parameters_and_the_runs_own():
    fields = {f.name: f.default for f in dataclasses.fields(packoptions.PackOptions)}
    declared = {p.name: p.cli_default() for p in params.of(params.PACK)}
    assert {k: fields[k] for k in declared} == declared
    assert set(fields) - set(declared) == {"out", "books", "if_changed", "allow_dirty"}


def test_a_notebook_cell_states_each_parameter_typed_with_its_help():
    cell = params.notebook_cell().splitlines()
    assert cell[0].startswith("# Parameters")
    assert 'catalogue_path: str = "../data/raw/editions.toml"  # the editions catalogue' in cell
    assert "materiality_pct: float = 10.0  # variance beyond this % of forecast is material" in cell
    assert len(cell) == 1 + len(params.NOTEBOOK_PARAMETERS)


def notebook_with_parameters(tmp_path, source: str):
    """A minimal notebook whose cell tagged `parameters` holds `source`."""
    import json

    cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": source, "outputs": []}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


@pytest.mark.parametrize(
    ("source", "declared"),
    [
        ("s = 'a # b'  # a hash inside the string\n", {"s": str}),
        ("a = 1; b = 2.5\n", {"a": int, "b": float}),
        ('s = "x = 1"\n', {"s": str}),
        ("m: float = 10\n", {"m": float}),  # the annotation, not the literal
        ("s: str | None = None\n", {"s": object}),  # an annotation bch does not check takes any value
        ("if True:\n    x = 1\n", {}),
    ],
)
def test_a_parameters_cell_is_read_as_python(tmp_path, source, declared):
    assert notebooks.declared_parameters(notebook_with_parameters(tmp_path, source)) == declared


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x = f(1)\n", "nb.ipynb parameter x: f(1) is not a plain value"),
        ("x = (\n", "nb.ipynb's parameters cell is not Python (line 1)"),
    ],
)
def test_a_parameters_cell_bch_cannot_read_is_one_message(tmp_path, source, message):
    with pytest.raises(ParameterError) as failure:
        notebooks.declared_parameters(notebook_with_parameters(tmp_path, source))
    assert str(failure.value) == message


def test_a_file_that_is_not_a_notebook_or_has_no_parameters_cell(tmp_path):
    junk = tmp_path / "junk.ipynb"
    junk.write_text("not json")
    with pytest.raises(ParameterError, match=r"^cannot read junk.ipynb as a notebook: "):
        notebooks.declared_parameters(junk)
    untagged = notebook_with_parameters(tmp_path, "x = 1\n")
    untagged.write_text(untagged.read_text().replace('["parameters"]', "[]"))
    with pytest.raises(ParameterError, match=r"^nb.ipynb has no cell tagged 'parameters'$"):
        notebooks.declared_parameters(untagged)
