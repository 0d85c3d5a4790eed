try:  # Ctrl-C while the CLI is still importing: the same one line and exit code as later
    from bch.cli import run
except KeyboardInterrupt:
    import sys

    print("bch: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

raise SystemExit(run())
