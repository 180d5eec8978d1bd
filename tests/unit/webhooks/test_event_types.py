"""Every event the pipeline announces can be subscribed to, and the OpenAPI document says so."""

from __future__ import annotations

from typing import get_args

import app  # noqa: F401  (registers the routes the OpenAPI document is built from)
from chalicelib.api.openapi import build_spec
from chalicelib.webhooks.models import EVENT_TYPES
from chalicelib.webhooks.schemas import CreateWebhookRequest, EventType


def test_the_stored_and_the_accepted_event_types_are_the_same() -> None:
    assert set(get_args(EventType)) == set(EVENT_TYPES)


def test_video_playable_can_be_subscribed_to() -> None:
    request = CreateWebhookRequest(url="https://example.org/h", events=["video.playable"])
    assert request.events == ["video.playable"]
    schemas = build_spec()["components"]["schemas"]
    events = schemas["CreateWebhookRequest"]["properties"]["events"]["items"]
    assert "video.playable" in events["enum"]
