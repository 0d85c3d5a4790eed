"""Ctrl-C and SIGTERM while a pack is built: recorded when they arrive, raised where stopping is safe.

Raised wherever the signal lands, a KeyboardInterrupt can abort an import half way (its module lock stays
held, and another thread's next import waits forever) or land in a weakref callback inside importlib, which
prints "Exception ignored" and carries on: the run then publishes as if it had never been stopped. So while
`deferred()` is in force the handler only records the signal and runs what must happen at once (killing the
kernel, `on_stop`); the main thread raises KeyboardInterrupt itself at `check()`, between steps.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_stopped = threading.Event()
_on_stop: list[Callable[[], None]] = []


@contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM recorded, not raised, inside; the previous handlers back after. Only the main thread
    receives signals: elsewhere this changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _stopped.clear()
    previous = {signum: signal.signal(signum, _record) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _stopped.clear()  # recorded for this run only


def _record(signum, frame) -> None:
    _stopped.set()
    for stop in list(_on_stop):
        stop()


def stopped() -> bool:
    """A signal arrived while `deferred()` was in force."""
    return _stopped.is_set()


def check() -> None:
    """Raise KeyboardInterrupt here if a signal arrived: call it where stopping leaves nothing half done."""
    if _stopped.is_set():
        raise KeyboardInterrupt


@contextmanager
def on_stop(callback: Callable[[], None]) -> Iterator[None]:
    """`callback()` as soon as a signal arrives inside (from the handler: it must be quick and thread-safe),
    or at once if one already has."""
    _on_stop.append(callback)
    try:
        if _stopped.is_set():
            callback()
        yield
    finally:
        _on_stop.remove(callback)
