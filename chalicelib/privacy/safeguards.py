"""Per-video safeguards: students without media consent, and legal holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal
from chalicelib.db.base import is_transaction_conflict, transaction, utcnow
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.events import outbox
from chalicelib.events.models import DomainEvent
from chalicelib.privacy import rules
from chalicelib.privacy.schemas import SafeguardsRequest
from chalicelib.videos.access import is_coach_of, visible_video
from chalicelib.videos.events import STUDENTS_FLAGGED, consent_event
from chalicelib.videos.models import VideoRecord
from chalicelib.videos.service import EDIT_ATTEMPTS


@dataclass(frozen=True)
class _Change:
    actions: list[Any]
    audited: list[audit.Event]
    announced: list[DomainEvent]


def update_safeguards(
    principal: Principal, video_id: str, request: SafeguardsRequest
) -> VideoRecord:
    for _ in range(EDIT_ATTEMPTS):
        video = visible_video(principal, video_id)
        change = _change_of(principal, video, request)
        try:
            with transaction() as tx:
                tx.update(video, actions=[*change.actions, VideoRecord.updated_at.set(utcnow())])
                for event in change.announced:
                    outbox.add(tx, event)
        except TransactWriteError as exc:
            # The pipeline moves the record while a lesson encodes: read it again.
            if is_transaction_conflict(exc):
                continue
            raise
        break
    else:
        raise Conflict("The video kept changing while you edited it; please retry")
    audit.record_many(principal, change.audited)
    refreshed = VideoRecord.load(video_id)
    if refreshed is None:
        raise NotFound("Video not found")
    return refreshed


def _change_of(principal: Principal, video: VideoRecord, request: SafeguardsRequest) -> _Change:
    actions: list[Any] = []
    audited: list[audit.Event] = []
    announced: list[DomainEvent] = []
    flag = request.contains_students_without_consent
    if flag is not None:
        role = rules.students_flag_role(
            principal, video, flag, is_coach=is_coach_of(principal, video)
        )
        actions += [
            VideoRecord.contains_students_without_consent.set(flag),
            VideoRecord.students_flag_set_by.set(principal.user_id)
            if flag
            else VideoRecord.students_flag_set_by.remove(),
            VideoRecord.students_flag_set_by_role.set(role.value)
            if flag
            else VideoRecord.students_flag_set_by_role.remove(),
        ]
        audited.append(
            audit.Event(
                AuditAction.CONSENT_CHANGED,
                video.district,
                video.video_id,
                subject=f"contains_students_without_consent={str(flag).lower()}",
            )
        )
        if flag and not video.contains_students_without_consent:
            # The clips leave the queue and the library (chalicelib/orchestration/).
            announced.append(consent_event(STUDENTS_FLAGGED, video, principal))
    if request.legal_hold is not None:
        rules.check_legal_hold(principal, request.legal_hold, request.reason)
        actions += [
            VideoRecord.legal_hold.set(request.legal_hold),
            VideoRecord.legal_hold_reason.set(request.reason)
            if request.legal_hold and request.reason
            else VideoRecord.legal_hold_reason.remove(),
        ]
        audited.append(
            audit.Event(
                AuditAction.LEGAL_HOLD_CHANGED,
                video.district,
                video.video_id,
                subject=f"legal_hold={str(request.legal_hold).lower()}",
            )
        )
    if not actions:
        raise InvalidInput(
            "Nothing to change: send contains_students_without_consent and/or legal_hold",
            field="legal_hold",
        )
    return _Change(actions, audited, announced)
