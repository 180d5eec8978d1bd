"""A job's heartbeat: renews with the latest progress, rides out a failed write, and
notices when another job has taken the record."""

from __future__ import annotations

import threading

import pytest
from pynamodb.exceptions import UpdateError

from chalicelib.jobs.lease import Heartbeat, LeaseLost


def test_renews_with_the_latest_progress_and_survives_a_failed_write() -> None:
    seen: list[float | None] = []
    third = threading.Event()

    def renew(progress: float | None) -> None:
        seen.append(progress)
        if len(seen) == 1:
            raise UpdateError("DynamoDB unreachable")
        if len(seen) >= 3:
            third.set()

    heartbeat = Heartbeat(renew, lease_s=4, name="job-1")
    heartbeat.report(1.7)  # clamped: progress never passes 100 %
    with heartbeat:
        assert third.wait(30)
    heartbeat.check()  # the failed write did not count as a lost lease
    assert seen[:3] == [1.0, 1.0, 1.0]
    assert not [t for t in threading.enumerate() if t.name == "lease-job-1"]


def test_a_taken_lease_stops_the_renewals_and_the_job() -> None:
    calls: list[float | None] = []

    def renew(progress: float | None) -> None:
        calls.append(progress)
        raise LeaseLost("another job holds the video")

    with Heartbeat(renew, lease_s=4, name="job-2") as heartbeat:
        assert heartbeat.lost.wait(30)
        with pytest.raises(LeaseLost, match="job-2"):
            heartbeat.check()
    assert calls == [None]
