"""What `bch pack` is asked and what it answers: PackOptions (every declared pack parameter, the output
folder, the notebooks), the run parameters they resolve to, and Published or PackError.

Apart from building (`bch.publish.pack`) so the CLI, `bch.withdrawing` and the tests name a pack's options
without reading how a pack is built.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import NamedTuple

from bch import params, paths
from bch.core.errors import BchError
from bch.publish import notebooks

ALLOW_DIRTY_ENV = "BCH_ALLOW_DIRTY"


class PackError(BchError):
    """The pack could not be built or written; nothing was published."""

    exit_code = 1


# Every declared pack parameter is a field, with its default: add a parameter and it is here.
PackOptions = dataclasses.make_dataclass(
    "PackOptions",
    [(p.name, p.kind, dataclasses.field(default=p.cli_default())) for p in params.of(params.PACK)]
    + [
        ("out", Path, dataclasses.field(default_factory=lambda: paths.OUTPUTS)),
        ("if_changed", bool, dataclasses.field(default=False)),
        # publishing from uncommitted code or notebooks, stated on the cover; BCH_ALLOW_DIRTY=1 is the same switch
        ("allow_dirty", bool, dataclasses.field(default_factory=lambda: os.environ.get(ALLOW_DIRTY_ENV) == "1")),
        ("books", list, dataclasses.field(default_factory=notebooks.in_order)),
    ],
)

PackOptions.__module__ = __name__
PackOptions.__doc__ = "What `bch pack` was asked to do: the declared parameters, the output folder, the notebooks."


class Published(NamedTuple):
    path: Path | None
    unchanged: bool = False
    message: str = ""


def run_parameters(options) -> params.RunParameters:
    values = {p.name: getattr(options, p.name) for p in params.of(params.PACK) if p.name != "cell_timeout"}
    params.check_value("cell_timeout", options.cell_timeout)
    return params.validate(base=Path.cwd(), **values)


def notebook_parameters(run: params.RunParameters) -> dict:
    """The values handed to every notebook: the run's resolved inputs, stated in full for reviewers."""
    return params.plain(run)
