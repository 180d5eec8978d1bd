"""Emitting an event: one delivery record and one queue message per subscribed hook."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from chalicelib.config import get_settings
from chalicelib.db.base import utcnow
from chalicelib.jobs.dispatch import enqueue
from chalicelib.webhooks.models import DeliveryRecord, WebhookRecord, new_delivery_id
from chalicelib.webhooks.schemas import DeliveryJob

RETENTION = timedelta(days=30)


def envelope(delivery_id: str, event_type: str, district: str, data: dict[str, Any]) -> str:
    return json.dumps(
        {
            "id": delivery_id,
            "type": event_type,
            "district": district,
            "created_at": utcnow().isoformat(),
            "data": data,
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def emit(district: str, event_type: str, data: dict[str, Any]) -> list[str]:
    """Queue ``event_type`` for every hook of ``district`` that wants it; returns delivery ids."""
    hooks = [
        hook
        for hook in WebhookRecord.query(WebhookRecord.partition(district))
        if event_type in (hook.events or [])
    ]
    if not hooks:
        return []
    settings = get_settings()
    delivery_ids = []
    for hook in hooks:
        now = utcnow()
        delivery_id = new_delivery_id()
        record = DeliveryRecord(
            DeliveryRecord.partition(hook.hook_id),
            f"DELIVERY#{now.isoformat()}#{delivery_id}",
            delivery_id=delivery_id,
            hook_id=hook.hook_id,
            district=district,
            event_type=event_type,
            body=envelope(delivery_id, event_type, district, data),
            created_at=now,
            expires_at=now + RETENTION,
        )
        video_id = data.get("video_id")
        if isinstance(video_id, str) and video_id:
            record.gsi3pk = DeliveryRecord.video_partition(video_id)
            record.gsi3sk = record.sk
        record.save()
        enqueue("webhook", DeliveryJob(pk=record.pk, sk=record.sk), settings)
        delivery_ids.append(delivery_id)
    return delivery_ids
