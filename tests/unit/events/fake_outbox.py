"""An in-memory OutboxStore: the relay's rules without a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.events.models import DomainEvent, OutboxKey, outbox_key
from chalicelib.events.store import StoredEvent


@dataclass
class Item:
    event: DomainEvent
    lease_until: datetime | None = None
    attempts: int = 0
    done: set[str] = field(default_factory=set)
    last_error: str | None = None


class FakeOutbox:
    def __init__(self) -> None:
        self.items: dict[OutboxKey, Item] = {}

    def store(self, event: DomainEvent) -> OutboxKey:
        key = outbox_key(event)
        self.items[key] = Item(event)
        return key

    def claim(self, key: OutboxKey, now: datetime, until: datetime) -> StoredEvent | None:
        item = self.items.get(key)
        if item is None or (item.lease_until is not None and item.lease_until >= now):
            return None
        item.lease_until = until
        item.attempts += 1
        return StoredEvent(item.event, item.attempts, frozenset(item.done))

    def mark(self, key: OutboxKey, step: str) -> bool:
        item = self.items.get(key)
        if item is None:
            return False
        item.done.add(step)
        return True

    def retry_later(self, key: OutboxKey, at: datetime, error: str) -> None:
        item = self.items.get(key)
        if item is not None:
            item.lease_until = at
            item.last_error = error

    def delete(self, key: OutboxKey) -> None:
        self.items.pop(key, None)

    def due(self, now: datetime, occurred_before: datetime, limit: int) -> list[OutboxKey]:
        free = [
            key
            for key, item in sorted(self.items.items())
            if (item.lease_until is None or item.lease_until < now)
            and item.event.occurred_at < occurred_before
        ]
        return free[:limit]
