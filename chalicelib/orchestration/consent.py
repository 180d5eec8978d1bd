"""Consent changes that reach past the video: its clips leave the library and the queue.

Withdrawing the teacher's consent to the library, or flagging that students
without media consent appear, takes every clip cut from the recording out of
the review queue and out of the library at once (chalicelib/review/service.py
``withdraw``), recorded in the audit trail. Only a new nomination and review
bring a clip back, and nomination refuses while consent is missing.
"""

from __future__ import annotations

from chalicelib.auth.principal import Principal
from chalicelib.clips.models import ClipRecord, video_clips_partition
from chalicelib.clips.redacted import RedactionRecord
from chalicelib.observability import logger
from chalicelib.privacy import safeguards
from chalicelib.privacy.schemas import SafeguardsRequest
from chalicelib.review import service as review
from chalicelib.videos import service as videos
from chalicelib.videos.models import VideoRecord
from chalicelib.videos.schemas import UpdateVideoRequest

CONSENT_WITHDRAWN = "The teacher withdrew consent to share this recording in the library"
STUDENTS_FLAGGED = "Students without media consent were marked as appearing in this recording"


def update_video(principal: Principal, video_id: str, request: UpdateVideoRequest) -> VideoRecord:
    video = videos.update_video(principal, video_id, request)
    if request.consent_to_library is False:
        withdraw_clips(principal, video, CONSENT_WITHDRAWN)
    return video


def update_safeguards(
    principal: Principal, video_id: str, request: SafeguardsRequest
) -> VideoRecord:
    video = safeguards.update_safeguards(principal, video_id, request)
    if request.contains_students_without_consent:
        withdraw_clips(principal, video, STUDENTS_FLAGGED, spare_signed_off_redactions=True)
    return video


def withdraw_clips(
    principal: Principal,
    video: VideoRecord,
    reason: str,
    *,
    spare_signed_off_redactions: bool = False,
) -> int:
    """Take every clip of ``video`` out of the queue and the library. Safe to repeat.

    With ``spare_signed_off_redactions`` (students were flagged), a nomination whose
    redaction a reviewer signed off stays in the queue: it shows no student's face. A clip
    already in the library leaves it (its entries name the original renditions) and may be
    nominated again with its redaction. The teacher's own withdrawal takes every clip out
    (the teacher is visible in a redacted clip too)."""
    moved = 0
    for clip in ClipRecord.by_video.query(video_clips_partition(video.video_id)):
        if spare_signed_off_redactions:
            redaction = RedactionRecord.load(clip.clip_id)
            if redaction is not None and redaction.signed_off and not clip.published:
                continue
        if review.withdraw(principal, clip, reason) is not None:
            moved += 1
    if moved:
        logger.info(
            "clips withdrawn after a consent change",
            extra={"video_id": video.video_id, "clips": moved},
        )
    return moved
