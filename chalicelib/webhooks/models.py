"""``WEBHOOKS#{district}`` / ``HOOK#{id}``: subscriptions of a district.
``WEBHOOK#{id}`` / ``DELIVERY#{created}#{delivery}``: each delivery and its attempts
(kept 30 days through the table's TTL)."""

from __future__ import annotations

import secrets
from enum import StrEnum

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.db.base import EnumAttribute, Gsi3, TableModel, utcnow

EVENT_TYPES = (
    "video.ready",
    "video.failed",
    "comment.created",
    "review.nominated",
    "review.approved",
    "review.rejected",
    "library.published",
    "library.unpublished",
)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def new_hook_id() -> str:
    return "wh_" + secrets.token_hex(8)


def new_delivery_id() -> str:
    return "dlv_" + secrets.token_hex(10)


class WebhookRecord(TableModel):
    hook_id = UnicodeAttribute()
    district = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute[str]()
    # Shown to the admin once, used to sign every delivery.
    secret = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def key(district: str, hook_id: str) -> tuple[str, str]:
        return f"WEBHOOKS#{district}", f"HOOK#{hook_id}"

    @staticmethod
    def partition(district: str) -> str:
        return f"WEBHOOKS#{district}"


class DeliveryRecord(TableModel):
    """One event sent to one hook. gsi3 ``DELIVERYVIDEO#{video_id}`` (sparse): the copies of
    a video's data in payloads, so deleting the video deletes them too."""

    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_video = Gsi3()
    delivery_id = UnicodeAttribute()
    hook_id = UnicodeAttribute()
    district = UnicodeAttribute()
    event_type = UnicodeAttribute()
    # The exact JSON body sent (and signed), so retries are byte-identical.
    body = UnicodeAttribute()
    status = EnumAttribute(DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = NumberAttribute(default=0)
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    expires_at = TTLAttribute(null=True)

    @staticmethod
    def partition(hook_id: str) -> str:
        return f"WEBHOOK#{hook_id}"

    @staticmethod
    def video_partition(video_id: str) -> str:
        return f"DELIVERYVIDEO#{video_id}"

    def index_by_video(self, video_id: str | None) -> DeliveryRecord:
        """gsi3, when the payload names a video: deleting the video finds the copy."""
        if video_id:
            self.gsi3pk = DeliveryRecord.video_partition(video_id)
            self.gsi3sk = self.sk
        return self
