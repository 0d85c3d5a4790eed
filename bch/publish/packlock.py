"""The output folder while a pack is built into it: its lock, and what is checked and tidied first.

One `bch pack` at a time writes into a folder (a lock file beside the packs); under the lock, the
temporary folders of killed runs are removed and a ledger cut short by a crash is mended, and before
anything is created the folder is checked to be one a pack may be written into.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

from bch.core.errors import BchError
from bch.publish import ledger, packlist
from bch.publish.kernel import alive
from bch.publish.manifest import MANIFEST
from bch.publish.packoptions import PackError

LOCK = ".bch-pack.lock"

_TEMPORARY = re.compile(r"^\.(?:building-\d{8}T\d{6}Z|latest)-(\d+)$")


class PackBusy(BchError):
    """Another `bch pack` holds the output folder's lock."""

    exit_code = 3


@contextmanager
def locked(out: Path):
    from filelock import FileLock, Timeout

    lock = FileLock(out / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise PackBusy(f"another bch pack is running into {out} (lock {out / LOCK}); try again when it ends") from None
    except OSError as exc:
        raise PackError(f"cannot take the lock {out / LOCK}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()


def remove_stale(out: Path) -> None:
    """Temporary folders and links of runs whose process is gone (killed mid-run)."""
    for path in out.iterdir():
        match = _TEMPORARY.match(path.name)
        if not match or alive(int(match[1])):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def check_output_folder(out: Path) -> None:
    link = out / packlist.LATEST
    if os.path.lexists(link) and not link.is_symlink():
        raise PackError(f"{link} is a real file or folder, not the link bch keeps: move it away, then run again")
    for parent in (out, *out.parents):  # `out` may not exist yet: this runs before anything is created
        if packlist.PACK_NAME.match(parent.name) and _is_file(parent / MANIFEST):
            raise PackError(f"--out {out} is inside the published pack {parent}; packs are never written into")


def _is_file(path: Path) -> bool:
    """is_file() that answers False where the OS can't look the path up (a name too long, no permission): the
    mkdir that follows says why in its own one line."""
    try:
        return path.is_file()
    except OSError:
        return False


def check_ledger(out: Path) -> None:
    """Before any kernel starts: a ledger this run could not extend stops it now, with the way out.

    An unterminated last line that is not an entry is a write cut short (a crash while recording, before
    that pack was renamed into place, so no pack is lost): it is dropped and the run goes on. A whole entry
    missing only its newline is not broken at all: it is kept, and the next entry starts on a line of its own.
    """
    path = out / ledger.LEDGER
    _, why = ledger.read_ledger(path)
    if why is None:
        return
    keep = ledger.torn_tail(path)
    if keep is not None:
        with open(path, "r+b") as handle:
            handle.truncate(keep)
        if ledger.read_ledger(path)[1] is None:
            return
    raise PackError(
        f"{why}; nothing can be published into {out} until it is mended: restore {ledger.LEDGER} from a copy, "
        "or move it aside to start a new chain (bch verify then reports the packs before it as not in the ledger)"
    )
