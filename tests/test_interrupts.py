"""`bch.interrupts`: Ctrl-C and SIGTERM recorded when they arrive, raised only where `check()` is called."""

import signal
import threading

import pytest

from bch import interrupts


@pytest.mark.parametrize("signum", interrupts.SIGNALS, ids=["SIGINT", "SIGTERM"])
def test_a_signal_inside_is_recorded_and_raised_only_at_check(signum):
    before = signal.getsignal(signum)
    stops = []
    with interrupts.deferred(), interrupts.on_stop(lambda: stops.append("kernel killed")):
        signal.raise_signal(signum)  # its handler has run when this returns
        assert (interrupts.stopped(), stops) == (True, ["kernel killed"])
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    assert signal.getsignal(signum) is before
    assert not interrupts.stopped()  # recorded for that run only
    interrupts.check()


def test_a_stop_registered_after_the_signal_runs_at_once():
    stops = []
    with interrupts.deferred():
        signal.raise_signal(signal.SIGINT)
        with interrupts.on_stop(lambda: stops.append("kernel killed")):
            assert stops == ["kernel killed"]
        signal.raise_signal(signal.SIGINT)  # after leaving on_stop: no longer called
    assert stops == ["kernel killed"]


def test_outside_the_main_thread_nothing_changes():
    seen = {}

    def in_a_thread():
        with interrupts.deferred():
            seen["handler"] = signal.getsignal(signal.SIGINT)

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen["handler"] is signal.getsignal(signal.SIGINT)  # the main thread's, untouched
