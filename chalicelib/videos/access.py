"""Who may see and change a video. One place, used by every route.

Anything a caller may not see is reported as not found (404), so existence
never leaks across schools or districts.
"""

from __future__ import annotations

from chalicelib.auth.principal import Principal, Role
from chalicelib.errors import Forbidden, NotFound
from chalicelib.videos.models import VideoRecord

UPLOAD_ROLES = (Role.TEACHER, Role.COACH, Role.ADMIN)


def can_view(principal: Principal, video: VideoRecord) -> bool:
    if video.district != principal.district:
        return False
    if video.owner_id == principal.user_id:
        return True
    return principal.has_role(Role.ADMIN)


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


def require_uploader(principal: Principal) -> None:
    if not principal.has_role(*UPLOAD_ROLES):
        raise Forbidden("Your role cannot upload videos")
