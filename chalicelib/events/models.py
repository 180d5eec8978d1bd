"""``OUTBOX#{shard}`` / ``{occurred_at}#{event_id}``: an event stored, not yet relayed.

The outbox is spread over a few partitions (by event id) so a burst of events
is not one hot key; the sweep reads them all, oldest first. An item lives from
the commit that wrote it until every subscriber has taken it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.db.base import TableModel, utcnow
from chalicelib.observability import logger

OUTBOX_PREFIX = "OUTBOX#"
OUTBOX_SHARDS = 4

OutboxKey = tuple[str, str]


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(10)


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened: ``type`` (``video.ready``, ``comment.created``, ...) in a district,
    with the payload subscribers receive as it is."""

    type: str
    district: str
    data: dict[str, Any]
    event_id: str = field(default_factory=new_event_id)
    occurred_at: datetime = field(default_factory=utcnow)
    # The request's (or job's): the relay and the deliveries log it too.
    correlation_id: str | None = field(default_factory=logger.get_correlation_id)


def shard_of(event_id: str) -> int:
    return int(hashlib.sha256(event_id.encode()).hexdigest(), 16) % OUTBOX_SHARDS


def outbox_partition(shard: int) -> str:
    return f"{OUTBOX_PREFIX}{shard}"


def outbox_key(event: DomainEvent) -> OutboxKey:
    return (
        outbox_partition(shard_of(event.event_id)),
        f"{event.occurred_at.isoformat()}#{event.event_id}",
    )


class OutboxRecord(TableModel):
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    district = UnicodeAttribute()
    data = JSONAttribute()
    occurred_at = UTCDateTimeAttribute()
    # Held by the relay that is delivering it; after a failure, when to try again.
    lease_until = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    # Steps already done ("webhooks", "webhook:wh_…"): a relay that takes over
    # after a crash skips them, so nothing is delivered twice.
    done = UnicodeSetAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    correlation_id = UnicodeAttribute(null=True)

    @classmethod
    def of(cls, event: DomainEvent) -> OutboxRecord:
        return cls(
            *outbox_key(event),
            event_id=event.event_id,
            event_type=event.type,
            district=event.district,
            data=event.data,
            occurred_at=event.occurred_at,
            correlation_id=event.correlation_id,
        )

    def event(self) -> DomainEvent:
        return DomainEvent(
            type=self.event_type,
            district=self.district,
            data=dict(self.data or {}),
            event_id=self.event_id,
            occurred_at=self.occurred_at,
            correlation_id=self.correlation_id,
        )

    @property
    def outbox_key(self) -> OutboxKey:
        return self.pk, self.sk
