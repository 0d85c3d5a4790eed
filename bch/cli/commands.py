"""`bch check`, `bch pack` and `bch verify`: each takes its parsed arguments and returns the exit code. Heavy
libraries are imported inside the command that needs them, so `bch check` starts fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bch import params, paths
from bch.core import labels
from bch.core.errors import ParameterError


def run_parameters(args: argparse.Namespace, command: str):
    values = {p.name: getattr(args, p.name) for p in params.of(command) if p.name in vars(args)}
    values.pop("cell_timeout", None)
    try:
        return params.validate(base=Path.cwd(), **values)
    except ParameterError as exc:
        raise ParameterError(as_options(str(exc))) from None


def as_options(message: str) -> str:
    """A parameter named as the option the user typed: 'parameter savings_path' -> '--savings'."""
    for p in params.PARAMETERS:
        if p.option:
            message = message.replace(f"parameter {p.name}", p.option)
    return message


def check(args: argparse.Namespace) -> int:
    from bch.analyse import pipeline
    from bch.present import report

    run = run_parameters(args, params.CHECK)
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


def pack(args: argparse.Namespace) -> int:
    """`bch pack`. With --json, one object on stdout whatever the outcome, for a scheduler (a failure's is
    printed where every failure is reported, `main`); its one line still goes to stderr, the exit codes are the
    same ("unchanged" is 0)."""
    if args.json:
        args.quiet = True
    status, published = _publish(args)
    if args.json:
        print_json(status, 0, published.message, published.path)
    elif status == "unchanged":
        print(f"bch pack: {published.message}")
    elif not args.quiet:
        print(published.path)
    return 0


def print_json(status: str, exit_code: int, message: str, path: Path | None = None) -> None:

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
            raise ParameterError(as_options(str(exc))) from None
        if published.unchanged:
            return "unchanged", published
        progress(f"published {published.path} in {time.perf_counter() - start:.1f}s")
        return "published", published


def verify(args: argparse.Namespace) -> int:
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
