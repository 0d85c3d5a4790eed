"""Writing tables to disk: atomically, so a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd


def write_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula (=HYPERLINK(…),
# +cmd|…, @SUM(…)); a tab or CR lead lets one slip past a check of the first visible character.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _defuse(value):
    """Text a spreadsheet would run as a formula, prefixed with ' (OWASP); a bare CR, which the CSV
    writer leaves unquoted and a reader takes for a row break, made LF (which it quotes)."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(FORMULA_LEADS) else value


def csv_text(frame: pd.DataFrame) -> str:
    """`frame` as the CSV bch writes: no index, LF line ends, formula-like text defused (headers included).

    Only text (object/string) columns are touched, and in them only str values: a number stays a
    number, so a negative amount still reads -795000.
    """
    text_columns = [
        position
        for position, dtype in enumerate(frame.dtypes)
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
    ]
    if text_columns:
        frame = frame.copy()
        for position in text_columns:
            column = frame.iloc[:, position]
            frame.isetitem(position, column.map(_defuse, na_action="ignore").astype(column.dtype))
    header = [_defuse(str(column)) for column in frame.columns]  # a header from an input is text like any cell
    return frame.to_csv(index=False, header=header, lineterminator="\n")


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    return write_atomic(path, csv_text(frame).encode("utf-8"))


def save_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> list[Path]:
    """Write each table as `<name>.csv` into `folder`; returns the paths written."""
    return [write_csv(frame, Path(folder) / f"{name}.csv") for name, frame in tables.items()]
