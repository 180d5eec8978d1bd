"""Who may see and work with a clip.

A clip inherits its video's audience; reviewers and admins of the district also
see clips under review, and everyone in the district sees published ones (the
library). As with videos, an invisible clip is a 404.
"""

from __future__ import annotations

from chalicelib.auth.principal import Principal, Role
from chalicelib.clips.models import ClipRecord
from chalicelib.errors import Forbidden, NotFound
from chalicelib.videos.access import can_view, is_coach_of
from chalicelib.videos.models import VideoRecord


def can_view_clip(principal: Principal, clip: ClipRecord, video: VideoRecord | None) -> bool:
    if clip.district != principal.district:
        return False
    if clip.published:
        return True
    if clip.review_id is not None and principal.has_role(Role.REVIEWER, Role.ADMIN):
        return True
    return video is not None and can_view(principal, video)


def visible_clip(principal: Principal, clip_id: str) -> tuple[ClipRecord, VideoRecord | None]:
    clip = ClipRecord.load(clip_id)
    if clip is None:
        raise NotFound("Clip not found")
    video = VideoRecord.load(clip.video_id)
    if not can_view_clip(principal, clip, video):
        raise NotFound("Clip not found")
    return clip, video


def require_curator(principal: Principal, video: VideoRecord) -> None:
    """Cutting and nominating clips: the teacher in the video or a coach it is shared with."""
    if video.owner_id != principal.user_id and not is_coach_of(principal, video):
        raise Forbidden("Only the video's owner or a coach it is shared with can do this")
