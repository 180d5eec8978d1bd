"""Privacy's rules as pure functions: what a retention policy removes from one video, and
who may set or clear a video's safeguards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.auth.principal import Principal, Role
from chalicelib.errors import Forbidden, InvalidInput
from chalicelib.videos.models import VideoRecord

DELETE_SOURCE = "delete_source"
DELETE_RENDITIONS = "delete_renditions"


@dataclass(frozen=True)
class Step:
    video_id: str
    action: str  # DELETE_SOURCE or DELETE_RENDITIONS
    due_at: datetime


@dataclass(frozen=True)
class VideoPlan:
    """What a policy does to one ready video as of a date."""

    steps: list[Step]
    # Due steps a legal hold blocks (the video stays whole).
    held: bool = False
    # Renditions kept: a clip of the video is in the library.
    kept_for_library: bool = False


def video_plan(
    video: VideoRecord,
    source_days: float | None,
    renditions_days: float | None,
    as_of: datetime,
    in_library: Callable[[], bool],
) -> VideoPlan:
    """The source goes ``source_days`` after the video became ready, the playable files
    ``renditions_days`` after, unless a clip is in the library; a legal hold keeps both.
    ``in_library`` is asked only when the renditions are due."""
    ready = video.ready_at or video.created_at
    due: list[Step] = []
    kept = False
    if source_days and video.source_deleted_at is None:
        when = ready + timedelta(days=float(source_days))
        if when <= as_of:
            due.append(Step(video.video_id, DELETE_SOURCE, when))
    if renditions_days and video.renditions_deleted_at is None:
        when = ready + timedelta(days=float(renditions_days))
        if when <= as_of:
            if in_library():
                kept = True
            else:
                due.append(Step(video.video_id, DELETE_RENDITIONS, when))
    if due and video.legal_hold:
        return VideoPlan([], held=True, kept_for_library=kept)
    return VideoPlan(due, kept_for_library=kept)


def students_flag_role(
    principal: Principal, video: VideoRecord, flag: bool, *, is_coach: bool
) -> Role:
    """Who may mark (or clear) that students without media consent appear, and as what.

    The owner, a coach the video is shared with, or an admin may set it; a flag a
    coach or admin set is not cleared by the teacher alone. Returns the role the
    flag is recorded under.
    """
    is_admin = principal.has_role(Role.ADMIN)
    is_owner = video.owner_id == principal.user_id
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
    if is_admin:
        return Role.ADMIN
    if is_coach and not is_owner:
        return Role.COACH
    return principal.primary_role


def check_legal_hold(principal: Principal, hold: bool, reason: str | None) -> None:
    """Only an admin places or lifts a hold, and placing one says why."""
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only a district admin can place or lift a legal hold")
    if hold and not reason:
        raise InvalidInput("Say why the video is held", field="reason")
