"""Something a job keeps doing in the background while it works: renewing its lease,
holding its message invisible."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Periodic:
    """Calls ``tick`` every ``interval_s`` on a daemon thread, from ``start`` until ``stop``.

    ``tick`` returns False to stop early (nothing left worth renewing). ``stop`` waits
    for a tick in flight to finish, at most ``join_timeout_s`` (None: however long it
    takes), so nothing renews after the caller has moved on.
    """

    def __init__(
        self,
        tick: Callable[[], bool],
        *,
        interval_s: float,
        name: str,
        join_timeout_s: float | None = None,
    ) -> None:
        self._tick = tick
        self._interval_s = interval_s
        self._join_timeout_s = join_timeout_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=self._join_timeout_s)

    def _run(self) -> None:
        while not self._stopping.wait(self._interval_s):
            if not self._tick():
                return
