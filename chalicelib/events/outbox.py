"""Writing events: in the same transaction as the change they announce.

    with transaction() as tx:
        tx.update(video, actions=[...], condition=...)
        outbox.add(tx, DomainEvent("video.ready", video.district, payload))

Either both land or neither does, so an event can never be lost after a
commit, nor announced for a change that did not happen. ``save`` and
``update`` do the same for a change that is a single put or update. The keys
written here are remembered for this request or job, so the relay can deliver
them right after the commit (``relay.flush``).
"""

from __future__ import annotations

import contextvars
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.db.base import transaction
from chalicelib.events.models import DomainEvent, OutboxKey, OutboxRecord, outbox_key

# Per thread and per context (each API request, each job): what this unit of
# work wrote to the outbox and has not yet handed to the relay.
_written: contextvars.ContextVar[tuple[OutboxKey, ...]] = contextvars.ContextVar(
    "outbox_written", default=()
)


def add(tx: TransactWrite, event: DomainEvent) -> None:
    """Store ``event`` in the outbox as part of ``tx`` (committed with it, or not at all)."""
    tx.save(OutboxRecord.of(event), condition=OutboxRecord.pk.does_not_exist())
    _written.set((*_written.get(), outbox_key(event)))


def save(record: Model, event: DomainEvent, *, condition: Any = None) -> None:
    """PutItem of ``record`` (under ``condition``) and its event, atomically.

    Raises ``TransactWriteError``; ``condition_failed(error)`` tells a failed
    condition from an outage.
    """
    with transaction() as tx:
        tx.save(record, condition=condition)
        add(tx, event)


def update(
    record: Model,
    actions: list[Any],
    event: DomainEvent,
    *,
    condition: Any = None,
    add_version_condition: bool = True,
) -> None:
    """UpdateItem of ``record`` (under ``condition``) and its event, atomically.

    A versioned record is also guarded by the version it was read at, as
    ``record.update`` would be; for ``TableModel.unread(...)`` (no read first)
    pass ``add_version_condition=False``.
    """
    with transaction() as tx:
        tx.update(
            record,
            actions=actions,
            condition=condition,
            add_version_condition=add_version_condition,
        )
        add(tx, event)


def condition_failed(error: TransactWriteError) -> bool:
    """The transaction was refused because one of its conditions did not hold."""
    return any(
        reason is not None and reason.code == "ConditionalCheckFailed"
        for reason in error.cancellation_reasons
    )


def take_written() -> list[OutboxKey]:
    """The outbox keys written so far in this request or job; forgets them."""
    keys = list(dict.fromkeys(_written.get()))
    _written.set(())
    return keys
