"""Ctrl-C and SIGTERM while a pack is built: recorded when they arrive, raised where stopping is safe.

Raised wherever the signal lands, a KeyboardInterrupt can abort an import half way (its module lock stays
held, and another thread's next import waits forever) or land in a weakref callback inside importlib, which
prints "Exception ignored" and carries on: the run then publishes as if it had never been stopped. So while
`deferred()` is in force the handler only records the signal and runs what must happen at once (killing the
kernel, `on_stop`); the main thread raises KeyboardInterrupt itself at `check()`, between steps.

The handler runs on the main thread, between any two of its bytecodes: it takes no lock (a plain flag, no
threading.Event), since the lock it waited for could be one the interrupted code holds.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_state = {"stopped": False, "depth": 0}
_on_stop: list[Callable[[], None]] = []


@contextmanager
def deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM recorded, not raised, inside; the previous handlers back after. Main thread only
    (where signals arrive): elsewhere it does nothing. Nested, the outermost one counts. A signal the process
    was started ignoring (SIG_IGN, as for a job started with `&`) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _state["depth"]:
        _state["depth"] += 1
        try:
            yield
        finally:
            _state["depth"] -= 1
        return
    _state.update(stopped=False, depth=1)
    previous = {s: signal.getsignal(s) for s in SIGNALS if signal.getsignal(s) is not signal.SIG_IGN}
    for signum in previous:
        signal.signal(signum, _record)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _state.update(stopped=False, depth=0)  # recorded for this run only


def _record(signum, frame) -> None:
    if _state["stopped"]:
        return  # a second Ctrl-C: already stopping
    _state["stopped"] = True
    for stop in list(_on_stop):
        with suppress(Exception):  # raised here it would land at an arbitrary point; check() still stops
            stop()


def stopped() -> bool:
    """A signal arrived while `deferred()` was in force."""
    return _state["stopped"]


def check() -> None:
    """Raise KeyboardInterrupt here if a signal arrived: call it (main thread) where stopping leaves nothing
    half done."""
    if _state["stopped"]:
        raise KeyboardInterrupt


@contextmanager
def on_stop(callback: Callable[[], None]) -> Iterator[None]:
    """`callback()` as soon as a signal arrives inside, or at once if one already has. It runs in the signal
    handler, interrupting the main thread anywhere: it must be quick and take no lock (killing a process is;
    setting a threading.Event is not)."""
    _on_stop.append(callback)
    try:
        if _state["stopped"]:
            callback()
        yield
    finally:
        _on_stop.remove(callback)
