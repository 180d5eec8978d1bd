"""Per-video safeguards: students without media consent, and legal holds."""

from __future__ import annotations

from typing import Any

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal
from chalicelib.db.base import utcnow
from chalicelib.errors import InvalidInput, NotFound
from chalicelib.privacy import rules
from chalicelib.privacy.schemas import SafeguardsRequest
from chalicelib.videos.access import is_coach_of, visible_video
from chalicelib.videos.models import VideoRecord


def update_safeguards(
    principal: Principal, video_id: str, request: SafeguardsRequest
) -> VideoRecord:
    video = visible_video(principal, video_id)
    actions: list[Any] = []
    events: list[audit.Event] = []
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
        events.append(
            audit.Event(
                AuditAction.CONSENT_CHANGED,
                video.district,
                video_id,
                subject=f"contains_students_without_consent={str(flag).lower()}",
            )
        )
    if request.legal_hold is not None:
        rules.check_legal_hold(principal, request.legal_hold, request.reason)
        actions += [
            VideoRecord.legal_hold.set(request.legal_hold),
            VideoRecord.legal_hold_reason.set(request.reason)
            if request.legal_hold and request.reason
            else VideoRecord.legal_hold_reason.remove(),
        ]
        events.append(
            audit.Event(
                AuditAction.LEGAL_HOLD_CHANGED,
                video.district,
                video_id,
                subject=f"legal_hold={str(request.legal_hold).lower()}",
            )
        )
    if not actions:
        raise InvalidInput(
            "Nothing to change: send contains_students_without_consent and/or legal_hold",
            field="legal_hold",
        )
    video.update(actions=[*actions, VideoRecord.updated_at.set(utcnow())])
    audit.record_many(principal, events)
    refreshed = VideoRecord.load(video_id)
    if refreshed is None:
        raise NotFound("Video not found")
    return refreshed
