"""Who may see and change a video. One place, used by every route.

Anything a caller may not see is reported as not found (404), so existence
never leaks across schools or districts; a visible video the caller's role may
not change is 403.
"""

from __future__ import annotations

from chalicelib.auth.principal import Principal, Role
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.videos.models import VideoRecord

UPLOAD_ROLES = (Role.TEACHER, Role.COACH, Role.ADMIN)


def can_view(principal: Principal, video: VideoRecord) -> bool:
    if video.district != principal.district:
        return False
    if video.owner_id == principal.user_id or principal.has_role(Role.ADMIN):
        return True
    if principal.user_id in video.shared_user_ids:
        return True
    # Shared with a group: whoever is in it (or owns it) now, not when it was shared.
    if not principal.groups.isdisjoint(video.shared_group_ids):
        return True
    # Shared with coaches: its school's, and those whose caseload holds its teacher.
    return bool(
        principal.has_role(Role.COACH)
        and video.share_with_school_coaches
        and (principal.works_in(video.school) or video.owner_id in principal.caseload)
    )


def is_coach_of(principal: Principal, video: VideoRecord) -> bool:
    """A coach who can see the video (resolving feedback is a coaching act)."""
    return principal.has_role(Role.COACH) and can_view(principal, video)


def visible_video(principal: Principal, video_id: str) -> VideoRecord:
    video = VideoRecord.load(video_id)
    if video is None or not can_view(principal, video):
        raise NotFound("Video not found")
    return video


def owned_video(principal: Principal, video_id: str) -> VideoRecord:
    video = visible_video(principal, video_id)
    if video.owner_id != principal.user_id:
        raise Forbidden("Only the video's owner may do this")
    return video


def deletable_video(principal: Principal, video_id: str) -> VideoRecord:
    video = visible_video(principal, video_id)
    check_deletable(principal, video)
    return video


def check_deletable(principal: Principal, video: VideoRecord) -> None:
    """The owner or an admin deletes a video, and nobody while it is under a legal hold."""
    if video.owner_id != principal.user_id and not principal.has_role(Role.ADMIN):
        raise Forbidden("Only the video's owner or a district admin may delete it")
    if video.legal_hold:
        raise Conflict(
            "This video is under a legal hold and cannot be deleted until the district lifts it",
            field="legal_hold",
        )


def require_uploader(principal: Principal) -> None:
    if not principal.has_role(*UPLOAD_ROLES):
        raise Forbidden("Your role cannot upload videos")
