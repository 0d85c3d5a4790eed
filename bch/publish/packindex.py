"""`DIR/index.html`: every published pack on one page, newest edition first, and where `latest` points.

Rebuilt after each publish from the packs' own files (manifest.json, and the Headlines sheet of
bch-pack.xlsx for the figures), so it never disagrees with them and nothing new is recorded. A pack
that can't be read is listed as such: the index never fails a publish that already happened.
Self-contained like the board pack: everything escaped, the same Content-Security-Policy.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from bch.analyse import summary
from bch.core import labels
from bch.core.errors import BchError
from bch.publish import packlist

INDEX = "index.html"
WORKBOOK = "bch-pack.xlsx"
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"  # the board pack's
HEADLINES = tuple((figure.key, figure.title) for figure in summary.HEADLINE_FIGURES)
DOCUMENTS = (
    ("board-pack.html", "board pack"),
    ("board-pack.pdf", "PDF"),
    (WORKBOOK, "Excel"),
    ("index.html", "all files"),
)
UNREADABLE = "could not be read"

TEMPLATE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BCH collaboration savings — board packs</title>
<style>
  html { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1f1f1f; font-size: 10.5pt; }
  body { max-width: 250mm; margin: 0 auto; padding: 10mm; }
  table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
  th, td { border-bottom: 1px solid #cfcfcf; padding: 1.5mm; text-align: left; vertical-align: top; }
  th { background: #f2f2f2; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  .muted { color: #5a5a5a; } .error { color: #B34700; font-weight: bold; }
  .latest { font-weight: bold; } .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; }
</style>
</head>
<body>
<h1>BCH collaboration savings — board packs</h1>
<p>{% if latest_as_of %}<span class="mono">latest</span> points to <a href="{{ latest }}/board-pack.html">
{{- latest }}</a> (figures as at {{ latest_as_of }}).
{%- elif latest %}<span class="mono">latest</span> points to {{ latest }}, which is not a pack bch can read.
{%- else %}There is no <span class="mono">latest</span> link yet.{% endif %}
{{ packs | length }} pack{{ "" if packs | length == 1 else "s" }}, newest edition first (by the date the figures are
stated at, then by run). Each pack is immutable; <span class="mono">bch verify DIR/PACK</span> re-hashes one.</p>
<table>
<thead><tr><th>Figures as at</th><th>Pack (run date)</th><th>Savings workbook</th><th>Findings</th>
{%- for key, label in headlines %}<th class="num">{{ label }}</th>{% endfor %}<th>Documents</th></tr></thead>
<tbody>
{%- for p in packs %}
<tr{% if p.latest %} class="latest"{% endif %}><td>{{ p.as_of }}</td>
<td><a href="{{ p.name }}/index.html">{{ p.name }}</a>{% if p.latest %} (latest){% endif %}
{%- if p.withdrawn %}<br><span class="error">{{ p.withdrawn }}</span>{% endif %}</td>
{%- if p.problem %}<td colspan="{{ 3 + headlines | length }}" class="error">{{ p.problem }}</td>
{%- else %}<td>{{ p.savings }}</td><td>{{ p.findings }}</td>
{%- for figure in p.figures %}<td class="num"{% if figure.exact %} title="{{ figure.exact }}"{% endif %}>
{{- figure.text }}</td>{% endfor %}
<td>{% for href, label in p.links %}<a href="{{ href }}">{{ label }}</a>{{ " · " if not loop.last }}{% endfor %}</td>
{%- endif %}</tr>
{%- endfor %}
</tbody>
</table>
{%- if unreadable %}
<h2>Pack folders that could not be read</h2>
<p>Their manifest.json is missing or is not valid JSON, so they are never compared with and never
<span class="mono">latest</span>:
{% for name in unreadable %}<a href="{{ name }}/">{{ name }}</a>{{ ", " if not loop.last }}{% endfor %}.</p>
{%- endif %}
<p class="muted">Amounts as the board packs show them (£k, exact; hover for pounds). Updated {{ updated }} UTC.</p>
</body>
</html>
"""


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
        return write_atomic(out / INDEX, page.encode("utf-8"))
    except OSError as exc:  # the old index stays whole (write_atomic); the pack itself is already out
        raise IndexNotWritten(
            f"the pack is published, but {out / INDEX} could not be rewritten ({exc.strerror or exc}); "
            "the next publish rebuilds it"
        ) from None


def render(**context) -> str:
    import jinja2
    import markupsafe

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    updated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    csp = markupsafe.Markup(CSP)  # a constant: written as the board pack writes it, quotes unescaped
    return env.from_string(TEMPLATE).render(csp=csp, headlines=HEADLINES, updated=updated, **context)


def _pack_folder(path: Path) -> bool:

    return bool(packlist.PACK_NAME.match(path.name)) and path.is_dir() and not path.is_symlink()


def _latest(out: Path) -> str | None:
    try:
        return os.readlink(out / "latest")
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
        row["problem"] = f"{UNREADABLE}: manifest.json {_reason(exc)}"
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
        return [{"text": "–", "exact": f"no {WORKBOOK} in this pack"} for _ in HEADLINES]
    return [
        {"text": format_gbp_k(found.get(key)), "exact": format_gbp(found[key]) if found.get(key) is not None else None}
        for key, _ in HEADLINES
    ]


def headlines(folder: Path) -> dict[str, int | None] | None:
    """measure -> int pounds from the pack's workbook; None when the pack has none (published before it)."""
    from bch.present import excel

    path = folder / WORKBOOK
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
