"""A job holds its record under a lease and renews it while it works.

A worker that dies stops renewing, so the lease runs out and a redelivered
message may take the record over; a worker that finds its lease taken stops
without publishing anything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from pynamodb.exceptions import UpdateError

from chalicelib.observability import logger


class LeaseLost(Exception):
    """Another job took the record over (our lease expired); stop without publishing."""


class Heartbeat:
    """Calls ``renew(progress)`` every few seconds while the job works.

    ``renew`` extends the lease (and records progress, when known) with a
    conditional write that raises ``LeaseLost`` once another job owns the record.
    """

    def __init__(self, renew: Callable[[float | None], None], *, lease_s: float, name: str) -> None:
        self._renew = renew
        self._name = name
        # Often enough for a live progress bar, well within the lease.
        self._interval_s = max(1.0, min(lease_s / 4, 5.0))
        self._stop = threading.Event()
        self._progress: float | None = None
        self.lost = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{name}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def report(self, fraction: float) -> None:
        self._progress = round(max(0.0, min(1.0, fraction)), 3)

    def check(self) -> None:
        if self.lost.is_set():
            raise LeaseLost(f"job {self._name} lost its lease")

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self._renew(self._progress)
            except LeaseLost:
                self.lost.set()
                return
            except UpdateError:
                # DynamoDB briefly unreachable: the lease is long enough to try again.
                logger.warning("lease renewal failed; will retry", extra={"job": self._name})
