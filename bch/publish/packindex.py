"""`DIR/index.html`: every published pack on one page, newest edition first, and where `latest` points.

Rebuilt after each publish from the packs' own files (manifest.json, and the Headlines sheet of
bch-pack.xlsx for the figures), so it never disagrees with them and nothing new is recorded. A pack
that can't be read is listed as such: the index never fails a publish that already happened.
Self-contained like the board pack: everything escaped, the one Content-Security-Policy (`bch.present.html`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from bch.analyse import summary
from bch.core import labels
from bch.core.errors import BchError
from bch.present import html
from bch.publish import names, packlist
from bch.publish.manifest import MANIFEST

HEADLINES = tuple((figure.key, figure.title) for figure in summary.HEADLINE_FIGURES)
DOCUMENTS = (
    (names.BOARD_PACK, "board pack"),
    (names.BOARD_PACK_PDF, "PDF"),
    (names.WORKBOOK, "Excel"),
    (names.INDEX, "all files"),
)
UNREADABLE = "could not be read"


class IndexNotWritten(BchError):
    exit_code = 1


def rebuild(out: Path, withdrawn=()) -> Path:
    """Write `out/index.html` (atomically) listing every pack in `out`; returns its path. The packs of
    `withdrawn` editions (`bch.read.withdrawals`) are listed, marked withdrawn with the reason."""
    from bch.core.writers import write_atomic
    from bch.read import withdrawals

    out = Path(out)
    records = packlist.published_packs(out)
    latest = _latest(out)
    rows = [_row(record, record.path.name == latest, withdrawals.of(record, withdrawn)) for record in reversed(records)]
    listed = {record.path.name for record in records}
    unreadable = sorted(
        (p.name for p in out.iterdir() if _pack_folder(p) and p.name not in listed), key=packlist.run_order
    )
    latest_record = next((r for r in records if r.path.name == latest), None)
    page = render(
        packs=rows,
        unreadable=unreadable,
        latest=latest,
        latest_as_of=_long(latest_record.as_of) if latest_record else None,
    )
    try:
        return write_atomic(out / names.INDEX, page.encode("utf-8"))
    except OSError as exc:  # the old index stays whole (write_atomic); the pack itself is already out
        raise IndexNotWritten(
            f"the pack is published, but {out / names.INDEX} could not be rewritten ({exc.strerror or exc}); "
            "the next publish rebuilds it"
        ) from None


def render(**context) -> str:
    updated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    shown = {"board_pack": names.BOARD_PACK, "index": names.INDEX, "manifest": MANIFEST}
    return html.render("output-index.html.j2", headlines=HEADLINES, updated=updated, **shown, **context)


def _pack_folder(path: Path) -> bool:

    return bool(packlist.PACK_NAME.match(path.name)) and path.is_dir() and not path.is_symlink()


def _latest(out: Path) -> str | None:
    try:
        return os.readlink(out / packlist.LATEST)
    except OSError:
        return None


def _row(record, latest: bool, withdrawal=None) -> dict:
    row = {"name": record.path.name, "as_of": _long(record.as_of), "latest": latest, "problem": None}
    row["withdrawn"] = f"withdrawn on {withdrawal.on}: {labels.neutralise(withdrawal.reason)}" if withdrawal else ""
    try:
        meta = record.manifest
        counts = meta["findings"]
        if any(type(counts[s]) is not int for s in ("error", "warning")):
            raise TypeError(f"findings {counts!r} are not whole numbers")
        row["findings"] = ", ".join(_plural(counts[s], s) for s in ("error", "warning"))
        row["savings"] = labels.neutralise(Path(str(meta["parameters"]["savings_path"])).name)
    except Exception as exc:  # a hand-edited or older manifest: listed, never fatal
        row["problem"] = f"{UNREADABLE}: {MANIFEST} {_reason(exc)}"
        return row
    row["links"] = [(f"{row['name']}/{file}", label) for file, label in DOCUMENTS if (record.path / file).is_file()]
    row["figures"] = _figures(record.path)
    return row


def _figures(folder: Path) -> list[dict]:
    from bch.core.money import format_gbp, format_gbp_k

    try:
        found = headlines(folder)
    except Exception:  # listed as unreadable in place of the figures; the rest of the row stands
        return [{"text": UNREADABLE, "exact": None} for _ in HEADLINES]
    if found is None:
        return [{"text": "–", "exact": f"no {names.WORKBOOK} in this pack"} for _ in HEADLINES]
    return [
        {"text": format_gbp_k(found.get(key)), "exact": format_gbp(found[key]) if found.get(key) is not None else None}
        for key, _ in HEADLINES
    ]


def headlines(folder: Path) -> dict[str, int | None] | None:
    """measure -> int pounds from the pack's workbook; None when the pack has none (published before it)."""
    from bch.present import excel

    path = folder / names.WORKBOOK
    return excel.read_headlines(path) if os.path.lexists(path) else None


def _long(iso: str) -> str:
    from bch.read.editions import long_date

    try:
        return long_date(dt.date.fromisoformat(iso))
    except (TypeError, ValueError):
        return str(iso) or "–"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"has no {exc.args[0]!r}"[:120]
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"is not as bch writes it ({type(exc).__name__}: {text[:100]})"
