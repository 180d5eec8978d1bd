"""The pieces every review transition is made of, inside one DynamoDB transaction.

The item moves between queue partitions, the clip's copy of the status
follows, the counters behind the stats move with it, and a decision is logged
for the stats' median. Callers compose them; nothing is ever half-moved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.auth.principal import Principal
from chalicelib.clips.models import ClipRecord
from chalicelib.db.base import is_transaction_conflict, transaction, utcnow
from chalicelib.errors import Conflict, NotFound
from chalicelib.events import outbox
from chalicelib.events.models import DomainEvent
from chalicelib.review.models import (
    DecisionRecord,
    ReviewCounter,
    ReviewRecord,
    ReviewStatus,
    TransitionAttr,
    decisions_partition,
)

DECISION_LOG_DAYS = 31


def transition_attr(
    principal: Principal, from_status: ReviewStatus | None, to: ReviewStatus, note: str | None
) -> TransitionAttr:
    return TransitionAttr(
        at=utcnow(),
        by=principal.user_id,
        by_name=principal.name,
        by_role=principal.primary_role.value,
        from_status=from_status,
        to_status=to,
        note=note,
    )


def count(
    tx: TransactWrite, district: str, status: ReviewStatus, delta: int, elements: Iterable[str]
) -> None:
    for key in (
        ReviewCounter.status_key(district, status),
        *(ReviewCounter.element_key(district, e, status) for e in elements),
    ):
        tx.update(ReviewCounter(*key), actions=[ReviewCounter.n.add(delta)])


def move_counts(
    tx: TransactWrite, item: ReviewRecord, old: ReviewStatus, new: ReviewStatus
) -> None:
    elements = list(item.elements or [])
    count(tx, item.district, old, -1, elements)
    count(tx, item.district, new, 1, elements)


def run(tx_body: Any, on_conflict: Any) -> None:
    try:
        with transaction() as tx:
            tx_body(tx)
    except TransactWriteError as exc:
        if is_transaction_conflict(exc):
            on_conflict(exc)
        raise


def clip_update(tx: TransactWrite, clip_id: str, actions: list[Any], condition: Any = None) -> None:
    exists = ClipRecord.pk.exists()
    tx.update(
        ClipRecord.unread(*ClipRecord.key(clip_id)),
        actions=[*actions, ClipRecord.updated_at.set(utcnow())],
        condition=exists if condition is None else exists & condition,
        add_version_condition=False,
    )


def decide(
    principal: Principal,
    item: ReviewRecord,
    decision: ReviewStatus,
    item_actions: list[Any],
    clip_actions: list[Any],
    note: str | None,
    extra: Callable[[TransactWrite], None] | None = None,
    explain_conflict: Callable[[Exception], None] | None = None,
    events: Sequence[DomainEvent] = (),
) -> None:
    """pending → approved/rejected, with the counters, the decision log and the events
    announcing it, atomically."""
    now = utcnow()
    seconds = (now - item.submitted_at).total_seconds()
    transition = transition_attr(principal, ReviewStatus.IN_REVIEW, decision, note)

    def body(tx: TransactWrite) -> None:
        tx.update(
            item,
            actions=[
                *item.move_actions(decision),
                ReviewRecord.decided_by.set(principal.user_id),
                ReviewRecord.decided_at.set(now),
                ReviewRecord.claimed_by.remove(),
                ReviewRecord.claim_expires_at.remove(),
                ReviewRecord.history.set((ReviewRecord.history | []).append([transition])),
                *item_actions,
            ],
            condition=(ReviewRecord.status == ReviewStatus.PENDING.value)
            & (ReviewRecord.claimed_by == principal.user_id),
        )
        clip_update(tx, item.clip_id, [ClipRecord.review_status.set(decision.value), *clip_actions])
        move_counts(tx, item, ReviewStatus.PENDING, decision)
        tx.update(
            ReviewCounter(*ReviewCounter.reviewer_key(item.district, principal.user_id, decision)),
            actions=[ReviewCounter.n.add(1)],
        )
        tx.save(
            DecisionRecord(
                decisions_partition(item.district),
                f"{now.isoformat()}#{item.review_id}",
                review_id=item.review_id,
                decision=decision.value,
                seconds=round(seconds, 3),
                expires_at=now + timedelta(days=DECISION_LOG_DAYS),
            )
        )
        if extra is not None:
            extra(tx)
        for event in events:
            outbox.add(tx, event)

    def conflict(exc: Exception) -> None:
        if explain_conflict is not None:
            explain_conflict(exc)
        raise Conflict(
            "This item changed while you decided (your claim may have lapsed); reload it",
            field="review_id",
        ) from exc

    run(body, conflict)


def reloaded(item: ReviewRecord) -> ReviewRecord:
    current = ReviewRecord.load(item.review_id)
    if current is None:
        raise NotFound("Review item not found")
    return current
