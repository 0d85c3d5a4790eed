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
