"""Feedback's rules as pure functions (no table, no clock): who may do what to a comment,
and where on the timeline a comment may sit."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.auth.principal import Principal, Role
from chalicelib.errors import Conflict, Forbidden, InvalidInput
from chalicelib.feedback.models import CommentRecord
from chalicelib.videos.access import is_coach_of
from chalicelib.videos.models import VideoRecord

# A player's currentTime can overshoot the probed duration by a frame or two.
DURATION_SLACK_S = 0.5


def check_times(duration_s: float | None, at_s: float, end_s: float | None) -> None:
    """A comment lies within the video (a little slack for the player's last frame)."""
    if duration_s is None:
        raise Conflict("The video is not ready for comments yet", field="video_id")
    limit = float(duration_s) + DURATION_SLACK_S
    if at_s > limit:
        raise InvalidInput(
            f"at_s is past the end of the video ({float(duration_s):.1f} s)", field="at_s"
        )
    if end_s is not None and end_s > limit:
        raise InvalidInput(
            f"end_s is past the end of the video ({float(duration_s):.1f} s)", field="end_s"
        )


def require_author(principal: Principal, comment: CommentRecord) -> None:
    if comment.author_id != principal.user_id:
        raise Forbidden("Only the comment's author may edit it")


def require_resolver(principal: Principal, video: VideoRecord) -> None:
    """Resolving feedback is the owner's or a coaching act."""
    if video.owner_id != principal.user_id and not is_coach_of(principal, video):
        raise Forbidden("Only the video's owner or a coach can resolve feedback")


def require_deleter(principal: Principal, comment: CommentRecord) -> None:
    if comment.author_id != principal.user_id and not principal.has_role(Role.ADMIN):
        raise Forbidden("Only the comment's author or an admin may delete it")


def tag_changes(old: Iterable[str], new: Iterable[str]) -> tuple[set[str], set[str]]:
    """(added, removed): what an edit does to the framework's usage counts."""
    before, after = set(old), set(new)
    return after - before, before - after
