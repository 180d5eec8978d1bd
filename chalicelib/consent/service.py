"""Asking the teacher for library consent, their answer, and the requests' hand-off records.

Agreeing sets the recording's consent and announces it (``video.consent_given``)
in one transaction with the answer; the nomination then goes to review as its
coach (chalicelib/orchestration/library_consent.py), never approved by that.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal, Role
from chalicelib.clips.access import require_curator, visible_clip
from chalicelib.clips.redacted import RedactionRecord, RedactionStatus
from chalicelib.consent import rules
from chalicelib.consent.models import (
    WAITING,
    ConsentRequestRecord,
    ConsentRequestStatus,
    new_request_id,
)
from chalicelib.consent.schemas import (
    AskConsentRequest,
    ConsentRequestView,
    LibraryConsentView,
)
from chalicelib.db.base import is_conditional_check_failure, transaction, utcnow
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.events import outbox
from chalicelib.framework import service as framework
from chalicelib.review import rules as review_rules
from chalicelib.review.access import ConsentRequired
from chalicelib.videos.access import is_coach_of, owned_video, visible_video
from chalicelib.videos.events import consent_given_event
from chalicelib.videos.models import VideoRecord


def _teacher(video: VideoRecord) -> str:
    return video.owner_name or video.owner_id


def latest_for_clip(video_id: str, clip_id: str) -> ConsentRequestRecord | None:
    found = [r for r in ConsentRequestRecord.of_video(video_id) if r.clip_id == clip_id]
    return found[-1] if found else None


def _faces_blurred(clip_id: str) -> bool:
    """The clip has a ready redaction (chalicelib/review/service.py nominate's rule)."""
    redaction = RedactionRecord.load(clip_id)
    return redaction is not None and redaction.status_enum is RedactionStatus.READY


def library_consent(principal: Principal, clip_id: str) -> LibraryConsentView:
    clip, video = visible_clip(principal, clip_id)
    state = rules.consent_state(video, faces_blurred=_faces_blurred(clip_id))
    latest = latest_for_clip(clip.video_id, clip.clip_id) if video is not None else None
    return LibraryConsentView(
        state=state,
        message=rules.consent_message(state, _teacher(video) if video else None),
        teacher_name=_teacher(video) if video else None,
        can_ask=rules.can_ask(state, latest.status if latest else None),
        request=request_view(latest) if latest else None,
    )


def ask(principal: Principal, clip_id: str, request: AskConsentRequest) -> ConsentRequestRecord:
    """Record the nomination that waits for the teacher's consent, and ask them."""
    clip, video = visible_clip(principal, clip_id)
    state = rules.consent_state(video, faces_blurred=_faces_blurred(clip_id))
    if video is None or state in ("students_without_consent", "recording_deleted"):
        raise ConsentRequired(rules.consent_message(state, None), field="clip_id")
    require_curator(principal, video)
    review_rules.check_clip_ready(clip)
    review_rules.check_not_nominated(clip)
    if state == "given":
        raise Conflict(f"{_teacher(video)} has already agreed: nominate the clip", field="clip_id")
    latest = latest_for_clip(video.video_id, clip.clip_id)
    if latest is not None and latest.status in WAITING:
        raise Conflict(
            f"You already asked {_teacher(video)}; the nomination goes to review once they agree",
            field="clip_id",
        )
    elements = framework.check_tags(principal.district, request.elements, field="elements")
    request_id = new_request_id()
    record = ConsentRequestRecord(
        *ConsentRequestRecord.key(video.video_id, request_id),
        request_id=request_id,
        video_id=video.video_id,
        clip_id=clip.clip_id,
        clip_title=clip.title,
        district=video.district,
        requested_by=principal.user_id,
        requested_by_name=principal.name,
        requested_by_role=principal.primary_role.value,
        requested_by_school=principal.school,
        note=request.note,
        elements=elements,
        status=ConsentRequestStatus.OPEN,
        created_at=utcnow(),
    )
    not_consented = VideoRecord.consent_to_library.does_not_exist() | (
        VideoRecord.consent_to_library == False  # noqa: E712  (a DynamoDB condition)
    )
    try:
        with transaction() as tx:
            tx.save(record, condition=ConsentRequestRecord.pk.does_not_exist())
            # Consent given meanwhile would leave this request waiting for nothing.
            tx.condition_check(VideoRecord, *VideoRecord.key(video.video_id), not_consented)
    except TransactWriteError as exc:
        if outbox.condition_failed(exc):
            raise Conflict(
                f"{_teacher(video)} agreed a moment ago: nominate the clip", field="clip_id"
            ) from exc
        raise
    audit.record(
        principal,
        audit.Event(AuditAction.CONSENT_REQUESTED, video.district, video.video_id, clip.clip_id),
    )
    return record


def requests_of_video(principal: Principal, video_id: str) -> list[ConsentRequestRecord]:
    """The teacher's requests (and the admins' and the coaches' who curate the video)."""
    video = visible_video(principal, video_id)
    mine = video.owner_id == principal.user_id
    if not (mine or principal.has_role(Role.ADMIN) or is_coach_of(principal, video)):
        raise Forbidden("Only the video's teacher, its coaches and admins see consent requests")
    return list(reversed(ConsentRequestRecord.of_video(video_id)))


def answer(
    principal: Principal, video_id: str, request_id: str, agree: bool
) -> ConsentRequestRecord:
    video = owned_video(principal, video_id)
    record = ConsentRequestRecord.load(video_id, request_id)
    if record is None:
        raise NotFound("No such consent request")
    if record.status is not ConsentRequestStatus.OPEN:
        raise Conflict("This request has been answered already", field="request_id")
    now = utcnow()
    status = ConsentRequestStatus.AGREED if agree else ConsentRequestStatus.DECLINED
    try:
        with transaction() as tx:
            tx.update(
                record,
                actions=[
                    ConsentRequestRecord.status.set(status),
                    ConsentRequestRecord.answered_at.set(now),
                ],
                condition=ConsentRequestRecord.status == ConsentRequestStatus.OPEN.value,
            )
            if agree:
                tx.update(
                    VideoRecord.unread(*VideoRecord.key(video_id)),
                    actions=[
                        VideoRecord.consent_to_library.set(True),
                        VideoRecord.updated_at.set(now),
                    ],
                    condition=VideoRecord.pk.exists(),
                    add_version_condition=False,
                )
                outbox.add(tx, consent_given_event(video, principal))
    except TransactWriteError as exc:
        if outbox.condition_failed(exc):
            raise Conflict("This request changed meanwhile; reload it", field="request_id") from exc
        raise
    events = [
        audit.Event(
            AuditAction.CONSENT_GIVEN if agree else AuditAction.CONSENT_DECLINED,
            video.district,
            video_id,
            record.clip_id,
        )
    ]
    if agree and not video.consent_to_library:
        events.append(
            audit.Event(
                AuditAction.CONSENT_CHANGED,
                video.district,
                video_id,
                subject="consent_to_library=true",
            )
        )
    audit.record_many(principal, events)
    return _reloaded(record)


def _reloaded(record: ConsentRequestRecord) -> ConsentRequestRecord:
    current = ConsentRequestRecord.load(record.video_id, record.request_id)
    if current is None:
        raise NotFound("No such consent request")
    return current


# --- the hand-off's records (chalicelib/orchestration/library_consent.py) ------------


def waiting_requests(video_id: str) -> list[ConsentRequestRecord]:
    return [r for r in ConsentRequestRecord.of_video(video_id) if r.status in WAITING]


def settle(record: ConsentRequestRecord, review_id: str | None, outcome: str | None) -> None:
    """Nominated (``review_id``), or not with the reason why; a second call changes nothing."""
    status = ConsentRequestStatus.NOMINATED if review_id else ConsentRequestStatus.NOT_NOMINATED
    actions: list[Any] = [ConsentRequestRecord.status.set(status)]
    if review_id:
        actions.append(ConsentRequestRecord.review_id.set(review_id))
    if outcome:
        actions.append(ConsentRequestRecord.outcome.set(outcome))
    handle = ConsentRequestRecord.unread(
        *ConsentRequestRecord.key(record.video_id, record.request_id)
    )
    try:
        handle.update(
            actions=actions,
            condition=ConsentRequestRecord.status.is_in(*WAITING),
            add_version_condition=False,
        )
    except UpdateError as exc:
        if not is_conditional_check_failure(exc):
            raise


def request_view(record: ConsentRequestRecord) -> ConsentRequestView:
    return ConsentRequestView(
        id=record.request_id,
        video_id=record.video_id,
        clip_id=record.clip_id,
        clip_title=record.clip_title,
        requested_by=record.requested_by,
        requested_by_name=record.requested_by_name,
        note=record.note,
        elements=list(record.elements or []),
        status=record.status.value,
        created_at=record.created_at,
        answered_at=record.answered_at,
        review_id=record.review_id,
        outcome=record.outcome,
    )
