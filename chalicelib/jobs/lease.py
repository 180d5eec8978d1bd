"""A job holds its record under a lease and renews it while it works.

A worker that dies stops renewing, so the lease runs out and a redelivered
message may take the record over; a worker that finds its lease taken stops
without publishing anything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.db.base import TableModel, is_conditional_check_failure, utcnow
from chalicelib.events import outbox
from chalicelib.events.models import DomainEvent
from chalicelib.jobs.periodic import Periodic
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
        self._progress: float | None = None
        self.lost = threading.Event()
        self._renewals = Periodic(
            self._renew_once,
            # Often enough for a live progress bar, well within the lease.
            interval_s=max(1.0, min(lease_s / 4, 5.0)),
            name=f"lease-{name}",
            join_timeout_s=10,
        )

    def __enter__(self) -> Heartbeat:
        self._renewals.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._renewals.stop()

    def report(self, fraction: float) -> None:
        self._progress = round(max(0.0, min(1.0, fraction)), 3)

    def check(self) -> None:
        if self.lost.is_set():
            raise LeaseLost(f"job {self._name} lost its lease")

    def _renew_once(self) -> bool:
        try:
            self._renew(self._progress)
        except LeaseLost:
            self.lost.set()
            return False
        except UpdateError:
            # DynamoDB briefly unreachable: the lease is long enough to try again.
            logger.warning("lease renewal failed; will retry", extra={"job": self._name})
        return True


@dataclass(frozen=True)
class JobLease:
    """One job's hold on one record: writes that succeed only while the job holds it.

    The record (a video, a clip) carries ``status``, ``job`` (a map with
    ``job_id`` and ``lease_until``), ``progress`` and ``updated_at``. The job
    holds the record while the record is in ``running_status`` and names it;
    its lease runs out unless a heartbeat renews it.
    """

    model: type[TableModel]
    key: tuple[str, str]
    job_id: str
    running_status: str
    lease_s: int

    def _holds(self) -> Any:
        model = cast("Any", self.model)
        return (model.job.job_id == self.job_id) & (model.status == self.running_status)

    def update(self, actions: list[Any]) -> None:
        """Apply ``actions`` only while this job still holds the record."""
        model = cast("Any", self.model)
        try:
            self.model.update_item(
                *self.key,
                actions=[*actions, model.updated_at.set(utcnow())],
                condition=self._holds(),
            )
        except UpdateError as exc:
            if is_conditional_check_failure(exc):
                raise LeaseLost(f"job {self.job_id} no longer holds {self.key[0]}") from exc
            raise

    def update_announcing(self, actions: list[Any], event: DomainEvent) -> None:
        """``update`` and its event, in one transaction (the outbox)."""
        model = cast("Any", self.model)
        try:
            outbox.update(
                self.model.unread(*self.key),
                [*actions, model.updated_at.set(utcnow())],
                event,
                condition=self._holds(),
                add_version_condition=False,
            )
        except TransactWriteError as exc:
            if outbox.condition_failed(exc):
                raise LeaseLost(f"job {self.job_id} no longer holds {self.key[0]}") from exc
            raise

    def renew(self, progress: float | None) -> None:
        model = cast("Any", self.model)
        actions: list[Any] = [model.job.lease_until.set(utcnow() + timedelta(seconds=self.lease_s))]
        if progress is not None:
            actions.append(model.progress.set(progress))
        self.update(actions)

    def release(self) -> None:
        """Let the next delivery take the record at once (this attempt failed; SQS retries)."""
        self.update([cast("Any", self.model).job.lease_until.set(utcnow())])

    def heartbeat(self) -> Heartbeat:
        """Renews the lease (and reports progress) while the job works."""
        return Heartbeat(self.renew, lease_s=self.lease_s, name=self.job_id)
