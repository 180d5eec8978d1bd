"""Who works the review queue, and whether a recording may go to the library at all."""

from __future__ import annotations

from typing import Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.review.models import ReviewRecord
from chalicelib.videos.models import VideoRecord


class ConsentRequired(Conflict):
    code = "consent_required"


class AlreadyClaimed(Conflict):
    code = "already_claimed"


def require_reviewer(principal: Principal) -> None:
    if not principal.has_role(Role.REVIEWER, Role.ADMIN):
        raise Forbidden("Only reviewers and district admins work the review queue")


def visible_item(principal: Principal, review_id: str) -> ReviewRecord:
    require_reviewer(principal)
    item = ReviewRecord.load(review_id)
    if item is None or item.district != principal.district:
        raise NotFound("Review item not found")
    return item


NOT_CONSENTED = "The teacher has not agreed to share this recording in the district library"
STUDENTS_WITHOUT_CONSENT = (
    "Students whose families have not agreed to media use appear in this recording"
)
RECORDING_DELETED = "The recording this clip comes from has been deleted"
REDACT_FIRST = "; blur their faces (redaction) and have a reviewer sign it off"


def consent_problem(video: VideoRecord | None, *, faces_blurred: bool = False) -> str | None:
    """Why this recording may not go to the library (in plain words), or None.

    ``faces_blurred``: the clip has a redaction fit for this step (ready to nominate,
    signed off to approve), so students without media consent no longer stop it."""
    if video is None:
        return RECORDING_DELETED
    if not video.consent_to_library:
        return NOT_CONSENTED
    if video.contains_students_without_consent and not faces_blurred:
        return STUDENTS_WITHOUT_CONSENT + REDACT_FIRST
    return None


def library_consent_holds(*, faces_blurred: bool = False) -> Any:
    """The same rule as a condition on the video record, checked inside a transaction."""
    if faces_blurred:
        return VideoRecord.consent_to_library == True  # noqa: E712  (a DynamoDB condition)
    return (VideoRecord.consent_to_library == True) & (  # noqa: E712  (a DynamoDB condition)
        VideoRecord.contains_students_without_consent == False  # noqa: E712
    )
