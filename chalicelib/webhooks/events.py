"""Webhooks as a subscriber of domain events: one delivery record and one queue message per hook.

The relay (chalicelib/events/relay.py) hands every stored event to ``SUBSCRIBER``.
For each hook of the event's district that wants its type, the delivery's id is
derived from the event and the hook, so a relay that runs again (after a crash,
or from the stream after the request already relayed) finds the same delivery
instead of creating a second one, and skips a hook whose message it already sent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import timedelta

from pynamodb.exceptions import PutError

from chalicelib.config import get_settings
from chalicelib.db.base import is_conditional_check_failure
from chalicelib.events.models import DomainEvent
from chalicelib.events.relay import Steps
from chalicelib.jobs.dispatch import enqueue
from chalicelib.webhooks.models import DeliveryRecord, WebhookRecord
from chalicelib.webhooks.schemas import DeliveryJob

RETENTION = timedelta(days=30)


def envelope(delivery_id: str, event: DomainEvent) -> str:
    """The body every receiver gets (and that is signed); ``id`` is the delivery's."""
    return json.dumps(
        {
            "id": delivery_id,
            "type": event.type,
            "district": event.district,
            "created_at": event.occurred_at.isoformat(),
            "data": event.data,
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def delivery_id_for(event_id: str, hook_id: str) -> str:
    """One delivery per event and hook, whoever relays the event and however often."""
    return "dlv_" + hashlib.sha256(f"{event_id}/{hook_id}".encode()).hexdigest()[:20]


def subscribed(hooks: Iterable[WebhookRecord], event_type: str) -> list[WebhookRecord]:
    return [hook for hook in hooks if event_type in (hook.events or [])]


def delivery_record(event: DomainEvent, hook_id: str) -> DeliveryRecord:
    delivery_id = delivery_id_for(event.event_id, hook_id)
    record = DeliveryRecord(
        DeliveryRecord.partition(hook_id),
        f"DELIVERY#{event.occurred_at.isoformat()}#{delivery_id}",
        delivery_id=delivery_id,
        hook_id=hook_id,
        district=event.district,
        event_type=event.type,
        body=envelope(delivery_id, event),
        created_at=event.occurred_at,
        expires_at=event.occurred_at + RETENTION,
    )
    video_id = event.data.get("video_id")
    return record.index_by_video(video_id if isinstance(video_id, str) else None)


class WebhookFanOut:
    name = "webhooks"

    def deliver(self, event: DomainEvent, steps: Steps) -> None:
        hooks = subscribed(WebhookRecord.query(WebhookRecord.partition(event.district)), event.type)
        settings = get_settings()
        for hook in hooks:
            step = f"webhook:{hook.hook_id}"
            if steps.done(step):
                continue
            record = delivery_record(event, hook.hook_id)
            try:
                record.save(condition=DeliveryRecord.pk.does_not_exist())
            except PutError as exc:
                # A relay before us recorded it and died before its message was
                # marked sent: send it now (the delivery skips it if already done).
                if not is_conditional_check_failure(exc):
                    raise
            job = DeliveryJob(pk=record.pk, sk=record.sk, district=event.district)
            enqueue("webhook", job, settings)
            steps.mark(step)


SUBSCRIBER = WebhookFanOut()
