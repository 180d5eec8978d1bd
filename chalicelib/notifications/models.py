"""A person's inbox, preferences and the records email needs.

- ``INBOX#{district}#{user}`` / ``N#{notification_id}``: one notification. Its id
  starts with the event's time in milliseconds, so the partition reads newest
  first, and ends with a hash of the event and the recipient, so the same
  event relayed twice writes the same item (a conditional put keeps the first).
  Sparse indexes: gsi3 ``UNREAD#{district}#{user}`` while unread (the header's
  count is a Query on it, so nothing drifts when an item expires); gsi2
  ``NOTIFYVIDEO#{video}`` when it names a video (deleting the video deletes
  it); gsi1 ``DIGEST#{shard}`` while it waits for the recipient's daily digest.
- ``INBOX#{district}#{user}`` / ``PREFS``: which kinds the person wants, and how by email.
- ``INBOX#{district}#{user}`` / ``DIGEST#{day}``: the day's digest, claimed before it
  is sent, so a digest goes out once a day at most.
- ``PERSON#{district}#{user}`` / ``CONTACT``: the address and name the person's token
  last carried (chalicelib/notifications/recipients.py).
- ``EMAILSUPPRESSED#{address}`` / ``META``: an address that bounced or complained;
  it is never mailed again.
- ``UNSUBSCRIBE#{token}`` / ``META``: whose emails carry this unsubscribe token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import EnumAttribute, Gsi1, Gsi2, Gsi3, TableModel, utcnow

INBOX_PREFIX = "INBOX#"
NOTIFICATION_PREFIX = "N#"
DIGEST_SHARDS = 4


class Kind(StrEnum):
    """What a notification is about; each can be turned off in the preferences."""

    SHARED = "shared"
    COMMENT = "comment"
    REPLY = "reply"
    CLIP_READY = "clip_ready"
    NOMINATED = "nominated"
    CLAIMED = "claimed"
    APPROVED = "approved"
    REJECTED = "rejected"
    EVALUATION_RELEASED = "evaluation_released"
    EVALUATION_ACKNOWLEDGED = "evaluation_acknowledged"
    CYCLE = "cycle"


KIND_LABELS: dict[Kind, str] = {
    Kind.SHARED: "A video is shared with you",
    Kind.COMMENT: "New comments on your videos",
    Kind.REPLY: "Replies in conversations you are part of",
    Kind.CLIP_READY: "A clip you cut is ready",
    Kind.NOMINATED: "A clip of your video is nominated to the library",
    Kind.CLAIMED: "A reviewer starts reviewing your nomination",
    Kind.APPROVED: "Your nomination is approved",
    Kind.REJECTED: "Your nomination is not approved (with the reason)",
    Kind.EVALUATION_RELEASED: "An evaluation of your video is released",
    Kind.EVALUATION_ACKNOWLEDGED: "A teacher acknowledges your evaluation",
    Kind.CYCLE: "Coaching cycles you are part of",
}


class EmailMode(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    OFF = "off"


class EmailStatus(StrEnum):
    NONE = "none"  # not mailed (email off, or nobody to mail)
    PENDING = "pending"  # queued for the email worker
    DIGEST = "digest"  # waiting for the day's digest
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"
    NO_ADDRESS = "no_address"  # ClassReel knows no address for the person yet
    SUPPRESSED = "suppressed"  # the address bounced or complained before
    BOUNCED = "bounced"  # the mail server refused the address now
    # A sender died between claiming and recording the send: it may or may not
    # have gone out, and it is not tried again (never twice).
    UNCERTAIN = "uncertain"


def inbox_partition(district: str, user_id: str) -> str:
    return f"{INBOX_PREFIX}{district}#{user_id}"


def unread_partition(district: str, user_id: str) -> str:
    return f"UNREAD#{district}#{user_id}"


def video_partition(video_id: str) -> str:
    return f"NOTIFYVIDEO#{video_id}"


def digest_shard(district: str, user_id: str) -> str:
    digest = hashlib.sha256(f"{district}/{user_id}".encode()).hexdigest()
    return f"DIGEST#{int(digest, 16) % DIGEST_SHARDS}"


def digest_prefix(district: str, user_id: str) -> str:
    return f"{district}#{user_id}#"


def notification_id_for(event_id: str, recipient_id: str, occurred_at: datetime) -> str:
    """The same event and recipient always give the same id (and so the same item)."""
    digest = hashlib.sha256(f"{event_id}/{recipient_id}".encode()).hexdigest()[:12]
    return f"n{int(occurred_at.timestamp() * 1000):013d}{digest}"


def is_notification_id(value: str) -> bool:
    return (
        len(value) == 26
        and value[0] == "n"
        and value[1:14].isdigit()
        and all(c in "0123456789abcdef" for c in value[14:])
    )


class NotificationRecord(TableModel):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    awaiting_digest = Gsi1()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    by_video = Gsi2()
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_unread = Gsi3()

    notification_id = UnicodeAttribute()
    district = UnicodeAttribute()
    recipient_id = UnicodeAttribute()
    kind = EnumAttribute(Kind)
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    # Written for the recipient: no comment text, no student's name, titles only.
    headline = UnicodeAttribute()
    # In the inbox only, never in an email (a rejection's reason).
    detail = UnicodeAttribute(null=True)
    # Where the web client opens it ("#/videos/v_1?t=12.5&comment=…").
    web_path = UnicodeAttribute()
    video_id = UnicodeAttribute(null=True)
    at_s = NumberAttribute(null=True)
    actor_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    read_at = UTCDateTimeAttribute(null=True)
    email_status = EnumAttribute(EmailStatus, default=EmailStatus.NONE)
    email_sent_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    @staticmethod
    def key(district: str, user_id: str, notification_id: str) -> tuple[str, str]:
        return inbox_partition(district, user_id), f"{NOTIFICATION_PREFIX}{notification_id}"

    def index_keys(self) -> NotificationRecord:
        """Unread, by video, and awaiting the digest when its email status says so."""
        if self.read_at is None:
            self.gsi3pk = unread_partition(self.district, self.recipient_id)
            self.gsi3sk = self.sk
        if self.video_id:
            self.gsi2pk = video_partition(self.video_id)
            self.gsi2sk = self.sk
        if self.email_status is EmailStatus.DIGEST:
            self.gsi1pk = digest_shard(self.district, self.recipient_id)
            self.gsi1sk = digest_prefix(self.district, self.recipient_id) + self.notification_id
        return self


class PreferencesRecord(TableModel):
    district = UnicodeAttribute()
    user_id = UnicodeAttribute()
    disabled_kinds = UnicodeSetAttribute(null=True)
    email_mode = EnumAttribute(EmailMode, default=EmailMode.IMMEDIATELY)
    # The capability an email's unsubscribe link carries (made on the first email).
    unsubscribe_token = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)
    version = VersionAttribute()

    @staticmethod
    def key(district: str, user_id: str) -> tuple[str, str]:
        return inbox_partition(district, user_id), "PREFS"

    @classmethod
    def load(cls, district: str, user_id: str) -> PreferencesRecord:
        """The stored preferences, or the defaults (everything on, email immediately)."""
        try:
            return cls.get(*cls.key(district, user_id), consistent_read=True)
        except cls.DoesNotExist:
            return cls(*cls.key(district, user_id), district=district, user_id=user_id)

    def wants(self, kind: Kind) -> bool:
        return kind.value not in (self.disabled_kinds or set())


class DigestRecord(TableModel):
    notification_ids = ListAttribute[str](default=list)
    claimed_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    @staticmethod
    def key(district: str, user_id: str, day: str) -> tuple[str, str]:
        return inbox_partition(district, user_id), f"DIGEST#{day}"


class ContactRecord(TableModel):
    district = UnicodeAttribute()
    user_id = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def key(district: str, user_id: str) -> tuple[str, str]:
        return f"PERSON#{district}#{user_id}", "CONTACT"


class SuppressedAddress(TableModel):
    address = UnicodeAttribute()
    # "bounce" or "complaint", and what the mail system said (no message content).
    reason = UnicodeAttribute()
    detail = UnicodeAttribute(null=True)
    suppressed_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def key(address: str) -> tuple[str, str]:
        return f"EMAILSUPPRESSED#{address.strip().lower()}", "META"


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(24)


class UnsubscribeRecord(TableModel):
    district = UnicodeAttribute()
    user_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def key(token: str) -> tuple[str, str]:
        return f"UNSUBSCRIBE#{token}", "META"
