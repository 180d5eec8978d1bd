"""Audit entries, append-only: written once with a condition, never updated.

``AUDIT#{district}#{yyyy-mm-dd}`` / ``{at}#{id}``: a district's day.
``AUDITDAYS#{district}`` / ``{yyyy-mm-dd}``: the days that have entries, written
before them, so an export since a date is one Query for the days plus one per
day that has entries (never one per calendar day). gsi1 ``AUDITVIDEO#{video_id}`` / ``{at}#{id}``:
one video's history for its teacher. Entries hold ids and actions, never content
(no titles, bodies or media), and expire after the audit retention period.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.db.base import Gsi1, TableModel


class AuditAction(StrEnum):
    VIDEO_VIEWED = "video.viewed"
    CLIP_VIEWED = "clip.viewed"
    VIDEO_SHARED = "video.shared"
    VIDEO_UNSHARED = "video.unshared"
    CONSENT_CHANGED = "video.consent_changed"
    LEGAL_HOLD_CHANGED = "video.legal_hold_changed"
    # A coach asked the teacher for library consent; the teacher's answer.
    CONSENT_REQUESTED = "consent.requested"
    CONSENT_GIVEN = "consent.given"
    CONSENT_DECLINED = "consent.declined"
    EVALUATION_RELEASED = "evaluation.released"
    CLIP_NOMINATED = "clip.nominated"
    REVIEW_APPROVED = "review.approved"
    REVIEW_REJECTED = "review.rejected"
    LIBRARY_PUBLISHED = "library.published"
    LIBRARY_UNPUBLISHED = "library.unpublished"
    # Consent withdrawn or students flagged: the clip left the queue or the library.
    REVIEW_WITHDRAWN = "review.withdrawn"
    # Face redaction of a clip (chalicelib/redaction): asked for, a face kept unblurred
    # (subject: where and when it was clicked), regions edited, signed off by a reviewer.
    REDACTION_REQUESTED = "redaction.requested"
    REDACTION_FACE_KEPT = "redaction.face_kept"
    REDACTION_REGIONS_CHANGED = "redaction.regions_changed"
    REDACTION_SIGNED_OFF = "redaction.signed_off"
    VIDEO_DELETED = "video.deleted"
    RETENTION_APPLIED = "retention.applied"
    DATA_EXPORTED = "data.exported"
    # Work on a video, so its activity shows it (ids only: never the comment's words).
    COMMENT_POSTED = "comment.posted"
    CLIP_CREATED = "clip.created"
    # The directory (chalicelib/directory): subject is the person, school or group id
    # ("{group}:{member}" for memberships), never a name.
    PERSON_ADDED = "person.added"
    PERSON_CHANGED = "person.changed"
    PERSON_DEACTIVATED = "person.deactivated"
    PERSON_REACTIVATED = "person.reactivated"
    SCHOOL_SAVED = "school.saved"
    GROUP_CREATED = "group.created"
    GROUP_CHANGED = "group.changed"
    GROUP_DELETED = "group.deleted"
    GROUP_MEMBER_ADDED = "group.member_added"
    GROUP_MEMBER_REMOVED = "group.member_removed"
    GROUP_OWNER_ADDED = "group.owner_added"
    GROUP_OWNER_REMOVED = "group.owner_removed"
    ROSTER_IMPORTED = "roster.imported"
    COLLECTION_CREATED = "collection.created"
    COLLECTION_CHANGED = "collection.changed"
    COLLECTION_DELETED = "collection.deleted"


def new_audit_id() -> str:
    return "aud_" + secrets.token_hex(8)


def day_partition(district: str, at: datetime) -> str:
    return f"AUDIT#{district}#{at.date().isoformat()}"


def days_partition(district: str) -> str:
    return f"AUDITDAYS#{district}"


def video_audit_partition(video_id: str) -> str:
    return f"AUDITVIDEO#{video_id}"


class AuditRecord(TableModel):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_video = Gsi1()

    audit_id = UnicodeAttribute()
    district = UnicodeAttribute()
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    video_id = UnicodeAttribute(null=True)
    clip_id = UnicodeAttribute(null=True)
    # Who else an action concerned (e.g. the user a video was shared with), or a
    # short machine-readable note ("school_coaches", a retention step).
    subject = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    def index_keys(self) -> AuditRecord:
        """gsi1: a video's own trail (sparse: entries that name a video)."""
        if self.video_id:
            self.gsi1pk = video_audit_partition(self.video_id)
            self.gsi1sk = self.sk
        return self


class AuditDay(TableModel):
    """A marker: the district has entries on this day (sk = the day, ISO). Written
    before the entries, kept as long as the day's last entry."""

    district = UnicodeAttribute()
    expires_at = TTLAttribute(null=True)
