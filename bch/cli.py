"""`bch check` and `bch pack`: arguments, exit codes (0 fine, 1 data, 2 usage/input), messages.

Heavy libraries are imported inside the commands that need them, so `bch check` starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bch import paths
from bch.errors import BchError, ParameterError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, instead of argparse's usage dump
        raise ParameterError(f"{self.prog}: {message} (see {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bch", description="Check, reconcile and publish the BCH collaboration savings.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="load and check the savings workbook; print a summary")
    check.add_argument("--savings", type=Path, default=paths.SAVINGS_WORKBOOK, help="savings workbook (.xlsx)")
    check.add_argument("--sheet", help="sheet to read (default: the only visible sheet)")
    check.add_argument("--forecasts", type=Path, default=paths.BUSINESS_CASES, help="business-case register (CSV)")
    check.add_argument("--claims", type=Path, default=paths.PAPER_CLAIMS, help="the paper's quoted figures (CSV)")
    check.add_argument(
        "--materiality", type=float, default=10.0, metavar="PCT", help="variance beyond this %% of forecast is material"
    )
    check.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    check.add_argument("--processed", type=Path, metavar="DIR", help="also write the tidy savings table (CSV) into DIR")
    check.set_defaults(handler=_check)

    pack = commands.add_parser("pack", help="execute the notebooks and publish a dated board pack")
    pack.add_argument("--savings", type=Path, default=paths.SAVINGS_WORKBOOK, help="savings workbook (.xlsx)")
    pack.add_argument("--forecasts", type=Path, default=paths.BUSINESS_CASES, help="business-case register (CSV)")
    pack.add_argument("--claims", type=Path, default=paths.PAPER_CLAIMS, help="the paper's quoted figures (CSV)")
    pack.add_argument("--as-of", default="2018-07-19", metavar="YYYY-MM-DD", help="the date the figures are stated at")
    pack.add_argument("--materiality", type=float, default=10.0, metavar="PCT", help="materiality threshold, %%")
    pack.add_argument("--strict", action="store_true", help="fail the run (exit 1) on any error finding")
    pack.add_argument("--out", type=Path, default=paths.OUTPUTS, metavar="DIR", help="where packs are published")
    pack.add_argument("--cell-timeout", type=int, default=300, metavar="SECONDS", help="limit for any one cell")
    pack.add_argument("--quiet", action="store_true", help="print nothing unless the run fails")
    pack.set_defaults(handler=_pack)

    verify = commands.add_parser("verify", help="re-hash a published pack against its manifest")
    verify.add_argument("pack_dir", type=Path, metavar="PACK", help="a pack folder, e.g. outputs/latest")
    verify.set_defaults(handler=_verify)
    return parser


def _check(args: argparse.Namespace) -> int:
    from bch import pipeline, report

    analysis = pipeline.analyse(args.savings, args.sheet, args.forecasts, args.claims, args.materiality)
    if args.processed and analysis.sheet.usable:
        from bch.writers import write_csv

        write_csv(analysis.sheet.tidy(), args.processed / "savings-tidy.csv")
    if args.json:
        print(json.dumps(report.as_json(analysis), ensure_ascii=False, indent=2))
    else:
        print(report.render_text(analysis))
    return 1 if analysis.has_errors else 0


def _pack(args: argparse.Namespace) -> int:
    import time

    from bch import pack

    if args.cell_timeout <= 0:
        raise ParameterError(f"--cell-timeout must be a positive number of seconds, not {args.cell_timeout}")
    start = time.perf_counter()

    def progress(line: str) -> None:
        if not args.quiet:
            print(f"bch pack: {line}", file=sys.stderr, flush=True)

    options = pack.PackOptions(
        savings=args.savings,
        forecasts=args.forecasts,
        claims=args.claims,
        as_of=args.as_of,
        materiality=args.materiality,
        strict=args.strict,
        out=args.out,
        cell_timeout=args.cell_timeout,
    )
    published = pack.build_pack(options, progress)
    progress(f"published {published} in {time.perf_counter() - start:.1f}s")
    if not args.quiet:
        print(published)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from bch import manifest

    if not (args.pack_dir / manifest.MANIFEST).is_file():
        raise ParameterError(f"{args.pack_dir} is not a pack: it has no {manifest.MANIFEST}")
    problems = manifest.verify(args.pack_dir)
    for problem in problems:
        print(problem)
    print(f"{args.pack_dir}: {'intact' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return args.handler(args)
    except BchError as exc:
        print(f"bch: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("bch: interrupted", file=sys.stderr)
        return 130
