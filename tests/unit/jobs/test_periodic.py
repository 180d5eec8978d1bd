"""The background renewals a job runs: ticks until stopped, stops early when told,
and never ticks after ``stop`` returns."""

from __future__ import annotations

import threading

from chalicelib.jobs.periodic import Periodic


def test_ticks_repeatedly_until_stopped_and_never_after() -> None:
    ticks: list[int] = []
    third = threading.Event()

    def tick() -> bool:
        ticks.append(1)
        if len(ticks) >= 3:
            third.set()
        return True

    renewals = Periodic(tick, interval_s=0.01, name="periodic-test")
    renewals.start()
    assert third.wait(10)
    renewals.stop()
    seen = len(ticks)
    # stop() joined the thread: nothing can tick any more.
    assert not [t for t in threading.enumerate() if t.name == "periodic-test"]
    assert len(ticks) == seen


def test_a_tick_that_returns_false_ends_the_renewals() -> None:
    calls: list[int] = []

    def tick_once() -> bool:
        calls.append(1)
        return False

    renewals = Periodic(tick_once, interval_s=0.01, name="periodic-once")
    renewals.start()
    renewals._thread.join(10)
    assert calls == [1]
    renewals.stop()


def test_stop_waits_for_a_tick_in_flight() -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def slow_tick() -> bool:
        started.set()
        release.wait(10)
        finished.set()
        return True

    renewals = Periodic(slow_tick, interval_s=0.01, name="periodic-slow")
    renewals.start()
    assert started.wait(10)
    stopper = threading.Thread(target=renewals.stop)
    stopper.start()
    stopper.join(0.2)
    assert stopper.is_alive() and not finished.is_set()
    release.set()
    stopper.join(10)
    assert finished.is_set() and not stopper.is_alive()
