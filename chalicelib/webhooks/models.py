"""``WEBHOOKS#{district}`` / ``HOOK#{id}``: subscriptions of a district.
``WEBHOOK#{id}`` / ``DELIVERY#{created}#{delivery}``: each delivery and its attempts
(kept 30 days through the table's TTL)."""

from __future__ import annotations

import secrets
from datetime import datetime
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
)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Outcome(StrEnum):
    """What an admin sees of an attempt: coarse on purpose. Socket errors, addresses
    and response bodies are never shown (they would make webhooks a port scanner)."""

    DELIVERED = "delivered"
    REDIRECT = "HTTP 3xx: redirects are not followed"
    CLIENT_ERROR = "HTTP 4xx"
    SERVER_ERROR = "HTTP 5xx"
    UNEXPECTED_STATUS = "unexpected HTTP status"
    INVALID_RESPONSE = "invalid HTTP response"
    TIMED_OUT = "timed out"
    NOT_PUBLIC = "refused: not a public address"
    UNRESOLVED = "host name does not resolve"
    COULD_NOT_CONNECT = "could not connect"
    TLS_FAILED = "TLS failed (certificate or handshake)"
    HOOK_DELETED = "the webhook was deleted"

    @classmethod
    def for_status(cls, status: int) -> Outcome:
        if 200 <= status < 300:
            return cls.DELIVERED
        if 300 <= status < 400:
            return cls.REDIRECT
        if 400 <= status < 500:
            return cls.CLIENT_ERROR
        if 500 <= status < 600:
            return cls.SERVER_ERROR
        return cls.UNEXPECTED_STATUS

    @classmethod
    def shown(cls, stored: str | None) -> str | None:
        """Only outcome sentences reach an admin (records from before this rule held
        raw error text)."""
        if stored is None:
            return None
        if stored in cls._value2member_map_:
            return stored
        code = stored.removeprefix("HTTP ")
        if code.isdigit():
            return cls.for_status(int(code)).value
        return cls.COULD_NOT_CONNECT.value


def new_hook_id() -> str:
    return "wh_" + secrets.token_hex(8)


def new_delivery_id() -> str:
    return "dlv_" + secrets.token_hex(10)


class WebhookRecord(TableModel):
    hook_id = UnicodeAttribute()
    district = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute[str]()
    # Shown to the admin once, used to sign every delivery (webhooks/signing.py).
    secret = UnicodeAttribute()
    # After a rotation, deliveries are signed with this one too until it expires.
    previous_secret = UnicodeAttribute(null=True)
    previous_secret_expires_at = UTCDateTimeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def key(district: str, hook_id: str) -> tuple[str, str]:
        return f"WEBHOOKS#{district}", f"HOOK#{hook_id}"

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets every delivery is signed with now: the current one first."""
        found = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and expires > now:
            found.append(self.previous_secret)
        return found

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
