"""Per-video safeguards: students without media consent, and legal holds."""

from __future__ import annotations

from typing import Any

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal, Role
from chalicelib.db.base import utcnow
from chalicelib.errors import Forbidden, InvalidInput, NotFound
from chalicelib.privacy.schemas import SafeguardsRequest
from chalicelib.videos.access import is_coach_of, visible_video
from chalicelib.videos.models import VideoRecord


def update_safeguards(
    principal: Principal, video_id: str, request: SafeguardsRequest
) -> VideoRecord:
    video = visible_video(principal, video_id)
    is_admin = principal.has_role(Role.ADMIN)
    actions: list[Any] = []
    events: list[audit.Event] = []
    flag = request.contains_students_without_consent
    if flag is not None:
        is_owner = video.owner_id == principal.user_id
        is_coach = is_coach_of(principal, video)
        if not (is_owner or is_admin or is_coach):
            raise Forbidden("Only the owner, a coach it is shared with, or an admin can set this")
        set_by_someone_else = (
            video.contains_students_without_consent
            and video.students_flag_set_by not in (None, principal.user_id)
            and video.students_flag_set_by_role in (Role.COACH.value, Role.ADMIN.value)
        )
        if not flag and set_by_someone_else and not (is_admin or is_coach):
            raise Forbidden(
                "A coach or an administrator marked that students without media consent appear "
                "in this video; ask them, or an administrator, to clear it",
                field="contains_students_without_consent",
            )
        role = Role.ADMIN if is_admin else Role.COACH if is_coach and not is_owner else None
        actions += [
            VideoRecord.contains_students_without_consent.set(flag),
            VideoRecord.students_flag_set_by.set(principal.user_id)
            if flag
            else VideoRecord.students_flag_set_by.remove(),
            VideoRecord.students_flag_set_by_role.set((role or principal.primary_role).value)
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
        if not is_admin:
            raise Forbidden("Only a district admin can place or lift a legal hold")
        if request.legal_hold and not request.reason:
            raise InvalidInput("Say why the video is held", field="reason")
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
