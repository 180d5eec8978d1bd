"""Delivering stored events to their subscribers, then deleting them from the outbox.

Three callers, one algorithm (``Relay.relay_one``):

- right after a commit, in the same request or job (``flush``): most events go here;
- the table's stream in AWS (``stream_keys`` → ``Relay.relay``): every new outbox item;
- a sweep on a timer (``Relay.sweep``): the local runner's stand-in for the stream,
  and in AWS the backstop for whatever neither of the others finished.

A relay first takes a short lease on the item, so two relays never work on one
event at once; a relay that dies leaves the lease to run out, and the next one
takes over. Subscribers record their steps on the item (``Steps``), so the one
that takes over skips what was already done: re-running the relay never
delivers an event to a subscriber twice. A subscriber that fails leaves the
item for a later attempt, with a growing delay; an event is retried, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecordEventName,
    DynamoDBStreamEvent,
)

from chalicelib.config import get_settings
from chalicelib.db.base import utcnow
from chalicelib.events import outbox
from chalicelib.events.models import OUTBOX_PREFIX, DomainEvent, OutboxKey
from chalicelib.events.store import DynamoOutbox, OutboxStore, StoredEvent
from chalicelib.observability import correlated, logger

# After the n-th failed attempt an event waits min(2**n, cap) seconds.
MAX_RETRY_DELAY_S = 300


class Superseded(Exception):
    """Another relay finished this event while we worked on it; stop quietly."""


class Steps:
    """A subscriber's checkpoints on one event: what a previous relay already did."""

    def __init__(self, store: OutboxStore, key: OutboxKey, done: Iterable[str]) -> None:
        self._store = store
        self._key = key
        self._done = set(done)

    def done(self, step: str) -> bool:
        return step in self._done

    def mark(self, step: str) -> None:
        if not self._store.mark(self._key, step):
            raise Superseded(f"{self._key[1]} was relayed by someone else")
        self._done.add(step)


class Subscriber(Protocol):
    """Receives every relayed event; must be idempotent per ``Steps`` step."""

    name: str

    def deliver(self, event: DomainEvent, steps: Steps) -> None: ...


@dataclass
class RelayOutcome:
    relayed: int = 0
    # Gone (relayed meanwhile) or held by another relay right now.
    skipped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: RelayOutcome) -> None:
        self.relayed += other.relayed
        self.skipped += other.skipped
        self.failed += other.failed
        self.errors += other.errors


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_RETRY_DELAY_S, 2 ** max(0, attempts)))


class Relay:
    def __init__(
        self,
        subscribers: Sequence[Subscriber],
        store: OutboxStore | None = None,
        *,
        lease_s: float | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.subscribers = tuple(subscribers)
        self.store = store or DynamoOutbox()
        self.lease = timedelta(
            seconds=lease_s if lease_s is not None else get_settings().events_relay_lease_s
        )
        self.clock = clock

    def relay(self, keys: Iterable[OutboxKey]) -> RelayOutcome:
        outcome = RelayOutcome()
        for key in keys:
            outcome.add(self.relay_one(key))
        return outcome

    def sweep(self, limit: int = 100, grace_s: float | None = None) -> RelayOutcome:
        """Every stored event whose lease (or retry delay) has run out, oldest first.

        Events younger than ``grace_s`` are left to the relay that runs right after
        their commit: the sweep is for what that one did not finish.
        """
        grace = timedelta(
            seconds=grace_s if grace_s is not None else get_settings().events_sweep_grace_s
        )
        now = self.clock()
        return self.relay(self.store.due(now, now - grace, limit))

    def relay_one(self, key: OutboxKey) -> RelayOutcome:
        now = self.clock()
        stored = self.store.claim(key, now, now + self.lease)
        if stored is None:
            return RelayOutcome(skipped=1)
        with correlated(stored.event.correlation_id):
            return self._deliver(key, stored)

    def _deliver(self, key: OutboxKey, stored: StoredEvent) -> RelayOutcome:
        steps = Steps(self.store, key, stored.done)
        try:
            for subscriber in self.subscribers:
                if steps.done(subscriber.name):
                    continue
                subscriber.deliver(stored.event, steps)
                steps.mark(subscriber.name)
            self.store.delete(key)
        except Superseded:
            return RelayOutcome(skipped=1)
        # Any failure of a subscriber (an outage, a bug) is recorded on the event
        # and retried later; it must not stop the events behind it.
        except Exception as exc:  # noqa: BLE001
            error = f"{type(exc).__name__}: {exc}"[:500]
            self.store.retry_later(key, self.clock() + retry_delay(stored.attempts), error)
            logger.warning(
                "event relay failed; it will be retried",
                extra={"event_id": stored.event.event_id, "error": error},
            )
            return RelayOutcome(failed=1, errors=[error])
        logger.info(
            "event relayed",
            extra={"event_id": stored.event.event_id, "event_type": stored.event.type},
        )
        return RelayOutcome(relayed=1)


_installed: tuple[Subscriber, ...] = ()


def install(subscribers: Sequence[Subscriber]) -> None:
    """Name the subscribers this process relays to (app.py does, once, at import)."""
    global _installed  # noqa: PLW0603  (one table per process, set by the composition root)
    _installed = tuple(subscribers)


def installed() -> Relay:
    return Relay(_installed)


def flush() -> RelayOutcome:
    """Relay what this request or job wrote to the outbox, right after its commit.

    Best effort: whatever fails here stays stored, and the stream or the sweep
    delivers it. With no subscribers installed (a script, a test), the events
    simply wait for them.
    """
    keys = outbox.take_written()
    if not keys or not _installed:
        return RelayOutcome()
    try:
        return installed().relay(keys)
    # The caller's change is committed; its answer must not depend on delivery.
    except Exception:  # noqa: BLE001
        logger.exception("relay after commit failed; the backstop will deliver")
        return RelayOutcome(failed=len(keys))


def stream_keys(event: dict[str, Any]) -> list[OutboxKey]:
    """The outbox items a DynamoDB stream batch inserted (other records are ignored)."""
    keys = []
    for record in DynamoDBStreamEvent(event).records:
        if record.event_name is not DynamoDBRecordEventName.INSERT or record.dynamodb is None:
            continue
        item_keys = record.dynamodb.keys
        pk, sk = item_keys.get("pk"), item_keys.get("sk")
        if isinstance(pk, str) and isinstance(sk, str) and pk.startswith(OUTBOX_PREFIX):
            keys.append((pk, sk))
    return keys


def relay_stream(event: dict[str, Any]) -> dict[str, int]:
    """The stream-triggered function in AWS: relay every outbox item the batch inserted.

    An event another relay holds right now is skipped: that relay finishes it,
    or its lease runs out and the sweep does.
    """
    outcome = installed().relay(stream_keys(event))
    return {"relayed": outcome.relayed, "skipped": outcome.skipped, "failed": outcome.failed}


def sweep() -> dict[str, int]:
    outcome = installed().sweep()
    return {"relayed": outcome.relayed, "skipped": outcome.skipped, "failed": outcome.failed}
