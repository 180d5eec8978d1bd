"""Webhooks as an event subscriber: one delivery per event and hook, the payload unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from chalicelib.events.models import DomainEvent
from chalicelib.webhooks.events import (
    delivery_id_for,
    delivery_record,
    envelope,
    subscribed,
)
from chalicelib.webhooks.models import DeliveryRecord, DeliveryStatus, WebhookRecord

OCCURRED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _event(data: dict[str, object]) -> DomainEvent:
    return DomainEvent("video.ready", "district-a", data, event_id="evt_1", occurred_at=OCCURRED)


def test_a_delivery_id_is_fixed_by_the_event_and_the_hook() -> None:
    assert delivery_id_for("evt_1", "wh_a") == delivery_id_for("evt_1", "wh_a")
    assert delivery_id_for("evt_1", "wh_a") != delivery_id_for("evt_1", "wh_b")
    assert delivery_id_for("evt_1", "wh_a") != delivery_id_for("evt_2", "wh_a")
    assert delivery_id_for("evt_1", "wh_a").startswith("dlv_")
    assert len(delivery_id_for("evt_1", "wh_a")) == len("dlv_") + 20


def test_the_envelope_is_the_documented_body() -> None:
    body = envelope("dlv_x", _event({"video_id": "v1", "status": "ready"}))
    assert json.loads(body) == {
        "id": "dlv_x",
        "type": "video.ready",
        "district": "district-a",
        "created_at": OCCURRED.isoformat(),
        "data": {"video_id": "v1", "status": "ready"},
    }
    assert body == json.dumps(json.loads(body), separators=(",", ":"), sort_keys=True)


def test_only_hooks_that_asked_for_the_type_get_it() -> None:
    hooks = [
        WebhookRecord("WEBHOOKS#d", "HOOK#a", hook_id="a", events=["video.ready"]),
        WebhookRecord("WEBHOOKS#d", "HOOK#b", hook_id="b", events=["comment.created"]),
        WebhookRecord("WEBHOOKS#d", "HOOK#c", hook_id="c", events=[]),
    ]
    assert [h.hook_id for h in subscribed(hooks, "video.ready")] == ["a"]


def test_a_delivery_record_is_the_same_however_often_it_is_built() -> None:
    happened = _event({"video_id": "v1"})
    first, again = delivery_record(happened, "wh_a"), delivery_record(happened, "wh_a")
    assert (first.pk, first.sk, first.body) == (again.pk, again.sk, again.body)
    assert first.pk == DeliveryRecord.partition("wh_a")
    assert first.status == DeliveryStatus.PENDING
    # A video's payload copies are indexed, so deleting the video deletes them.
    assert first.gsi3pk == DeliveryRecord.video_partition("v1")
    assert delivery_record(_event({"clip_id": "c"}), "wh_a").gsi3pk is None
