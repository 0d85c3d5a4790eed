"""Every default path of the project, in one place: the project folder and what lives in it.

The project is the folder holding `data/raw/editions.toml`, `notebooks/` and `outputs/`. It is, in order: the
one `bch --project DIR` names (or `BCH_PROJECT`), the source checkout bch runs from (an editable install, `python
-m bch` in the repository), else the nearest folder from the current one up that holds the catalogue (a
regular `pip install` run inside a project), else the current folder. Modules read these names when they run,
never at import, so `use_project` re-points every default at once (and the kernels a pack starts, through
the environment).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

PROJECT_ENV = "BCH_PROJECT"
CATALOGUE_IN_PROJECT = Path("data", "raw", "editions.toml")
PACKAGE = Path(__file__).resolve().parent  # bch's own modules and templates, wherever it is installed
CACHE_ENV = "BCH_CACHE"


def find_root() -> Path:
    if named := os.environ.get(PROJECT_ENV):
        return Path(os.path.realpath(named))  # never raises (a loop of links): reading from it then says why
    checkout = PACKAGE.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / CATALOGUE_IN_PROJECT).is_file():
        return checkout
    here = Path.cwd().resolve()
    return next((folder for folder in (here, *here.parents) if (folder / CATALOGUE_IN_PROJECT).is_file()), here)


def use_project(root: Path, *, for_children: bool = True) -> None:
    """Every default path from `root` on, in this process and (`for_children`) those it starts."""
    global ROOT, DATA, RAW, NOTEBOOKS, OUTPUTS, CATALOGUE, EXPLORE
    ROOT = Path(os.path.realpath(root))
    DATA = ROOT / "data"
    RAW = DATA / "raw"
    NOTEBOOKS = ROOT / "notebooks"
    OUTPUTS = ROOT / "outputs"
    CATALOGUE = RAW / "editions.toml"  # which files make each edition of the inputs
    EXPLORE = ROOT / "explore"  # the explore notebook's scratch files (downloads, scenarios); git-ignored
    if for_children:
        os.environ[PROJECT_ENV] = str(ROOT)


@contextmanager
def project(root: Path):
    """`use_project(root)` for a block; the previous project (and environment) after it."""
    before, named = ROOT, os.environ.get(PROJECT_ENV)
    use_project(root)
    try:
        yield
    finally:
        use_project(before, for_children=False)
        if named is None:
            os.environ.pop(PROJECT_ENV, None)
        else:
            os.environ[PROJECT_ENV] = named


ROOT = DATA = RAW = NOTEBOOKS = OUTPUTS = CATALOGUE = EXPLORE = Path()
use_project(find_root(), for_children=False)  # a kernel started in notebooks/ finds the same folder by itself


def unusable(path: str | Path) -> str | None:
    """Why the OS can't even look `path` up (a name too long, a loop of links, no permission), else None.

    pathlib's exists() and is_file() raise on these rather than answer, so each input path is asked once here
    before it is used; a path that is simply absent is None: callers say that in their own words."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def cache(kind: str) -> Path | None:
    """The folder bch keeps `kind` in, of what it can always recompute (the trend's earlier editions): under
    `BCH_CACHE`, else `$XDG_CACHE_HOME/bch`, else `~/.cache/bch`, links resolved. None (nothing is cached, every
    edition is read afresh) when no absolute folder can be named (a relative `BCH_CACHE`, no home folder), or
    when the folder lies in a project (this one, or any folder above it holding a catalogue): data/ holds inputs
    and outputs only, and bch never writes into data/raw."""
    try:
        named = os.environ.get(CACHE_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bch"
    except RuntimeError:  # no HOME and no passwd entry: Path.home() can't say
        return None
    if not Path(named).is_absolute():
        return None
    folder = Path(os.path.realpath(Path(named) / kind))
    for place in (folder, *folder.parents):
        if place == ROOT or (place / CATALOGUE_IN_PROJECT).is_file() or (place / CATALOGUE_IN_PROJECT.name).is_file():
            return None
    return folder
