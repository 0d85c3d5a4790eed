"""The `bch` command line: every command and option, their help, and argparse's errors as one line (exit 2).
A run's parameters come from `bch.params.PARAMETERS`, an edition's fields from `bch.adding.NewEdition`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bch import adding, params, paths
from bch.cli import commands, editioncommands
from bch.core.errors import ParameterError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, instead of argparse's usage dump
        raise ParameterError(f"{message} (see {self.prog} --help)")


def _options(parser: argparse.ArgumentParser, command: str) -> None:
    """The declared parameters of `command` as options, with their defaults in --help."""
    for p in params.of(command):
        if p.option is None:
            continue
        default = p.cli_default()
        shown = f" (default: {default})" if default not in ("", False) else ""
        if p.kind is bool:  # --strict / --no-strict: an option always wins over a parameters file
            parser.add_argument(
                p.option, dest=p.name, action=argparse.BooleanOptionalAction, default=False, help=p.help
            )
        else:
            kind = str if p.kind is str else p.kind
            parser.add_argument(
                p.option,
                dest=p.name,
                type=kind,
                default=default,
                metavar=p.metavar,
                help=(p.help + shown).replace("%", "%%"),
            )


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("bch")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _command(commands, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand whose --help opens with the same line the command list shows."""
    return commands.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")


def build() -> argparse.ArgumentParser:
    parser = _Parser(prog="bch", description="Check, reconcile and publish the BCH collaboration savings.")
    parser.add_argument("--version", action="version", version=f"bch {_version()}")
    parser.add_argument(
        "--project",
        type=Path,
        metavar="DIR",
        help=f"the project folder: data/raw/editions.toml, notebooks/, outputs/ (now: {paths.ROOT})",
    )
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _check(subcommands)
    parser.pack_parser = _pack(subcommands)  # for a parameters file's defaults
    verify = _command(subcommands, "verify", "check a published pack against its manifest and the ledger")
    verify.add_argument("pack_dir", type=Path, metavar="PACK", help="a pack folder, e.g. outputs/latest")
    verify.set_defaults(handler=commands.verify)
    _edition(subcommands)
    return parser


def _out(parser: argparse.ArgumentParser, what: str) -> None:
    """--out, the output folder (`bch pack` writes packs there; `bch edition withdraw` marks them)."""
    parser.add_argument(
        "--out", type=Path, default=paths.OUTPUTS, metavar="DIR", help=f"{what} (default: {paths.OUTPUTS})"
    )


def _catalogue(parser: argparse.ArgumentParser, default=argparse.SUPPRESS) -> None:
    parser.add_argument("--catalogue", type=Path, default=default, metavar="FILE", help="the catalogue")


def _check(subcommands) -> None:
    check = _command(subcommands, "check", "load and check an edition's workbook; print a summary")
    _options(check, params.CHECK)
    check.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    check.add_argument("--processed", type=Path, metavar="DIR", help="also write the tidy savings table (CSV) into DIR")
    check.set_defaults(handler=commands.check)


def _pack(subcommands) -> argparse.ArgumentParser:
    pack = _command(subcommands, "pack", "execute the notebooks and publish a dated board pack")
    pack.add_argument(
        "-f", "--parameters-file", type=Path, metavar="YAML", help="parameters as papermill takes them (options win)"
    )
    _options(pack, params.PACK)
    _out(pack, "where packs go")
    pack.add_argument(
        "--if-changed",
        action="store_true",
        help="publish only if inputs, parameters or code differ from the newest pack",
    )
    pack.add_argument("--quiet", action="store_true", help="print nothing unless the run fails")
    pack.add_argument(
        "--allow-dirty",
        action="store_true",
        help="publish even with uncommitted changes to bch or the notebooks (the cover says so)",
    )
    pack.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object for a scheduler (status published/unchanged/failed, path, edition, findings, "
        "exit_code, message); implies --quiet",
    )
    pack.set_defaults(handler=commands.pack)
    return pack


def _edition(subcommands) -> None:
    edition = _command(subcommands, "edition", "list the catalogued editions, add one, or withdraw one")
    _catalogue(edition, paths.CATALOGUE)
    edition.set_defaults(handler=editioncommands.listing)
    actions = edition.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    listing = actions.add_parser("list", help="the catalogued editions, oldest first")
    listing.set_defaults(handler=editioncommands.listing)
    add = actions.add_parser("add", help="check an edition's files, copy them into data/raw and catalogue them")
    for option, keywords in adding.options():  # declared once, with the NewEdition field each fills
        add.add_argument(option, **keywords)
    add.add_argument("--dry-run", action="store_true", help="preview what the Board would see; copy and record nothing")
    add.add_argument("--accept-errors", action="store_true", help="add the edition even with error findings")
    add.set_defaults(handler=editioncommands.add)
    withdraw = actions.add_parser("withdraw", help="take a wrongly added edition out; its packs are marked withdrawn")
    withdraw.add_argument("date", metavar="DATE", help="the as-of date of the edition to withdraw")
    withdraw.add_argument("--reason", required=True, help="why it is withdrawn (shown beside its packs)")
    _out(withdraw, "the packs' folder")
    withdraw.set_defaults(handler=editioncommands.withdraw)
    for action in (
        listing,
        add,
        withdraw,
    ):  # `bch edition add --catalogue X` as well as `bch edition --catalogue X add`
        _catalogue(action)
