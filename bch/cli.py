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
import json
import sys
from dataclasses import fields, replace
from pathlib import Path

from bch import adding, params, paths
from bch.core import labels
from bch.core.errors import BchError, ParameterError


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


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bch", description="Check, reconcile and publish the BCH collaboration savings.")
    parser.add_argument("--version", action="version", version=f"bch {_version()}")
    parser.add_argument(
        "--project",
        type=Path,
        metavar="DIR",
        help=f"the project folder: data/raw/editions.toml, notebooks/, outputs/ (now: {paths.ROOT})",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = _command(commands, "check", "load and check an edition's workbook; print a summary")
    _options(check, params.CHECK)
    check.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    check.add_argument("--processed", type=Path, metavar="DIR", help="also write the tidy savings table (CSV) into DIR")
    check.set_defaults(handler=_check)

    pack = _command(commands, "pack", "execute the notebooks and publish a dated board pack")
    pack.add_argument(
        "-f", "--parameters-file", type=Path, metavar="YAML", help="parameters as papermill takes them (options win)"
    )
    _options(pack, params.PACK)
    pack.add_argument(
        "--out", type=Path, default=paths.OUTPUTS, metavar="DIR", help=f"where packs go (default: {paths.OUTPUTS})"
    )
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
    pack.set_defaults(handler=_pack)
    parser.pack_parser = pack  # for a parameters file's defaults

    verify = _command(commands, "verify", "check a published pack against its manifest and the ledger")
    verify.add_argument("pack_dir", type=Path, metavar="PACK", help="a pack folder, e.g. outputs/latest")
    verify.set_defaults(handler=_verify)

    edition = _command(commands, "edition", "list the catalogued editions, or add one")
    edition.add_argument("--catalogue", type=Path, default=paths.CATALOGUE, metavar="FILE", help="the catalogue")
    actions = edition.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    listing = actions.add_parser("list", help="the catalogued editions, oldest first")
    listing.set_defaults(handler=_edition_list)
    add = actions.add_parser("add", help="check an edition's files, copy them into data/raw and catalogue them")
    for sub in (listing, add):  # `bch edition add --catalogue X` as well as `bch edition --catalogue X add`
        sub.add_argument("--catalogue", type=Path, default=argparse.SUPPRESS, metavar="FILE", help="the catalogue")
    for option, keywords in adding.options():  # declared once, with the NewEdition field each fills
        add.add_argument(option, **keywords)
    add.add_argument("--dry-run", action="store_true", help="preview what the Board would see; copy and record nothing")
    add.add_argument("--accept-errors", action="store_true", help="add the edition even with error findings")
    add.set_defaults(handler=_edition_add)
    withdraw = actions.add_parser("withdraw", help="take a wrongly added edition out; its packs are marked withdrawn")
    withdraw.add_argument("--catalogue", type=Path, default=argparse.SUPPRESS, metavar="FILE", help="the catalogue")
    withdraw.add_argument("date", metavar="DATE", help="the as-of date of the edition to withdraw")
    withdraw.add_argument("--reason", required=True, help="why it is withdrawn (shown beside its packs)")
    withdraw.add_argument(
        "--out", type=Path, default=paths.OUTPUTS, metavar="DIR", help=f"the packs' folder (default: {paths.OUTPUTS})"
    )
    withdraw.set_defaults(handler=_edition_withdraw)
    edition.set_defaults(handler=_edition_list)
    return parser


def _run_parameters(args: argparse.Namespace, command: str):
    values = {p.name: getattr(args, p.name) for p in params.of(command) if p.name in vars(args)}
    values.pop("cell_timeout", None)
    try:
        return params.validate(base=Path.cwd(), **values)
    except ParameterError as exc:
        raise ParameterError(_as_options(str(exc))) from None


def _as_options(message: str) -> str:
    """A parameter named as the option the user typed: 'parameter savings_path' -> '--savings'."""
    for p in params.PARAMETERS:
        if p.option:
            message = message.replace(f"parameter {p.name}", p.option)
    return message


def _check(args: argparse.Namespace) -> int:
    from bch.analyse import pipeline
    from bch.present import report

    run = _run_parameters(args, params.CHECK)
    analysis = pipeline.analyse_run(run)
    if args.processed and analysis.sheet.usable:
        from bch.core.writers import write_csv
        from bch.publish import names

        try:
            write_csv(analysis.sheet.tidy(), args.processed / names.TIDY)
        except OSError as exc:
            raise ParameterError(f"--processed {args.processed}: cannot write there ({exc.strerror or exc})") from None
    if args.json:
        print(json.dumps(report.as_json(analysis), ensure_ascii=False, indent=2))
    else:
        print(report.render_text(analysis))
    return 1 if analysis.has_errors else 0


def _pack(args: argparse.Namespace) -> int:
    """`bch pack`. With --json, one object on stdout whatever the outcome, for a scheduler (a failure's is
    printed where every failure is reported, `main`); its one line still goes to stderr, the exit codes are the
    same ("unchanged" is 0)."""
    if args.json:
        args.quiet = True
    status, published = _publish(args)
    if args.json:
        _print_json(status, 0, published.message, published.path)
    elif status == "unchanged":
        print(f"bch pack: {published.message}")
    elif not args.quiet:
        print(published.path)
    return 0


def _print_json(status: str, exit_code: int, message: str, path: Path | None = None) -> None:

    from bch.publish import packlist

    record = packlist.manifest_of(path) if path else {}
    shown = {"status": status, "exit_code": exit_code, "path": str(path) if path else None, "message": message}
    shown |= {key: record.get(key) for key in ("edition", "as_of", "findings")}
    print(json.dumps(shown, ensure_ascii=False), flush=True)


def _publish(args: argparse.Namespace):
    """("published" or "unchanged", the pack) or a BchError / KeyboardInterrupt."""
    import time

    from bch.publish import interrupts

    start = time.perf_counter()
    with interrupts.deferred():  # from here a Ctrl-C or SIGTERM is taken between steps (bch.publish.interrupts)
        from bch.publish import pack, packoptions

        interrupts.check()

        def progress(line: str) -> None:
            if not args.quiet:
                print(f"bch pack: {line}", file=sys.stderr, flush=True)

        fields = {p.name: getattr(args, p.name) for p in params.of(params.PACK)}
        dirty = {"allow_dirty": True} if args.allow_dirty else {}  # else PackOptions' default (BCH_ALLOW_DIRTY)
        options = packoptions.PackOptions(**fields, out=args.out, if_changed=args.if_changed, **dirty)
        try:
            published = pack.build_pack(options, progress)
        except ParameterError as exc:
            raise ParameterError(_as_options(str(exc))) from None
        if published.unchanged:
            return "unchanged", published
        progress(f"published {published.path} in {time.perf_counter() - start:.1f}s")
        return "published", published


def _verify(args: argparse.Namespace) -> int:
    from bch.publish import manifest, verify

    if why := paths.unusable(args.pack_dir):
        raise ParameterError(f"{labels.clip(str(args.pack_dir))}: {why}")
    if not (args.pack_dir / manifest.MANIFEST).is_file():
        raise ParameterError(f"{args.pack_dir} is not a pack: it has no {manifest.MANIFEST}")
    problems = verify.verify(args.pack_dir)
    for problem in problems:
        print(problem)
    shown = labels.neutralise(str(args.pack_dir))  # a folder named with LF must not forge an "intact" line
    print(f"{shown}: {'intact' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


def _edition_list(args: argparse.Namespace) -> int:
    from bch.core import labels
    from bch.read import editions

    catalogue = editions.load(args.catalogue)
    if not catalogue.editions:
        print(f"{catalogue.path}: no editions")
    for e in catalogue.editions:
        claims = e.claims.name if e.claims else "no quoted figures"
        line = f"{e.key}  {e.savings.name}  register {e.register.name}  {claims}  — {e.provenance()}"
        print(labels.neutralise(line))  # a file name with a newline or escape never forges a line
    from bch.read import withdrawals

    for gone in withdrawals.read(catalogue.path):
        print(labels.neutralise(f"{gone.as_of}  withdrawn on {gone.on}: {gone.reason}"))
    return 0


def _edition_add(args: argparse.Namespace) -> int:
    from bch import previewing
    from bch.read import editions

    new = adding.NewEdition(**{f.name: getattr(args, f.name) for f in fields(adding.NewEdition)})
    new = replace(new, aliases=tuple(new.aliases))
    # the preview always comes first: nothing is frozen in data/raw before the user has seen it
    provisional = adding.add(args.catalogue, new, dry_run=True)
    catalogue = editions.load(args.catalogue)
    analysis = previewing.preview(catalogue, provisional)
    print("\n".join(previewing.summary(analysis, previewing.changes_since(catalogue, provisional, analysis))))
    for warning in previewing.arrival_warnings(catalogue, provisional):
        print(f"  warning: {warning}")
    if args.dry_run:  # exit 1 when the add itself would be refused
        print(f"dry run: nothing copied, {args.catalogue} unchanged")
        return 1 if analysis.has_errors and not args.accept_errors else 0
    if not args.accept_errors:
        previewing.refuse_errors(analysis)
    added = adding.add(args.catalogue, new)
    print(f"added the edition as at {added.key} to {args.catalogue}")
    if args.register is None:
        reviewed = added.register_reviewed.isoformat() if added.register_reviewed else "not stated"
        print(f"  register: {added.register.name}, reused from the edition before it (reviewed: {reviewed})")
    if args.revisions is None and added.revisions is not None:
        print(f"  revisions: {added.revisions.name}, carried forward from the edition before it")
    if analysis.has_errors:
        print(f"  added with its error findings (--accept-errors); see bch check --edition {added.key}")
    print("  commit data/raw so that packs record a clean tree: git add data/raw && git commit")
    return 0


def _edition_withdraw(args: argparse.Namespace) -> int:
    from bch import withdrawing

    deleted = withdrawing.withdraw(args.catalogue, args.date, args.reason, args.out)
    print(f"withdrew the edition as at {args.date} from {args.catalogue}")
    for path in deleted:
        print(f"  deleted {path.name} (no other edition uses it)")
    print("  commit data/raw so that packs record a clean tree: git add -A data/raw && git commit")
    return 0


def _with_parameters_file(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse `argv`; a pack's -f file sets the declared parameters' defaults, so options still win."""
    args = parser.parse_args(argv)
    path = getattr(args, "parameters_file", None)
    if path is None:
        return args
    parser.pack_parser.set_defaults(**params.read_file(path, params.PACK))
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
        _print_json("failed", code, message)
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
    parser = _parser()
    args = _with_parameters_file(parser, argv)
    if not getattr(args, "handler", None):
        parser.print_usage(sys.stderr)
        return 2
    return args.handler(args)
