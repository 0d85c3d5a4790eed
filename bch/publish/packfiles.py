"""A published pack read back: its manifest and the tables the next pack is compared with.

An earlier pack is evidence, not input: it may come from an older bch, be edited by hand, or be a
link, a pipe or a huge file planted in the output folder. So each file is read only when it is a
regular file (never followed, never waited on), within a size cap, as UTF-8 text, and what can't be
read comes back as a one-line reason, never an exception: a pack that can't be compared with still
lets the next one publish.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Mapping, Sequence
from io import StringIO
from pathlib import Path

import pandas as pd

from bch.analyse.tables import SCHEMAS, csv_name
from bch.core import labels
from bch.publish.manifest import MANIFEST
from bch.read import csvfiles

# A pack's tables are kilobytes and its manifest a few; these leave a hundredfold room while keeping
# a planted file from filling memory before it is refused.
MAX_TABLE_BYTES = 32 * 2**20
MAX_MANIFEST_BYTES = 4 * 2**20
_POUNDS = re.compile(r"(-?\d{1,19})?")  # int pounds as bch writes them; '' where the figure is unknown


class Unreadable(ValueError):
    """A file of a published pack that can't be read as bch writes it; the message is the one-line reason."""


def _json_kind(value: object) -> str:
    kinds = {list: "an array", str: "a string", bool: "true or false", int: "a number", float: "a number"}
    return kinds.get(type(value), "null" if value is None else "an object")


def _shown(value: str, width: int = 40) -> str:
    """A value from the file as a reason quotes it: control and bidi characters made visible, clipped."""
    return repr(labels.clip(labels.neutralise(value), width))


def regular_bytes(path: Path, cap: int) -> bytes:
    """The bytes of `path` if it is a regular file of at most `cap` bytes; Unreadable otherwise."""
    try:
        # O_NOFOLLOW: a link is refused, not followed out of the pack; O_NONBLOCK: a FIFO is not waited on
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise Unreadable(f"{path.name} is missing") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Unreadable(f"{path.name} is a symbolic link, which is never followed") from None
        raise Unreadable(f"{path.name} can't be opened ({exc.strerror or type(exc).__name__})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise Unreadable(f"{path.name} is not a regular file")
        try:
            data = handle.read(cap + 1)
        except OSError as exc:
            raise Unreadable(f"{path.name} can't be read ({exc.strerror or type(exc).__name__})") from None
    if len(data) > cap:
        raise Unreadable(f"{path.name} is larger than {cap:,} bytes")
    return data


def utf8_text(name: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"{name} is not UTF-8 text (byte {exc.start})") from None
    if "\x00" in text:
        raise Unreadable(f"{name} is not text (it holds a NUL byte)")
    return text


def read_manifest(folder: Path, recorded_sha256: str | None = None) -> tuple[dict | None, str | None]:
    """The pack's manifest as this bch writes it, or None and why it is not one; with `recorded_sha256` (its
    ledger entry's), a manifest edited since it was published is not one either."""
    try:
        data = regular_bytes(folder / MANIFEST, MAX_MANIFEST_BYTES)
        text = utf8_text(MANIFEST, data)
    except Unreadable as exc:
        return None, str(exc)
    if recorded_sha256 is not None and hashlib.sha256(data).hexdigest() != recorded_sha256:
        return None, f"{MANIFEST} differs from its ledger entry: edited since it was published"
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"{MANIFEST} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    except RecursionError:
        return None, f"{MANIFEST} is not JSON bch writes (nested too deeply)"
    why = manifest_problem(record)
    return (None, why) if why else (record, None)


def manifest_problem(record: object) -> str | None:
    """Why `record` is not a manifest this bch can place and compare with (None when it is one)."""
    if not isinstance(record, dict):
        return f"{MANIFEST} holds {_json_kind(record)}, not a JSON object"
    parameters = record.get("parameters", {})
    if not isinstance(parameters, dict):
        return f"{MANIFEST}'s parameters are {_json_kind(parameters)}, not a JSON object"
    as_of = as_of_of(record)
    if as_of is None:
        return f"{MANIFEST} states no as_of date"
    if not isinstance(as_of, str) or not _is_iso_date(as_of):
        return f"{MANIFEST}'s as_of {_shown(str(as_of))} is not a date (YYYY-MM-DD)"
    return None


def as_of_of(record: dict) -> object:
    """The as-of date a manifest states: at its top, or (older bch) among its parameters."""
    return record.get("as_of") or record.get("parameters", {}).get("as_of")


def _is_iso_date(text: str) -> bool:
    try:
        return dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def read_tables(folder: Path, needed: Mapping[str, Sequence[str]]) -> tuple[dict[str, pd.DataFrame] | None, str | None]:
    """The pack's tables named in `needed` (every cell text), each holding the columns listed there,
    or None and why the first that can't be read can't."""
    found = {}
    for name, columns in needed.items():
        try:
            found[name] = read_table(folder / csv_name(name), columns, SCHEMAS[name].of_kind("money"))
        except Unreadable as exc:
            return None, str(exc)
    return found, None


def read_table(path: Path, columns: Sequence[str], money: Sequence[str]) -> pd.DataFrame:
    """The CSV at `path`, every cell text ('' for empty), once it holds `columns` and int pounds in
    every `money` column it holds (needed or not: a finding's stated_gbp too); Unreadable otherwise."""
    text = utf8_text(path.name, regular_bytes(path, MAX_TABLE_BYTES))
    if not text.strip():
        raise Unreadable(f"{path.name} is empty")
    try:
        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise Unreadable(f"{path.name} is not a CSV table ({labels.one_line(exc)})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise Unreadable(f"{path.name} lacks the column(s) {', '.join(missing)}")
    for column in [c for c in money if c in frame.columns]:  # every money column it holds, needed or not
        for index, value in enumerate(frame[column]):
            if not _POUNDS.fullmatch(value):
                where = csvfiles.ref(path, frame, index, column)
                raise Unreadable(f"{where} holds {_shown(value)}, not int pounds")
    return frame
