"""The executed notebooks as a reviewer reads them: the published folder, never the temporary one they ran in,
and every path inside the project written relative to it, so no pack names the publishing machine's folders.

papermill writes the parameters it was given into each notebook (the `injected-parameters` cell and the
notebook's metadata) as absolute paths. A parameter is written relative to `notebooks/`, the folder a notebook's
parameters are resolved from (`bch.params.validate`), so the published notebook still runs from a checkout; the
metadata's notebook paths are written relative to the project. A path outside the project stays as it is.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from bch import paths


def relative(value: str, start: Path) -> str:
    """An absolute path inside the project as seen from `start` (a folder inside the project); others unchanged."""
    path = Path(value)
    if not value or not path.is_absolute() or not path.is_relative_to(paths.ROOT):
        return value
    return Path(os.path.relpath(path, start)).as_posix()


def show_published_location(notebook: Path, published: Path) -> None:
    """papermill's injected `output_dir` (and its metadata) name the temporary folder the notebook ran
    in, which is renamed into the published pack: state the published folder instead, and say why; every path
    in the project relative to it."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" not in cell.metadata.get("tags", []):
            continue
        lines = cell.source.splitlines()
        for i, line in enumerate(lines):
            name, equals, value = line.partition(" = ")
            if name == "output_dir":
                shown = json.dumps(relative(str(published), paths.NOTEBOOKS))
                lines[i] = f"output_dir = {shown}  # ran in a temporary folder, renamed to this"
            elif equals and value.startswith('"'):
                lines[i] = f"{name} = {json.dumps(relative(json.loads(value), paths.NOTEBOOKS))}"
        cell.source = "\n".join(lines)
    run = nb.metadata.get("papermill", {})
    parameters = run.get("parameters", {})
    if "output_dir" in parameters:
        parameters["output_dir"] = str(published)
    for name, value in parameters.items():
        if isinstance(value, str):
            parameters[name] = relative(value, paths.NOTEBOOKS)
    if run.get("output_path"):
        run["output_path"] = str(published / notebook.name)
    for key in ("input_path", "output_path"):
        if isinstance(run.get(key), str):
            run[key] = relative(run[key], paths.ROOT)
    nbformat.write(nb, notebook)


def names_same_file(shown, recorded) -> bool:
    """Whether a published notebook's relative parameter (`../data/raw/x.xlsx`, as `relative` wrote it) names the
    absolute path the manifest records (`/srv/bch/data/raw/x.xlsx`): the same path below the project folder."""
    if not (isinstance(shown, str) and isinstance(recorded, str) and shown and not Path(shown).is_absolute()):
        return False
    parts = Path(shown).parts
    below = parts[len(parts) - len([p for p in parts if p != ".."]) :]
    return ".." not in below and Path(recorded).is_absolute() and Path(recorded).parts[-len(below) :] == below
