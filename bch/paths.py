"""Every default path of the project, in one place."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RAW = DATA / "raw"
NOTEBOOKS = ROOT / "notebooks"
OUTPUTS = ROOT / "outputs"
CATALOGUE = RAW / "editions.toml"  # which files make each edition of the inputs


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
