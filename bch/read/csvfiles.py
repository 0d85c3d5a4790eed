"""Reading the project's hand-kept CSV inputs, and naming their cells as a spreadsheet would."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bch.core import cells, codes, labels
from bch.core.errors import InputError
from bch.core.findings import Finding, finding

# Limits a real register, revisions file or claims file never reaches (they hold tens of rows): past them the file
# is refused in one line, before a run spends minutes and gigabytes on it.
MAX_CSV_BYTES = 10 * 2**20
MAX_CSV_ROWS = 10_000


def read_text_table(
    path: str | Path, required: list[str], what: str, cap: tuple[int, str] | None = None
) -> pd.DataFrame:
    """Every column as text ('' for empty); InputError naming the file if it or a column is missing, if two columns
    share a header (after trimming: `forecast` and ` forecast` would otherwise let one replace the other), if a
    row has more fields than the header, or if it is past `MAX_CSV_BYTES` or its row cap: `cap` (the limit and the
    name it is declared under), else `MAX_CSV_ROWS`."""
    most, declared = cap or (MAX_CSV_ROWS, "bch.read.csvfiles.MAX_CSV_ROWS")
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} not found: {path}")
    _within_size(path, what)
    try:
        # the header read as a row, as written (pandas would rename a repeated header `forecast.1`); one row past
        # the cap is enough to know it is exceeded: the rest is never parsed
        raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8", nrows=most + 2)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        reason = labels.one_line(exc)
        raise InputError(f"{what} {path} is not a readable CSV ({reason})") from None
    except OSError as exc:  # no permission, a disk error: the file is there but can't be read
        raise InputError(f"{what} {path} can't be read ({exc.strerror or type(exc).__name__})") from None
    if len(raw) > most + 1:
        raise InputError(f"{what} {path} has more than {most:,} rows; a file of more is not read ({declared})")
    frame = raw.iloc[1:].reset_index(drop=True)
    frame.columns = _headers(path, list(raw.iloc[0]) if len(raw) else [], what)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = labels.neutralise(", ".join(frame.columns))  # headers are input: never a raw control on a terminal
        raise InputError(f"{what} {path} lacks the column(s) {', '.join(missing)}; it has {labels.clip(found)}")
    return frame.apply(lambda column: column.str.strip())


def _headers(path: Path, written: list, what: str) -> list[str]:
    """The header row trimmed; a blank one named by its column; the same header twice refused, naming both cells."""
    headers, seen = [], {}
    for position, text in enumerate(written, 1):
        header = str(text).strip() or f"(no header, column {cells.column_letter(position)})"
        if header in seen:
            first, again = cells.ref(path.name, 1, seen[header]), cells.ref(path.name, 1, position)
            shown = labels.clip(labels.neutralise(header), 60)
            raise InputError(f"{what} {path} has two columns headed {shown!r} ({first} and {again}); keep one")
        seen[header] = position
        headers.append(header)
    return headers


def read_known(
    path: str | Path, columns: list[str], what: str, optional: list[str] = (), cap: tuple[int, str] | None = None
) -> tuple[pd.DataFrame, list[Finding]]:
    """`read_text_table` (every one of `columns` required), an `unknown-column` warning for each column neither in
    `columns` nor `optional`, and the known columns' cells neutralised. Unknown columns stay in the frame, untouched,
    for the caller to leave out: each cell's reference counts them, as the CSV opened in Excel does."""
    known = [*columns, *optional]
    raw = read_text_table(path, columns, what, cap)
    frame, hostile = neutralise_frame(raw, path, what, only=known)
    return frame, unknown_columns(raw, path, what, known) + hostile


def _within_size(path: Path, what: str) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{what} {path} can't be read ({exc.strerror or type(exc).__name__})") from None
    if size > MAX_CSV_BYTES:
        raise InputError(
            f"{what} {path} is {size:,} bytes; a file of more than {MAX_CSV_BYTES:,} is not read "
            "(bch.read.csvfiles.MAX_CSV_BYTES)"
        )


def ref(path: str | Path, frame: pd.DataFrame, index: int, column: str) -> str:
    """The cell of `column` in data row `index` as Excel shows the CSV: business-cases.csv!D3."""
    return cells.ref(Path(path).name, index + 2, list(frame.columns).index(column) + 1)


def unknown_columns(frame: pd.DataFrame, path: str | Path, what: str, known: list[str]) -> list[Finding]:
    """An `unknown-column` warning naming the header cell of each column not `known`, for the caller to drop. A header
    is input like any cell (`=HYPERLINK(…)`, ESC, U+202E): one bch does not read never reaches a pack."""
    return [
        finding(
            codes.UNKNOWN_COLUMN,
            cells.ref(Path(path).name, 1, position + 1),
            f"{what}: the column {labels.clip(labels.neutralise(str(column)), 60)!r} is not one bch reads "
            f"({', '.join(known)}); dropped",
        )
        for position, column in enumerate(frame.columns)
        if column not in known
    ]


def neutralise_frame(
    frame: pd.DataFrame, path: str | Path, what: str, only: list[str] | None = None
) -> tuple[pd.DataFrame, list[Finding]]:
    """`frame` with every text cell's control, bidi and zero-width characters made visible (`labels.neutralise`),
    and a `hostile-text` warning naming each cell changed; `only` those columns when given (the others are to be
    dropped, their cells still counted in each cell's reference). The frame given is not modified."""
    findings: list[Finding] = []
    out = frame.copy()
    for position, column in enumerate(frame.columns):
        if only is not None and column not in only:
            continue
        values = list(frame.iloc[:, position])
        changed = False
        for index, value in enumerate(values):
            if not isinstance(value, str) or not (found := labels.hostile_characters(value)):
                continue
            values[index] = safe = labels.neutralise(value)
            changed = True
            findings.append(
                finding(
                    codes.HOSTILE_TEXT,
                    ref(path, frame, index, column),
                    f"{what}: {column} holds {', '.join(found)}, which can reverse, hide or forge text; "
                    f"read as {labels.clip(safe, 60)!r}",
                )
            )
        if changed:
            out.isetitem(position, pd.Series(values, index=frame.index, dtype=frame.dtypes.iloc[position]))
    return out, findings
