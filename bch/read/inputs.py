"""What one run reads (`Inputs`): the files of the named (or newest) edition in the catalogue
(`bch.read.editions`), each overridden by an explicit one, and the dates it is stated at.

I/O only: reading the catalogue, then resolving against it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from bch import paths
from bch.core import dates, labels
from bch.core.errors import ParameterError
from bch.read.editions import Catalogue, Edition, load, long_date


@dataclass(frozen=True)
class Inputs:
    """What one run reads, resolved from the catalogue and explicit options."""

    savings: Path
    register: Path  # the business-case register (CSV)
    claims: Path | None
    revisions: Path | None = None
    sheet: str | None = None
    as_of: dt.date | None = None
    edition: Edition | None = None  # the catalogue entry these figures are, if any
    claims_edition: Edition | None = None  # the entry the claims quote; None: about this run's figures
    register_reviewed: dt.date | None = None
    register_reviewed_where: str | None = None
    catalogue: Catalogue = field(default_factory=lambda: Catalogue(paths.CATALOGUE))  # read when made

    @property
    def claims_checked(self) -> bool:
        """Quotes are checked only against the figures they describe."""
        return self.claims_edition is None or (self.edition is not None and self.claims_edition == self.edition)

    def files(self) -> list[Path]:
        return [p for p in (self.savings, self.register, self.revisions, self.claims) if p is not None]

    def source_line(self) -> str:
        """Where the figures come from, for chart captions and covers."""
        if self.edition is not None:
            return f"Source: {self.edition.provenance()}"
        stated = f", figures as at {long_date(self.as_of)}" if self.as_of else ", as-of date not stated"
        return f"Source: {labels.neutralise(self.savings.name)}{stated}"


def resolve(
    catalogue_path: str | Path | Catalogue | None = None,
    edition: str = "",
    savings: str | Path = "",
    sheet: str = "",
    register: str | Path = "",
    revisions: str | Path = "",
    claims: str | Path = "",
    as_of: str = "",
) -> Inputs:
    """What a run reads: the named (or newest) edition's files, each overridden by an explicit one.

    An explicit workbook that the catalogue lists is that edition; one it does not list takes the
    newest edition's register, and needs an explicit `as_of` for any date to be stated. A catalogue already
    loaded is used as it is (the trend resolves every earlier edition against one reading of it).
    """
    catalogue = catalogue_path if isinstance(catalogue_path, Catalogue) else load(catalogue_path)
    chosen = _chosen(catalogue, edition, savings)
    _check_as_of(chosen, edition, savings, as_of)
    basis = chosen or catalogue.newest()  # the register and claims an uncatalogued workbook is read with
    savings_path = Path(savings) if savings else chosen.savings
    if basis is None and not register:
        raise ParameterError(f"no business-case register: give --register (the catalogue {catalogue.path} is empty)")
    register_path = Path(register) if register else basis.register
    revisions_path = Path(revisions) if revisions else (basis.revisions if basis and not register else None)
    if claims:
        claims_path, claims_edition = Path(claims), catalogue.owning("claims", Path(claims), chosen)
    else:
        claims_path, claims_edition = default_claims(catalogue, chosen)
    stated = _as_of(as_of) if as_of else (chosen.as_of if chosen else None)
    register_edition = catalogue.owning("register", register_path, basis) if register else basis
    reviewed = register_edition.register_reviewed if register_edition else None
    return Inputs(
        savings=savings_path.resolve(),
        register=register_path.resolve(),
        claims=claims_path.resolve() if claims_path else None,
        revisions=revisions_path.resolve() if revisions_path else None,
        sheet=sheet or (chosen.sheet if chosen else None) or None,
        as_of=stated,
        edition=chosen,
        claims_edition=claims_edition,
        register_reviewed=reviewed,
        register_reviewed_where=register_edition.where("register_reviewed") if register_edition else None,
        catalogue=catalogue,
    )


def _chosen(catalogue: Catalogue, edition: str, savings: str | Path) -> Edition | None:
    """The edition a run is: the one named, else the one whose workbook is given (None: no edition's), else the
    newest; a given workbook must be the named edition's."""
    chosen: Edition | None
    if edition:
        chosen = catalogue.get(edition)
    elif savings:
        chosen = catalogue.owning("savings", Path(savings))
    else:
        chosen = catalogue.newest()
        if chosen is None:
            raise ParameterError(
                f"the editions catalogue {catalogue.path} lists no edition; add one with `bch edition add` "
                "or name a workbook with --savings"
            )
    if chosen is not None and savings and edition and catalogue.owning("savings", Path(savings), chosen) != chosen:
        raise ParameterError(
            f"--savings {savings} is not the workbook of the edition as at {edition}: give one or the other"
        )
    return chosen


def _check_as_of(chosen: Edition | None, edition: str, savings: str | Path, as_of: str) -> None:
    """An explicit `as_of` states the chosen edition's own date, and never one not yet reached."""
    if chosen is not None and as_of and _as_of(as_of) != chosen.as_of:
        which = (
            f"--savings {Path(savings).name} is the workbook of the edition as at {chosen.key} (the same file or "
            "the same content)"
            if savings and not edition
            else f"the edition as at {chosen.key} is stated at that date"
        )
        raise ParameterError(f"--as-of {as_of} contradicts it: {which}; drop --as-of, or add a new edition")
    if as_of and _as_of(as_of) > dates.today():
        raise ParameterError(f"--as-of {as_of} is in the future: figures can't be stated at a date not yet reached")


def default_claims(catalogue: Catalogue, chosen: Edition | None):
    """An edition's own quotes; else the most recent earlier paper's, shown for information."""
    if chosen is not None and chosen.claims is not None:
        return chosen.claims, chosen
    pool = catalogue.before(chosen.as_of) if chosen is not None else list(catalogue.editions)
    quoted = [e for e in pool if e.claims is not None]
    if not quoted:
        return None, None
    return quoted[-1].claims, quoted[-1]


def _as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"parameter as_of must be an ISO date like 2019-07-18, not {text!r}") from None
