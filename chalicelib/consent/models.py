"""``VIDEO#{video_id}`` / ``CONSENTREQ#{request_id}``: a request for the teacher's library consent.

A coach who wants to nominate a clip of a recording whose teacher has not agreed
to share it in the library asks the teacher; the request carries the nomination
(note, elements) so that, once the teacher agrees, it goes to review without the
coach coming back (chalicelib/orchestration/library_consent.py). It lives in the
video's partition, so deleting the video deletes it.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from pynamodb.attributes import (
    ListAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import EnumAttribute, TableModel, utcnow
from chalicelib.videos.models import VideoRecord

REQUEST_PREFIX = "CONSENTREQ#"


class ConsentRequestStatus(StrEnum):
    OPEN = "open"  # waiting for the teacher
    AGREED = "agreed"  # the teacher agreed; the nomination is on its way to review
    NOMINATED = "nominated"  # the nomination is in the review queue
    NOT_NOMINATED = "not_nominated"  # agreed, but the nomination could not be made (outcome)
    DECLINED = "declined"  # the teacher chose not to share the recording


# A request whose nomination still waits to be handed to review.
WAITING = (ConsentRequestStatus.OPEN, ConsentRequestStatus.AGREED)


def new_request_id() -> str:
    return "cr_" + secrets.token_hex(10)


class ConsentRequestRecord(TableModel):
    request_id = UnicodeAttribute()
    video_id = UnicodeAttribute()
    clip_id = UnicodeAttribute()
    clip_title = UnicodeAttribute()
    district = UnicodeAttribute()
    # Who asked, enough to nominate as them once the teacher agrees.
    requested_by = UnicodeAttribute()
    requested_by_name = UnicodeAttribute(null=True)
    requested_by_role = UnicodeAttribute()
    requested_by_school = UnicodeAttribute(null=True)
    note = UnicodeAttribute()
    elements = ListAttribute[str](default=list)
    status = EnumAttribute(ConsentRequestStatus, default=ConsentRequestStatus.OPEN)
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    answered_at = UTCDateTimeAttribute(null=True)
    review_id = UnicodeAttribute(null=True)
    # Why an agreed request's nomination could not be made, in plain words.
    outcome = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def key(video_id: str, request_id: str) -> tuple[str, str]:
        return VideoRecord.key(video_id)[0], f"{REQUEST_PREFIX}{request_id}"

    @classmethod
    def load(cls, video_id: str, request_id: str) -> ConsentRequestRecord | None:
        try:
            return cls.get(*cls.key(video_id, request_id), consistent_read=True)
        except cls.DoesNotExist:
            return None

    @classmethod
    def of_video(cls, video_id: str) -> list[ConsentRequestRecord]:
        """Every request about the recording, oldest first."""
        found = cls.query(
            VideoRecord.key(video_id)[0],
            cls.sk.startswith(REQUEST_PREFIX),
            consistent_read=True,
        )
        return sorted(found, key=lambda r: r.created_at)
