"""`bch edition list | add | withdraw`: each takes its parsed arguments and returns the exit code."""

from __future__ import annotations

import argparse
from dataclasses import fields, replace

from bch import adding


def listing(args: argparse.Namespace) -> int:
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


def add(args: argparse.Namespace) -> int:
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


def withdraw(args: argparse.Namespace) -> int:
    from bch import withdrawing

    deleted = withdrawing.withdraw(args.catalogue, args.date, args.reason, args.out)
    print(f"withdrew the edition as at {args.date} from {args.catalogue}")
    for path in deleted:
        print(f"  deleted {path.name} (no other edition uses it)")
    print("  commit data/raw so that packs record a clean tree: git add -A data/raw && git commit")
    return 0
