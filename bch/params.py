"""Every run parameter, declared once: name, type, default, help, range, where it applies.

The CLI's options and their --help, `bch.publish.packoptions.PackOptions`, the validation here and the notebooks'
`parameters` cells all derive from `PARAMETERS` (a test checks each notebook's cell against it).
Path defaults are relative to the project root; a notebook writes them relative to notebooks/,
and a relative path a notebook is given is taken from notebooks/ (the CLI's, from the working
folder), so a notebook runs the same in JupyterLab and under papermill.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

from bch import paths
from bch.core import labels, yamlfile
from bch.core.errors import ParameterError
from bch.read.inputs import Inputs, resolve

CHECK, PACK, NOTEBOOK = "check", "pack", "notebook"


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: type
    default: object
    help: str
    option: str | None = None  # the CLI's flag; None: not an option
    metavar: str | None = None
    where: frozenset[str] = frozenset({CHECK, PACK, NOTEBOOK})
    is_path: bool = False  # a default relative to the project root
    low: float | None = None  # inclusive
    high: float | None = None  # exclusive

    def cli_default(self):
        return str(paths.ROOT / self.default) if self.is_path and self.default else self.default

    def notebook_default(self):
        if self.is_path and self.default:
            return os.path.relpath(paths.ROOT / self.default, paths.NOTEBOOKS)
        return self.default

    def annotation(self) -> str:
        return self.kind.__name__


_FROM_EDITION = "empty: from the edition"
PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "catalogue_path",
        str,
        "data/raw/editions.toml",
        "the editions catalogue",
        "--catalogue",
        "FILE",
        is_path=True,
    ),
    Parameter(
        "edition", str, "", "as-of date (YYYY-MM-DD) of a catalogued edition; empty: the newest", "--edition", "DATE"
    ),
    Parameter("savings_path", str, "", f"savings workbook (.xlsx); {_FROM_EDITION}", "--savings", "FILE"),
    Parameter("sheet", str, "", f"sheet to read; {_FROM_EDITION}, else the only visible sheet", "--sheet", "NAME"),
    Parameter("register_path", str, "", f"business-case register (CSV); {_FROM_EDITION}", "--register", "FILE"),
    Parameter("revisions_path", str, "", f"dated forecast revisions (CSV); {_FROM_EDITION}", "--revisions", "FILE"),
    Parameter("claims_path", str, "", f"figures a paper quotes (CSV); {_FROM_EDITION}", "--claims", "FILE"),
    Parameter("as_of", str, "", f"the date the figures are stated at (YYYY-MM-DD); {_FROM_EDITION}", "--as-of", "DATE"),
    Parameter(
        "materiality_pct",
        float,
        10.0,
        "variance beyond this % of forecast is material",
        "--materiality",
        "PCT",
        low=0,
        high=100,
    ),
    Parameter(
        "output_dir",
        str,
        "data/processed",
        "where tables and figures are written",
        where=frozenset({NOTEBOOK}),
        is_path=True,
    ),
    Parameter(
        "strict", bool, False, "fail the run on any error finding", "--strict", where=frozenset({PACK, NOTEBOOK})
    ),
    Parameter(
        "cell_timeout",
        int,
        300,
        "seconds any one notebook cell may run",
        "--cell-timeout",
        "SECONDS",
        frozenset({PACK}),
        low=1,
    ),
)
BY_NAME = {p.name: p for p in PARAMETERS}
NOTEBOOK_PARAMETERS = tuple(p for p in PARAMETERS if NOTEBOOK in p.where)


def of(command: str) -> tuple[Parameter, ...]:
    return tuple(p for p in PARAMETERS if command in p.where)


def defaults(command: str = NOTEBOOK) -> dict:
    """Each parameter's default as `command` writes it (a notebook's cell, or the CLI)."""
    pick = Parameter.notebook_default if command == NOTEBOOK else Parameter.cli_default
    return {p.name: pick(p) for p in of(command)}


def notebook_cell() -> str:
    """The `parameters` cell every notebook carries, typed and commented for `papermill --help-notebook`."""
    lines = ["# Parameters (papermill replaces these; relative paths are from notebooks/)"]
    for p in NOTEBOOK_PARAMETERS:
        value = p.notebook_default()
        written = json.dumps(value) if isinstance(value, str) else repr(value)
        lines.append(f"{p.name}: {p.annotation()} = {written}  # {p.help}")
    return "\n".join(lines)


MAX_PARAMETERS_FILE = 64 * 1024


def read_file(path: Path, command: str) -> dict:
    """A papermill-style YAML parameters file: declared names of `command` only, each value checked."""
    import yaml

    path = Path(path)
    if why := paths.unusable(path):
        raise ParameterError(f"parameters file {labels.clip(str(path))}: {why}")
    if not path.is_file():  # a pipe or a device would block or never end
        raise ParameterError(f"parameters file {path}: no such regular file")
    if path.stat().st_size > MAX_PARAMETERS_FILE:
        raise ParameterError(f"parameters file {path} is over {MAX_PARAMETERS_FILE:,} bytes; it holds a few lines")
    try:
        values = yamlfile.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = labels.one_line(exc)
        raise ParameterError(f"parameters file {path} can't be read ({reason})") from None
    except RecursionError:  # PyYAML composes nested flow collections recursively: a few lines can nest thousands
        raise ParameterError(f"parameters file {path} can't be read (nested too deeply)") from None
    if not isinstance(values, dict):
        raise ParameterError(f"parameters file {path} must map parameter names to values")
    allowed = {p.name for p in of(command)} | ({p.name for p in NOTEBOOK_PARAMETERS} if command == PACK else set())
    unknown = sorted(str(k) for k in values if k not in allowed)
    if unknown:
        takes = ", ".join(sorted(allowed))
        raise ParameterError(
            f"parameters file {path}: unknown parameter(s) {', '.join(unknown)}; {command} takes: {takes}"
        )
    # YAML reads 2019-07-18 as a date: the parameter is its ISO text
    try:
        return {k: check_value(k, v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}
    except ParameterError as exc:
        raise ParameterError(f"parameters file {path}: {exc}") from None


@dataclass(frozen=True)
class RunParameters:
    inputs: Inputs
    materiality_pct: float
    output_dir: Path
    strict: bool

    @property
    def as_of(self) -> dt.date | None:
        return self.inputs.as_of

    @property
    def figures_dir(self) -> Path:
        return self.output_dir / "figures"


def check_value(name: str, value):
    """One value against its declaration: known name, type (an int is a float), range. Returns it."""
    if name not in BY_NAME:
        raise ParameterError(f"unknown parameter {name!r}; the parameters are: {', '.join(BY_NAME)}")
    p = BY_NAME[name]
    fits = isinstance(value, p.kind) and (p.kind is bool or not isinstance(value, bool))
    if p.kind is float and isinstance(value, int) and not isinstance(value, bool):
        fits, value = True, float(value)
    if not fits:
        raise ParameterError(f"parameter {name} must be {p.kind.__name__}, not {type(value).__name__} ({value!r})")
    if p.low is not None or p.high is not None:
        low, high = p.low if p.low is not None else -math.inf, p.high if p.high is not None else math.inf
        if not (math.isfinite(value) and low <= value < high):
            span = f"from {low:g} to under {high:g}" if math.isfinite(high) else f"at least {low:g}"
            raise ParameterError(f"parameter {name} must be {span}, not {value!r}")
        value = value + 0 if p.kind is int else value + 0.0  # -0.0 + 0.0 is 0.0: never "-0%"
    return value


def for_pack(values: dict) -> tuple[dict, list[str]]:
    """A papermill parameters file's values `bch pack` takes, and the notebook-only names it leaves (output_dir)."""
    notebook_only = sorted(k for k in values if k not in {p.name for p in of(PACK)})
    return {k: v for k, v in values.items() if k not in notebook_only}, notebook_only


INJECTED_HEADER = "# Parameters"  # the first line of the cell papermill injects (tagged injected-parameters)


def refuse_undeclared(namespace: dict) -> None:
    """Refuse a parameter papermill injected (`-p name value`) that the notebook does not declare: papermill
    only warns, and the notebook would run with its default. Read from IPython's `In`: the cells papermill
    injected after this notebook's own `parameters` cell last ran (a reused kernel keeps earlier runs' cells)."""
    declared = [p.name for p in NOTEBOOK_PARAMETERS]
    own = notebook_cell().split("\n", 1)[0]
    for cell in reversed(namespace.get("In", ())):
        first = cell.split("\n", 1)[0].strip() if isinstance(cell, str) else ""
        if first == own:
            return
        if first != INJECTED_HEADER:
            continue
        try:
            body = ast.parse(cell).body
        except SyntaxError:
            continue
        names = [t.id for node in body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)]
        if unknown := [name for name in names if name not in declared]:
            raise ParameterError(
                f"unknown parameter(s) {', '.join(unknown)} given to this notebook; it takes: {', '.join(declared)}"
            )


def from_notebook(namespace: dict) -> RunParameters:
    """`validate` with the parameters a notebook's `parameters` cell defined (its globals); undeclared ones refused."""
    refuse_undeclared(namespace)
    return validate(**{p.name: namespace[p.name] for p in NOTEBOOK_PARAMETERS if p.name in namespace})


def _path(value: str, base: Path) -> str:
    if not value:
        return ""
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def validate(base: Path | None = None, **values) -> RunParameters:
    """Check every parameter and resolve the edition; relative paths are taken from `base` (default: notebooks/)."""
    base = base or paths.NOTEBOOKS
    merged = {**defaults(NOTEBOOK), **values}
    checked = {name: check_value(name, value) for name, value in merged.items()}
    for name in ("catalogue_path", "savings_path", "register_path", "revisions_path", "claims_path", "output_dir"):
        if "\0" in checked[name]:  # a parameters file can hold one; every os call would raise ValueError
            raise ParameterError(f"parameter {name}: a file name can't hold a NUL character ({checked[name]!r:.80})")
        # asked before _path's resolve(), which raises RuntimeError on a loop of links
        if checked[name] and (why := paths.unusable(base / Path(checked[name]).expanduser())):
            raise ParameterError(f"parameter {name}: {labels.clip(checked[name])}: {why}")
        checked[name] = _path(checked[name], base)
        try:
            checked[name].encode("utf-8")
        except UnicodeEncodeError:
            raise ParameterError(f"parameter {name}: the file name {checked[name]!r} is not valid UTF-8") from None
    for name in ("savings_path", "register_path", "revisions_path", "claims_path"):
        path = Path(checked[name])
        if checked[name] and not path.exists():
            raise ParameterError(f"parameter {name}: no such file {path}")
        if checked[name] and not path.is_file():  # a folder, a pipe or a device: never opened
            raise ParameterError(f"parameter {name}: {path} is not a regular file")
    inputs = resolve(
        checked["catalogue_path"],
        checked["edition"],
        checked["savings_path"],
        checked["sheet"],
        checked["register_path"],
        checked["revisions_path"],
        checked["claims_path"],
        checked["as_of"],
    )
    output_dir = Path(checked["output_dir"])
    if output_dir.exists() and not output_dir.is_dir():
        raise ParameterError(f"parameter output_dir: {output_dir} exists and is not a folder")
    if output_dir == paths.RAW or paths.RAW in output_dir.parents:
        raise ParameterError(f"parameter output_dir: {output_dir} is inside data/raw, which is read-only")
    return RunParameters(inputs, checked["materiality_pct"], output_dir, checked["strict"])


def plain(run: RunParameters) -> dict:
    """The run's resolved parameters as plain JSON values (for a manifest, an appendix, a comparison)."""
    inputs = run.inputs
    return {
        "catalogue_path": str(inputs.catalogue.path),
        "edition": inputs.edition.key if inputs.edition else "",
        "savings_path": str(inputs.savings),
        "sheet": inputs.sheet or "",
        "register_path": str(inputs.register),
        "revisions_path": str(inputs.revisions or ""),
        "claims_path": str(inputs.claims or ""),
        "as_of": inputs.as_of.isoformat() if inputs.as_of else "",
        "materiality_pct": run.materiality_pct,
        "strict": run.strict,
    }
