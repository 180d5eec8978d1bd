"""Consent changes that reach past the video: its clips leave the library and the queue.

Withdrawing the teacher's consent to the library, or flagging that students
without media consent appear, is written with its event (chalicelib/videos/
events.py). ``ClipWithdrawal`` hears it from the relay, right after the commit in
the same request, or from the sweep if the request died first, and takes every
clip cut from the recording out of the review queue and out of the library
(chalicelib/review/service.py ``withdraw``), recorded in the audit trail as the
person who made the change. Only a new nomination and review bring a clip back,
and nomination refuses while consent is missing.
"""

from __future__ import annotations

from chalicelib.auth.principal import Principal
from chalicelib.clips.models import ClipRecord, video_clips_partition
from chalicelib.clips.redacted import RedactionRecord
from chalicelib.events.models import DomainEvent
from chalicelib.events.relay import Steps
from chalicelib.library import service as library
from chalicelib.observability import logger
from chalicelib.review import service as review
from chalicelib.videos.events import CONSENT_WITHDRAWN, STUDENTS_FLAGGED, actor_of

REASONS = {
    CONSENT_WITHDRAWN: "The teacher withdrew consent to share this recording in the library",
    STUDENTS_FLAGGED: "Students without media consent were marked as appearing in this recording",
}


def withdraw_clips(
    principal: Principal,
    video_id: str,
    reason: str,
    *,
    spare_signed_off_redactions: bool = False,
) -> int:
    """Take every clip of the video out of the queue and the library. Safe to repeat.

    With ``spare_signed_off_redactions`` (students were flagged), a clip whose redaction a
    reviewer signed off stays where it is, nominated or in the library showing only that
    version: no student's face is seen in it. The teacher's own withdrawal of consent takes
    every clip out, redacted or not: the teacher is seen in a redacted clip too."""
    moved = 0
    for clip in ClipRecord.by_video.query(video_clips_partition(video_id)):
        if spare_signed_off_redactions and shows_no_student(clip):
            continue
        if review.withdraw(principal, clip, reason) is not None:
            moved += 1
    if moved:
        logger.info(
            "clips withdrawn after a consent change",
            extra={"video_id": video_id, "clips": moved},
        )
    return moved


def shows_no_student(clip: ClipRecord) -> bool:
    """Everyone who may not watch the recording sees this clip only with students' faces
    blurred as a reviewer signed off: in the queue, or in the library whose entries name
    that redacted version (a clip published before its redaction names the original)."""
    redaction = RedactionRecord.load(clip.clip_id)
    if redaction is None or not redaction.signed_off:
        return False
    return not clip.published or library.listed_redacted(clip)


class ClipWithdrawal:
    name = "consent-withdrawal"

    def deliver(self, event: DomainEvent, steps: Steps) -> None:
        reason = REASONS.get(event.type)
        if reason is None or steps.done("withdrawn"):
            return
        # Each clip's withdrawal is a conditional transition, so a relay that died
        # half-way and runs again moves only what is still open.
        withdraw_clips(
            actor_of(event),
            str(event.data["video_id"]),
            reason,
            spare_signed_off_redactions=event.type == STUDENTS_FLAGGED,
        )
        steps.mark("withdrawn")


SUBSCRIBER = ClipWithdrawal()
