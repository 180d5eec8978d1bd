from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.links import ExternalLink

EventType = Literal[
    "video.playable",
    "video.ready",
    "video.failed",
    "comment.created",
    "review.nominated",
    "review.approved",
    "review.rejected",
    "library.published",
    "library.unpublished",
    "video.shared",
    "comment.replied",
    "clip.ready",
    "review.claimed",
    "evaluation.released",
    "evaluation.acknowledged",
    "cycle.opened",
    "cycle.evidence_added",
    "cycle.closed",
]


class CreateWebhookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: ExternalLink = Field(min_length=8, max_length=2000)
    events: list[EventType] = Field(min_length=1, max_length=20)


class WebhookView(BaseModel):
    id: str
    url: ExternalLink
    events: list[str]
    created_by: str
    created_at: datetime


class CreatedWebhookView(WebhookView):
    secret: str = Field(
        description="Shown once: verify webhook-signature with it (Standard Webhooks)"
    )


class RotatedSecretView(BaseModel):
    id: str
    secret: str = Field(description="The new secret, shown once; deliveries are signed with it")
    previous_secret_expires_at: datetime = Field(
        description="Until then every delivery carries a signature by the old secret too"
    )


class WebhookList(BaseModel):
    items: list[WebhookView]


class DeliveryView(BaseModel):
    id: str
    event: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None = Field(
        description="The last attempt's outcome, coarse: e.g. 'HTTP 5xx', 'timed out', "
        "'refused: not a public address', 'could not connect'"
    )
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class DeliveryListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=200)


class DeliveryPage(BaseModel):
    items: list[DeliveryView]
    next_cursor: str | None


class DeliveryJob(BaseModel):
    """A webhook queue message: send this delivery (the keys of its record).

    ``district`` is the hook's, read by the consumer for the district's fair share of the
    delivery workers (chalicelib/jobs/fairness.py); a message queued before it was carried
    has none and is sent outside the shares.
    """

    pk: str = Field(min_length=1)
    sk: str = Field(min_length=1)
    district: str | None = Field(default=None, min_length=1)
