"""The `bch` command: check, pack, verify, edition.

Exit codes: 0 fine; 1 error findings (check), a failed notebook or strict run (pack), a pack that no
longer matches its manifest (verify); 2 bad arguments or an input that can't be read (one line on
stderr); 3 another `bch pack` holds the output folder's lock; 130 interrupted.
Options come from `bch.params.PARAMETERS`; heavy libraries are imported inside the commands that
need them, so `bch check` starts fast.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from bch import params, paths
from bch.cli import commands
from bch.cli import parser as cliparser
from bch.core import labels
from bch.core.errors import BchError, ParameterError


def _with_parameters_file(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse `argv`; a pack's -f file sets the declared parameters' defaults, so options still win."""
    args = parser.parse_args(argv)
    path = getattr(args, "parameters_file", None)
    if path is None:
        return args
    values, notebook_only = params.for_pack(params.read_file(path, params.PACK))
    for name in notebook_only:  # papermill's file may name them; said, never silently dropped
        print(
            f"bch pack: parameters file: {name} is a notebook's alone; a pack writes into its own folder",
            file=sys.stderr,
        )
    parser.pack_parser.set_defaults(**values)
    return parser.parse_args(argv)


def run() -> int:
    """The `bch` console script and `python -m bch`: `main()` for a process that then exits.

    The interpreter's last garbage collection at exit walks every object the stack made (about half a
    second after a pack), to free memory the OS frees anyway: frozen, it is skipped. What that skips are
    finalizers of objects in reference cycles, so nothing may rely on them: every file bch writes is closed
    before `main()` returns, and a kernel removes its files when it closes or fails to start
    (`bch.publish.kernel.SharedKernel`). atexit handlers (logging's flush among them) still run.
    """
    code = main()
    gc.freeze()
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        with paths.project(_project(argv)):
            return _main(argv)
    except BchError as exc:
        return _failed(argv, exc.exit_code, str(exc))
    except KeyboardInterrupt:
        return _failed(argv, 130, "interrupted")


def _failed(argv: list[str], code: int, message: str) -> int:
    """Every failure reported alike: one line on stderr; and for `bch pack --json` its object on stdout. A message
    quotes paths and text from outside (a file named with LF, ESC or U+202E): neutralised here, the one place every
    failure passes, so no message forges a second line or drives the terminal."""
    message = labels.neutralise(message)
    print(f"bch: error: {message}" if code != 130 else "bch: interrupted", file=sys.stderr)
    if "--json" in argv and "pack" in argv:
        commands.print_json("failed", code, message)
    return code


def _project(argv: list[str]) -> Path:
    """--project DIR, read before anything else: every default (catalogue, notebooks, outputs) follows it."""
    for index, arg in enumerate(argv):
        if arg == "--project" or arg.startswith("--project="):
            value = arg.partition("=")[2] if "=" in arg else (argv[index + 1] if index + 1 < len(argv) else "")
            break
    else:
        return paths.ROOT
    if not value or value.startswith("-"):
        raise ParameterError("--project needs a folder: bch --project DIR COMMAND")
    if why := paths.unusable(value):
        raise ParameterError(f"--project {labels.clip(value)}: {why}")
    if not Path(value).is_dir():
        raise ParameterError(f"--project {labels.clip(value)}: no such folder")
    return Path(value)


def _main(argv: list[str]) -> int:
    parser = cliparser.build()
    args = _with_parameters_file(parser, argv)
    if not getattr(args, "handler", None):
        parser.print_usage(sys.stderr)
        return 2
    return args.handler(args)
