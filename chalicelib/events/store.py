"""Where the relay keeps its state: the outbox items in the table (a fake in unit tests)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pynamodb.exceptions import UpdateError

from chalicelib.db.base import is_conditional_check_failure
from chalicelib.events.models import (
    OUTBOX_SHARDS,
    DomainEvent,
    OutboxKey,
    OutboxRecord,
    outbox_partition,
)


@dataclass(frozen=True)
class StoredEvent:
    event: DomainEvent
    attempts: int
    done: frozenset[str]


class OutboxStore(Protocol):
    def claim(self, key: OutboxKey, now: datetime, until: datetime) -> StoredEvent | None:
        """Lease the item until ``until`` unless it is gone or another relay holds it."""

    def mark(self, key: OutboxKey, step: str) -> bool:
        """Record a finished step; False when the item is gone."""

    def retry_later(self, key: OutboxKey, at: datetime, error: str) -> None: ...

    def delete(self, key: OutboxKey) -> None: ...

    def due(self, now: datetime, occurred_before: datetime, limit: int) -> Iterable[OutboxKey]:
        """Items that occurred before ``occurred_before`` and that no relay holds (and whose
        retry delay is over), oldest first per shard."""


class DynamoOutbox:
    def claim(self, key: OutboxKey, now: datetime, until: datetime) -> StoredEvent | None:
        item = OutboxRecord.unread(*key)
        free = OutboxRecord.lease_until.does_not_exist() | (OutboxRecord.lease_until < now)
        try:
            item.update(
                actions=[OutboxRecord.lease_until.set(until), OutboxRecord.attempts.add(1)],
                condition=OutboxRecord.pk.exists() & free,
                add_version_condition=False,
            )
        except UpdateError as exc:
            if is_conditional_check_failure(exc):
                return None
            raise
        return StoredEvent(item.event(), int(item.attempts), frozenset(item.done or ()))

    def mark(self, key: OutboxKey, step: str) -> bool:
        try:
            OutboxRecord.unread(*key).update(
                actions=[OutboxRecord.done.add({step})],
                condition=OutboxRecord.pk.exists(),
                add_version_condition=False,
            )
        except UpdateError as exc:
            if is_conditional_check_failure(exc):
                return False
            raise
        return True

    def retry_later(self, key: OutboxKey, at: datetime, error: str) -> None:
        try:
            OutboxRecord.unread(*key).update(
                actions=[OutboxRecord.lease_until.set(at), OutboxRecord.last_error.set(error)],
                condition=OutboxRecord.pk.exists(),
                add_version_condition=False,
            )
        except UpdateError as exc:
            if not is_conditional_check_failure(exc):
                raise

    def delete(self, key: OutboxKey) -> None:
        OutboxRecord.unread(*key).delete()

    def due(self, now: datetime, occurred_before: datetime, limit: int) -> list[OutboxKey]:
        free = OutboxRecord.lease_until.does_not_exist() | (OutboxRecord.lease_until < now)
        found: list[OutboxKey] = []
        for shard in range(OUTBOX_SHARDS):
            for item in OutboxRecord.query(
                outbox_partition(shard),
                # Sort keys start with the time the event occurred.
                OutboxRecord.sk < occurred_before.isoformat(),
                filter_condition=free,
                attributes_to_get=["pk", "sk"],
                limit=limit - len(found),
            ):
                found.append((item.pk, item.sk))
            if len(found) >= limit:
                break
        return found
