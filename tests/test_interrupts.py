"""`bch.publish.interrupts`: Ctrl-C and SIGTERM recorded when they arrive, raised only where `check()` is called."""

import signal
import threading

import pytest

from bch.publish import interrupts, pack, packlock, packoptions
from tests.conftest import RUN_DATE


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


def test_a_second_signal_while_stopping_runs_nothing_twice():
    stops = []

    def kill_and_get_another():
        stops.append("kernel killed")
        signal.raise_signal(signal.SIGINT)  # lands inside the handler itself

    with interrupts.deferred(), interrupts.on_stop(kill_and_get_another):
        signal.raise_signal(signal.SIGINT)
        assert stops == ["kernel killed"]
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()


def test_a_failing_stop_never_raises_from_the_handler():
    def broken():
        raise RuntimeError("kernel already gone")

    with interrupts.deferred(), interrupts.on_stop(broken):
        signal.raise_signal(signal.SIGTERM)  # no RuntimeError here
        assert interrupts.stopped()


def test_nested_the_outer_run_keeps_what_it_recorded():
    with interrupts.deferred():
        signal.raise_signal(signal.SIGINT)
        with interrupts.deferred():
            assert interrupts.stopped()
        assert interrupts.stopped()
        assert signal.getsignal(signal.SIGINT) is interrupts._record


def test_a_signal_the_process_ignores_stays_ignored():
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupts.deferred():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is interrupts._record
    finally:
        signal.signal(signal.SIGINT, before)


# -- bch pack: the notebooks and rendering stubbed, a signal arriving in them ---------------------------


@pytest.fixture
def signal_in_the_notebooks(monkeypatch):
    """`bch pack`'s notebooks and rendering replaced by a SIGTERM (as a scheduler sends), then `then()`."""
    from bch.analyse import pipeline
    from bch.publish import render

    def stub(then):
        def notebooks_and_rendering(job, progress=None):
            signal.raise_signal(signal.SIGTERM)
            then()
            return [], pipeline.analyse_run(job.run), []

        monkeypatch.setattr(render, "execute_and_render", notebooks_and_rendering)
        monkeypatch.setattr(render, "check_tables", lambda analysis, building: None)

    return stub


def assert_nothing_published(out):
    from filelock import FileLock

    assert sorted(p.name for p in out.iterdir()) == [packlock.LOCK]  # no pack, no ledger, no `latest`, no leftovers
    FileLock(out / packlock.LOCK, timeout=0).acquire()  # and free


def test_a_signal_during_the_notebooks_publishes_nothing(tmp_path, signal_in_the_notebooks):
    signal_in_the_notebooks(lambda: None)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        pack.build_pack(packoptions.PackOptions(out=tmp_path / "packs"), run_date=RUN_DATE)
    assert_nothing_published(tmp_path / "packs")
    assert signal.getsignal(signal.SIGTERM) is before
    assert not interrupts.stopped()


def test_a_failure_after_a_signal_still_ends_as_interrupted(tmp_path, signal_in_the_notebooks):
    from bch.publish import render

    def fails():
        raise render.TablesDiffer("the notebook's variance.csv differs")

    signal_in_the_notebooks(fails)
    with pytest.raises(KeyboardInterrupt):
        pack.build_pack(packoptions.PackOptions(out=tmp_path / "packs"), run_date=RUN_DATE)
    assert_nothing_published(tmp_path / "packs")


def test_the_analysis_limit_expiring_after_a_signal_ends_as_interrupted():
    from bch.publish import render

    with interrupts.deferred():
        signal.raise_signal(signal.SIGINT)
        with pytest.raises(KeyboardInterrupt), render.deadline(600, "bch's own analysis of the inputs"):
            signal.raise_signal(signal.SIGALRM)
