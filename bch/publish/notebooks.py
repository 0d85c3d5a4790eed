"""The pack's notebooks read as files, before and after they run: which there are, the parameters each
declares, and the parameters an executed one was given.

Every reading goes through one cell parser (`cells`, `tagged`, `source`): the notebook's JSON read as
plain JSON, nbformat not imported, so the parameters are checked before any kernel starts and `bch verify`
reads a pack without the notebook stack. Both the run (`bch.publish.execute`) and `bch verify`
(`bch.publish.verify`) read cells here, so they read them alike.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from bch import paths
from bch.core.errors import ParameterError

# The explore notebook is an analyst's workbench (`make explore`): it writes only into `paths.EXPLORE`, holds
# scenarios that are not the Board's figures, and its metadata (`"bch": {"pack": false}`) keeps every pack from
# executing it, whatever it is named.
TYPES = {"str": str, "float": float, "int": int, "bool": bool}  # the annotations a parameters cell may use


def cells(notebook: Path) -> list:
    """A notebook file's cells, read as plain JSON. Raises what reading raises: OSError, ValueError (not UTF-8, not
    JSON), KeyError (no cells), TypeError (not an object); each caller says it in its own words."""
    return json.loads(notebook.read_bytes().decode("utf-8"))["cells"]


def tagged(found: list, tag: str) -> dict | None:
    """The first cell tagged `tag` (None when there is none)."""
    return next((c for c in found if tag in c.get("metadata", {}).get("tags", [])), None)


def source(cell: dict) -> str:
    """A cell's source as one string (nbformat stores a list of lines or one string)."""
    text = cell.get("source", "")
    return text if isinstance(text, str) else "".join(map(str, text))


def in_pack(notebook: Path) -> bool:
    """Whether a pack executes `notebook`: every numbered notebook but those whose own metadata says
    `"bch": {"pack": false}` (the explore notebook), whatever the file is named. A notebook that can't be read
    as JSON counts as in the pack, where running it says why in one line."""
    try:
        declared = json.loads(notebook.read_bytes().decode("utf-8"))["metadata"].get("bch", {})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return True
    return not (isinstance(declared, dict) and declared.get("pack") is False)


def in_order() -> list[Path]:
    """The pack's notebooks, in their numbered order (the explore notebooks left out: `in_pack`)."""
    return sorted(p for p in paths.NOTEBOOKS.glob("[0-9]*.ipynb") if in_pack(p))


def explore_notebook() -> Path:
    """The analysts' notebook `make explore` opens: the numbered one no pack executes (`in_pack`)."""
    found = sorted(p for p in paths.NOTEBOOKS.glob("[0-9]*.ipynb") if not in_pack(p))
    if not found:
        raise ParameterError(f"no explore notebook (metadata bch.pack false) in {paths.NOTEBOOKS}")
    return found[0]


def declared_parameters(notebook: Path) -> dict[str, type]:
    """Names and types of a notebook's parameters: each assignment in its `parameters` cell, typed by its
    annotation (`materiality_pct: float = 10.0  # help`, as `papermill --help-notebook` reads it), else by
    its value. Parsed as Python, read as plain JSON: this runs before the kernel starts, and a cell
    papermill's line-by-line reading would misread (`"a # b"`, `a = 1; b = 2`) is still read right.
    """
    try:
        cell = tagged(cells(notebook), "parameters")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParameterError(f"cannot read {notebook.name} as a notebook: {str(exc).splitlines()[0]}") from None
    if cell is None:
        raise ParameterError(f"{notebook.name} has no cell tagged 'parameters'")
    try:
        body = ast.parse(source(cell)).body
    except SyntaxError as exc:
        raise ParameterError(f"{notebook.name}'s parameters cell is not Python (line {exc.lineno})") from None
    declared = {}
    for node in body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            # an annotation bch does not check (`str | None`) takes any value, as the kernel would
            declared[node.target.id] = TYPES.get(ast.unparse(node.annotation), object)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    declared[target.id] = _type_of(notebook, target.id, node.value)
    return declared


def _type_of(notebook: Path, name: str, value: ast.expr) -> type:
    try:
        return type(ast.literal_eval(value))
    except (ValueError, TypeError, SyntaxError):
        raise ParameterError(f"{notebook.name} parameter {name}: {ast.unparse(value)} is not a plain value") from None


def check_against_notebooks(values: dict, books: list[Path]) -> None:
    """Refuse (before any kernel starts) a parameter a notebook lacks or would get with the wrong type."""
    for notebook in books:
        declared = declared_parameters(notebook)
        for name, value in values.items():
            if name not in declared:
                raise ParameterError(f"{notebook.name} has no parameter {name!r}; it has: {', '.join(declared)}")
            wanted = declared[name]
            fits = isinstance(value, wanted) or (wanted is float and isinstance(value, int))
            if not fits or (isinstance(value, bool) and wanted is not bool):
                raise ParameterError(
                    f"{notebook.name} parameter {name} is {wanted.__name__}; got {type(value).__name__} ({value!r})"
                )


def injected_parameters(notebook: Path) -> dict:
    """The names and values of an executed notebook's papermill `injected-parameters` cell."""
    try:
        cell = tagged(cells(notebook), "injected-parameters")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise ValueError("not a readable notebook") from None
    if cell is None:
        raise ValueError("no cell tagged injected-parameters")
    values = {}
    try:
        for node in ast.parse(source(cell)).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                values[node.targets[0].id] = ast.literal_eval(node.value)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        raise ValueError("its injected-parameters cell holds more than plain values") from None
    return values
