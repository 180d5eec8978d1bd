"""Review items, the counters behind the stats, and the decision log.

- ``REVIEW#{id}`` / ``META``: one nomination of one clip. Indexed for the queue:
  gsi2 ``QUEUE#{district}#{status}`` and gsi3 ``QUEUE#{district}#{school}#{status}``,
  both sorted ``{submitted_at}#{id}`` so the queue reads oldest first. A claim does
  not move an item out of ``pending`` in the index (``in_review`` is a live claim on a
  pending item), so an abandoned claim needs no clean-up: it simply lapses.
- ``REVIEWSTATS#{district}`` / ``STATUS#{s}``, ``ELEMENT#{e}#{s}``, ``REVIEWER#{u}#{d}``:
  counters changed in the same transaction as the transition they count.
- ``REVIEWDECISIONS#{district}`` / ``{decided_at}#{id}``: how long each decision
  took, kept 31 days (TTL), for the median over the last 30 days.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import Document, EnumAttribute, Gsi2, Gsi3, TableModel, utcnow


class ReviewStatus(StrEnum):
    PENDING = "pending"
    IN_REVIEW = "in_review"  # derived: a pending item with a live claim
    APPROVED = "approved"
    REJECTED = "rejected"
    UNPUBLISHED = "unpublished"  # approved, then taken out of the library (admin, or consent)
    WITHDRAWN = "withdrawn"  # taken out of the queue: the recording's consent changed


STORED_STATUSES = (
    ReviewStatus.PENDING,
    ReviewStatus.APPROVED,
    ReviewStatus.REJECTED,
    ReviewStatus.UNPUBLISHED,
    ReviewStatus.WITHDRAWN,
)


def new_review_id() -> str:
    return "rev_" + secrets.token_hex(10)


def queue_partition(district: str, status: ReviewStatus) -> str:
    return f"QUEUE#{district}#{status.value}"


def school_queue_partition(district: str, school: str, status: ReviewStatus) -> str:
    return f"QUEUE#{district}#{school}#{status.value}"


class TransitionAttr(Document):
    at = UTCDateTimeAttribute()
    by = UnicodeAttribute()
    by_name = UnicodeAttribute(null=True)
    by_role = UnicodeAttribute()
    from_status = EnumAttribute(ReviewStatus, null=True)
    to_status = EnumAttribute(ReviewStatus)
    note = UnicodeAttribute(null=True)


class CheckAttr(Document):
    key = UnicodeAttribute()
    passed = BooleanAttribute()


class ReviewRecord(TableModel):
    gsi2pk = UnicodeAttribute()
    gsi2sk = UnicodeAttribute()
    by_queue = Gsi2()
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_school_queue = Gsi3()

    review_id = UnicodeAttribute()
    clip_id = UnicodeAttribute()
    video_id = UnicodeAttribute()
    district = UnicodeAttribute()
    school = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    note = UnicodeAttribute()
    elements = ListAttribute[str](default=list)
    status = EnumAttribute(ReviewStatus, default=ReviewStatus.PENDING)
    nominated_by = UnicodeAttribute()
    submitted_at = UTCDateTimeAttribute(default_for_new=utcnow)
    claimed_by = UnicodeAttribute(null=True)
    claim_expires_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    checklist = ListAttribute(of=CheckAttr, null=True)
    # The district's checklist version the approval confirmed (absent: the built-in, 0).
    checklist_version = NumberAttribute(null=True)
    decision_note = UnicodeAttribute(null=True)
    reject_reason = UnicodeAttribute(null=True)
    unpublish_reason = UnicodeAttribute(null=True)
    history = ListAttribute(of=TransitionAttr, default=list)
    version = VersionAttribute()

    @staticmethod
    def key(review_id: str) -> tuple[str, str]:
        return f"REVIEW#{review_id}", "META"

    @classmethod
    def load(cls, review_id: str) -> ReviewRecord | None:
        pk, sk = cls.key(review_id)
        try:
            return cls.get(pk, sk, consistent_read=True)
        except cls.DoesNotExist:
            return None

    @property
    def queue_sort_key(self) -> str:
        return f"{self.submitted_at.isoformat()}#{self.review_id}"

    def index_keys(self) -> ReviewRecord:
        """The queue indexes for its status: gsi2 the district's, gsi3 its school's."""
        self.gsi2pk = queue_partition(self.district, self.status)
        self.gsi2sk = self.queue_sort_key
        if self.school:
            self.gsi3pk = school_queue_partition(self.district, self.school, self.status)
            self.gsi3sk = self.queue_sort_key
        return self

    def move_actions(self, status: ReviewStatus) -> list[Any]:
        """The update that moves the item to ``status`` and into that status's queues."""
        actions: list[Any] = [
            ReviewRecord.status.set(status),
            ReviewRecord.gsi2pk.set(queue_partition(self.district, status)),
        ]
        if self.school:
            actions.append(
                ReviewRecord.gsi3pk.set(school_queue_partition(self.district, self.school, status))
            )
        return actions


def stats_partition(district: str) -> str:
    return f"REVIEWSTATS#{district}"


class ReviewCounter(TableModel):
    n = NumberAttribute(default=0)

    @staticmethod
    def status_key(district: str, status: ReviewStatus) -> tuple[str, str]:
        return stats_partition(district), f"STATUS#{status.value}"

    @staticmethod
    def element_key(district: str, element: str, status: ReviewStatus) -> tuple[str, str]:
        return stats_partition(district), f"ELEMENT#{element}#{status.value}"

    @staticmethod
    def reviewer_key(district: str, reviewer: str, decision: ReviewStatus) -> tuple[str, str]:
        return stats_partition(district), f"REVIEWER#{reviewer}#{decision.value}"


def decisions_partition(district: str) -> str:
    return f"REVIEWDECISIONS#{district}"


class DecisionRecord(TableModel):
    review_id = UnicodeAttribute()
    decision = EnumAttribute(ReviewStatus)
    seconds = NumberAttribute()
    expires_at = TTLAttribute()
