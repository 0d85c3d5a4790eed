"""What changed since the pack a new one is compared with: years, actuals, forecasts (with the reason and
authority of a revision), statuses, commentary, findings and parameters, and why a pack of the same edition
was published again. Pure: tables in, a list of plain records out.

Each change is {kind, item, before, after, money}: `money` says before/after are pounds (shown £k),
so presenters never guess from the kind's wording.

The changes about the packs themselves (parameters, a republication, withdrawn editions) are in
`bch.analyse.packchanges`.

Written for a Board: a blank line and a £0 one are the same saving (a finance export writes 0 where
the earlier edition left the cell blank); a line renamed with its figures unchanged is one rename, not
a removal and an addition; a finding is the same finding while its code, cell and figures are (its
`stated_gbp` and `computed_gbp`; its message is bch's wording, which may change between versions).
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pandas as pd

from bch.analyse.packchanges import change, parameters_changed, republished
from bch.core import labels

# (variance column, kind, money?)
_CASE_FIELDS = (
    ("forecast_gbp", "forecast changed", True),
    ("latest_forecast_gbp", "forecast revised", True),
    ("actual_gbp", "case actual changed", True),
    ("status", "status changed", False),
)
# Compared only where both packs hold the column: an older pack without it is still compared on the rest.
_OPTIONAL_CASE_FIELDS = (("commentary", "commentary changed"), ("register_status", "register status changed"))
_LINE = ("function", "fiscal_year", "saving_gbp")
_FINDING = ("severity", "code", "cell", "message")
_STRUCTURED = ("stated_gbp", "computed_gbp")  # a finding's figures, in packs since findings carry them
# The columns each compared table must hold (by its pack name); the rest of a pack is not compared.
NEEDED: dict[str, tuple[str, ...]] = {
    "savings-tidy": _LINE,
    "variance": ("function", *(column for column, _, _ in _CASE_FIELDS)),
    "findings": _FINDING,
}
_KIND_ORDER = (
    "edition withdrawn",
    "republished because",
    "parameter changed",
    "line renamed",
    "year added",
    "year removed",
    "actual added",
    "actual restated",
    "actual removed",
    "case added",
    "case removed",
    *(kind for _, kind, _ in _CASE_FIELDS),
    *(kind for _, kind in _OPTIONAL_CASE_FIELDS),
    "finding new",
    "finding resolved",
)


def natural_key(text: str) -> tuple:
    """Sorts 'Savings!D3' before 'Savings!D11' and '2019/20' after '2018/19'."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text))


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """Tables as the packs store them (CSV text), so old and new compare like for like."""
    return frame.astype("string").fillna("")


class NotComparable(ValueError):
    """Tables that lack a column the comparison reads; the message is the one-line reason."""


def _lacking(tables: dict[str, pd.DataFrame], which: str) -> str | None:
    for name, columns in NEEDED.items():
        if name not in tables:
            return f"the {which} tables lack {name}"
        missing = [c for c in columns if c not in tables[name].columns]
        if missing:
            return f"the {which} {name} lacks the column(s) {', '.join(missing)}"
    return None


def _keyed(frame: pd.DataFrame, keys: list[str], value: str) -> dict[tuple, str]:
    return {tuple(row[k] for k in keys): str(row[value]) for row in frame.to_dict("records")}


def _lines(frame: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Each function's savings by fiscal year, £0 left out as a blank is: the two are one saving."""
    lines: dict[str, dict[str, str]] = {}
    for function, year, saving in frame[list(_LINE)].itertuples(index=False):
        lines.setdefault(function, {})
        if saving not in ("", "0"):
            lines[function][year] = saving
    return lines


def renames(old: pd.DataFrame, new: pd.DataFrame) -> dict[str, str]:
    """Old label -> new label for each line whose label alone changed: the old label is gone, the new
    one is new, and on the years both editions show they hold the same figures, not all blank. Only a
    pairing that is one to one counts: two candidates either way stay a removal and an addition."""
    before, after = _lines(old), _lines(new)
    shared = set(old["fiscal_year"]) & set(new["fiscal_year"])

    def on_shared(line: dict[str, str]) -> dict[str, str]:
        return {year: saving for year, saving in line.items() if year in shared}

    gone = {label: on_shared(line) for label, line in before.items() if label not in after}
    came = {label: on_shared(line) for label, line in after.items() if label not in before}
    pairs = [(o, n) for o, seen in gone.items() if seen for n, now in came.items() if now == seen]
    olds, news = Counter(o for o, _ in pairs), Counter(n for _, n in pairs)
    return {o: n for o, n in pairs if olds[o] == 1 and news[n] == 1}


def _relabelled(frame: pd.DataFrame, renamed: dict[str, str]) -> pd.DataFrame:
    return frame.assign(function=frame["function"].map(lambda label: renamed.get(label, label)))


def _savings(old: pd.DataFrame, new: pd.DataFrame, renamed: dict[str, str]) -> list[dict]:
    found = [change("line renamed", f"{o} → {n}", o, n) for o, n in renamed.items()]
    old_years, new_years = list(dict.fromkeys(old["fiscal_year"])), list(dict.fromkeys(new["fiscal_year"]))
    found += [change("year added", year, None, "new column") for year in new_years if year not in old_years]
    found += [change("year removed", year, "was shown", None) for year in old_years if year not in new_years]
    before = {(f, y): v for f, line in _lines(_relabelled(old, renamed)).items() for y, v in line.items()}
    after = {(f, y): v for f, line in _lines(new).items() for y, v in line.items()}
    for key in [*after, *[k for k in before if k not in after]]:
        item = f"{key[0]} {key[1]}"
        if key not in before:
            found.append(change("actual added", item, None, after[key], True))
        elif key not in after:
            found.append(change("actual removed", item, before[key], None, True))
        elif before[key] != after[key]:
            found.append(change("actual restated", item, before[key], after[key], True))
    return found


def _cases(old: pd.DataFrame, new: pd.DataFrame, renamed: dict[str, str]) -> list[dict]:
    # a renamed line's case follows it only where the case itself took the new name
    names_old, names_new = set(old["function"]), set(new["function"])
    old = _relabelled(old, {o: n for o, n in renamed.items() if o not in names_new and n not in names_old})
    found = []
    old_status, new_status = _keyed(old, ["function"], "status"), _keyed(new, ["function"], "status")
    found += [change("case added", k[0], None, v) for k, v in new_status.items() if k not in old_status]
    found += [change("case removed", k[0], v, None) for k, v in old_status.items() if k not in new_status]
    revisions = _revisions(new)
    for column, kind, money in _CASE_FIELDS:
        before, after = _keyed(old, ["function"], column), _keyed(new, ["function"], column)
        for key, value in after.items():
            if key in before and before[key] != value:
                item = revisions.get(key[0], key[0]) if column == "latest_forecast_gbp" else key[0]
                found.append(change(kind, item, before[key], value, money))
    for column, kind in _OPTIONAL_CASE_FIELDS:
        if column not in old.columns or column not in new.columns:
            continue
        before, after = _keyed(old, ["function"], column), _keyed(new, ["function"], column)
        for key, value in after.items():
            if key in before and _words(before[key]) != _words(value):
                found.append(change(kind, key[0], before[key], value))
    return found


def _words(text: str) -> str:
    """Text as a reader sees it: a line re-wrapped or a trailing space in the register is no change."""
    return " ".join(text.split())


def _revisions(variance: pd.DataFrame) -> dict[str, str]:
    """Each case whose forecast in force is a revision, named with when, why and on whose authority:
    'ICT (revised 2019-03-01: new projects; Board minute 12)'. Columns an older pack lacks are left out."""
    named = {}
    for row in variance.to_dict("records"):
        said = [row.get(c, "") for c in ("revised_on", "revision_reason", "revision_source")]
        on, why, authority = (_words(str(v)) for v in said)
        # an undated revision's reason is the register's commentary, a paragraph: the commentary table has it whole
        why, authority = labels.clip(why, 120), labels.clip(authority, 60)
        if not (on or why or authority):
            continue
        how = "; ".join(part for part in (why, authority) if part)
        head = f"revised {on}" if on else "revised"
        named[row["function"]] = f"{row['function']} ({head}: {how})" if how else f"{row['function']} ({head})"
    return named


# A figure as bch's messages write it: £6,151,000, -£795,000, £6,151k, £1.8m
_FIGURE = re.compile(r"(-?)£(\d[\d,]*(?:\.\d+)?)([km]?)")
_SCALE = {"": 1, "k": 1000, "m": 1_000_000}


def figures(message: str) -> tuple[Decimal, ...]:
    """The pounds a finding's message states, in order, whichever way they are written."""
    return tuple(
        Decimal(sign + digits.replace(",", "")) * _SCALE[unit] for sign, digits, unit in _FIGURE.findall(message)
    )


def _by_key(frame: pd.DataFrame, structured: bool) -> dict[tuple, list[tuple[str, str]]]:
    """Findings by their stable key, `bch.core.findings.Finding.key` (code, cell, stated and computed pounds): the
    severity and message of each raised. A pack written before findings carried their figures is keyed by the
    figures its messages state instead, and so is the pack compared with it."""
    found: dict[tuple, list[tuple[str, str]]] = {}
    figured = _STRUCTURED if structured else ()
    for severity, code, cell, message, *pounds in frame[[*_FINDING, *figured]].itertuples(index=False):
        key = (code, cell, *pounds) if structured else (code, cell, figures(message))
        found.setdefault(key, []).append((severity, message))
    return found


def _findings(old: pd.DataFrame, new: pd.DataFrame) -> list[dict]:
    structured = all(set(_STRUCTURED) <= set(frame.columns) for frame in (old, new))
    before, after = _by_key(old, structured), _by_key(new, structured)
    found = []
    for key, raised in after.items():  # a finding raised twice where once before is new once
        for severity, message in raised[len(before.get(key, [])) :]:
            found.append(change("finding new", f"{severity} {key[0]} {key[1]}", None, message))
    for key, raised in before.items():
        for severity, message in raised[len(after.get(key, [])) :]:
            found.append(change("finding resolved", f"{severity} {key[0]} {key[1]}", message, None))
    return found


def compare(
    previous: dict[str, pd.DataFrame] | None,
    current: dict[str, pd.DataFrame],
    previous_parameters: dict | None = None,
    parameters: dict | None = None,
    previous_fingerprint: dict | None = None,
    fingerprint: dict | None = None,
) -> list[dict]:
    """Changes from `previous` to `current` tables (by their pack names); [] with nothing to compare.
    NotComparable when either lacks a column `NEEDED` names: a missing column is never "all added".
    The fingerprints (bch.publish.packhistory.fingerprint, as each manifest records it) say why a pack of the same
    edition was published again."""
    if previous is None:
        return []
    why = _lacking(previous, "previous") or _lacking(current, "current")
    if why:
        raise NotComparable(why)
    old = {name: _text(previous[name]) for name in NEEDED}
    new = {name: _text(current[name]) for name in NEEDED}
    renamed = renames(old["savings-tidy"], new["savings-tidy"])
    found = [
        *republished(previous_parameters, parameters, previous_fingerprint, fingerprint),
        *parameters_changed(previous_parameters, parameters),
        *_savings(old["savings-tidy"], new["savings-tidy"], renamed),
        *_cases(old["variance"], new["variance"], renamed),
        *_findings(old["findings"], new["findings"]),
    ]
    order = {kind: i for i, kind in enumerate(_KIND_ORDER)}
    return sorted(found, key=lambda c: (order[c["kind"]], natural_key(c["item"])))
