"""Cutting clips: validate the span, record the clip, carry feedback over, queue the job."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.api.links import Viewed
from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal
from chalicelib.clips.access import require_curator, visible_clip
from chalicelib.clips.media import ClipMedia, shown_media
from chalicelib.clips.models import (
    ClipRecord,
    ClipStatus,
    clip_partition,
    new_clip_id,
    video_clips_partition,
)
from chalicelib.clips.rules import IN_REVIEW_OR_LIBRARY, title_from_comment
from chalicelib.clips.schemas import (
    ClipJob,
    ClipView,
    CreateClipRequest,
    RetrimRequest,
    ReviewRef,
)
from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.errors import Conflict, DependencyUnavailable, InvalidInput, NotFound
from chalicelib.feedback import service as feedback
from chalicelib.feedback.models import CommentRecord
from chalicelib.feedback.service import ThreadPage
from chalicelib.framework import service as framework
from chalicelib.jobs.dispatch import enqueue
from chalicelib.limits.service import Quota, consume
from chalicelib.storage import objects
from chalicelib.videos.access import visible_video
from chalicelib.videos.models import VideoRecord, VideoStatus
from chalicelib.videos.schemas import RenditionView

# A player's currentTime can overshoot the probed duration by a frame or two.
_DURATION_SLACK_S = 0.5


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _span(
    video: VideoRecord, request: CreateClipRequest
) -> tuple[float, float, list[str], str, str | None]:
    """(start, end, tags, title, description), from the request or the promoted comment."""
    start, end = request.start_s, request.end_s
    tags, title, description = request.tags, request.title, None
    if request.from_comment_id is not None:
        comment = feedback.find_comment(video.video_id, request.from_comment_id)
        if comment.end_s is None or comment.parent_id is not None:
            raise InvalidInput(
                "Only a range comment can become a clip (this one marks a single moment)",
                field="from_comment_id",
            )
        start = float(comment.at_s) if start is None else start
        end = float(comment.end_s) if end is None else end
        tags = list(comment.tags or []) if tags is None else tags
        title = title or title_from_comment(comment.body)
        description = comment.body
    if start is None or end is None or title is None:
        raise InvalidInput("send start_s and end_s, or from_comment_id", field="start_s")
    if end <= start:
        raise InvalidInput("end_s must be after start_s", field="end_s")
    return start, end, list(tags or []), title, description


def _check_length(video: VideoRecord, start: float, end: float, settings: Settings) -> None:
    duration = float(video.duration_s or 0)
    if end > duration + _DURATION_SLACK_S:
        raise InvalidInput(
            f"end_s is past the end of the video ({_minutes(duration)})", field="end_s"
        )
    length = end - start
    if length < settings.clip_min_s:
        raise InvalidInput(
            f"A clip must be at least {settings.clip_min_s:g} seconds long", field="end_s"
        )
    if length > settings.clip_max_s:
        raise InvalidInput(
            f"A clip can be at most {_minutes(settings.clip_max_s)} long "
            f"(this one is {_minutes(length)})",
            field="end_s",
        )


def create_clip(
    principal: Principal,
    video_id: str,
    request: CreateClipRequest,
    settings: Settings,
    *,
    revision_of: str | None = None,
) -> ClipRecord:
    video = visible_video(principal, video_id)
    require_curator(principal, video)
    if video.status_enum is not VideoStatus.READY:
        raise Conflict("Clips are cut from a ready video; this one is not ready yet")
    start, end, tags, title, description = _span(video, request)
    _check_length(video, start, end, settings)
    end = min(end, float(video.duration_s or end))  # within the slack: the last frame
    tags = framework.check_tags(video.district, tags)
    consume(principal, Quota.CLIPS, settings)
    now = utcnow()
    clip_id = new_clip_id()
    clip = ClipRecord(
        *ClipRecord.key(clip_id),
        clip_id=clip_id,
        video_id=video_id,
        district=video.district,
        school=video.school,
        owner_id=video.owner_id,
        created_by=principal.user_id,
        title=title,
        description=description,
        start_s=round(start, 3),
        end_s=round(end, 3),
        tags=tags,
        from_comment_id=request.from_comment_id,
        revision_of=revision_of,
        created_at=now,
        updated_at=now,
    ).index_keys()
    clip.save()
    carried = feedback.carry_over(
        CommentRecord.partition(video_id),
        clip_partition(clip_id),
        clip_id,
        float(clip.start_s),
        float(clip.end_s),
    )
    framework.count_usage(
        video.district, added=[*tags, *(tag for c in carried for tag in c.tags or [])]
    )
    _enqueue(clip, settings)
    audit.record(
        principal,
        audit.Event(AuditAction.CLIP_CREATED, video.district, video_id, clip_id=clip_id),
    )
    return clip


def retrim(
    principal: Principal, clip_id: str, request: RetrimRequest, settings: Settings
) -> ClipRecord:
    """A new cut of a clip (another span, title or tags): a clip of its own, which may be
    nominated again; the old one stays as it was, its review history with it."""
    clip, video = visible_clip(principal, clip_id)
    if video is None:
        raise NotFound("The recording this clip comes from has been deleted")
    require_curator(principal, video)
    if clip.review_status in IN_REVIEW_OR_LIBRARY:
        raise Conflict(
            "This clip is in the review queue or the library; it can be cut again once "
            "it is out of them",
            field="clip_id",
        )
    cut = CreateClipRequest(
        start_s=request.start_s,
        end_s=request.end_s,
        title=request.title or clip.title,
        tags=list(clip.tags or []) if request.tags is None else request.tags,
    )
    return create_clip(principal, clip.video_id, cut, settings, revision_of=clip.clip_id)


def _enqueue(clip: ClipRecord, settings: Settings) -> None:
    try:
        enqueue("clip", ClipJob(clip_id=clip.clip_id, district=clip.district), settings)
    except (BotoCoreError, ClientError) as exc:
        # Without its job the clip would never leave "processing": say so now.
        clip.update(
            actions=[
                ClipRecord.status.set(ClipStatus.FAILED.value),
                ClipRecord.failure_reason.set("We could not start cutting this clip. Try again."),
            ]
        )
        raise DependencyUnavailable("The clip queue is unavailable; try again shortly") from exc


def get_clip(principal: Principal, clip_id: str, settings: Settings) -> ClipView:
    """The clip if visible, with what the caller may be shown of it; answering with its
    view records the view (chalicelib/api/links.py)."""
    clip, video = visible_clip(principal, clip_id)
    return clip_view(clip, shown_media(principal, clip, video), settings)


def view_for(principal: Principal, clip: ClipRecord, settings: Settings) -> ClipView:
    """A clip the caller just cut (or cut again), as they may see it."""
    return clip_view(clip, shown_media(principal, clip, VideoRecord.load(clip.video_id)), settings)


def list_clips(principal: Principal, video_id: str, settings: Settings) -> list[ClipView]:
    video = visible_video(principal, video_id)
    clips = ClipRecord.by_video.query(video_clips_partition(video_id), scan_index_forward=False)
    return [clip_view(clip, shown_media(principal, clip, video), settings) for clip in clips]


def clip_threads(
    principal: Principal, clip_id: str, *, cursor: str | None, limit: int
) -> ThreadPage:
    visible_clip(principal, clip_id)
    return feedback.thread_page(clip_partition(clip_id), cursor=cursor, limit=limit)


def length_warning(clip: ClipRecord, settings: Settings) -> str | None:
    length = clip.requested_duration_s
    if settings.clip_recommended_min_s <= length <= settings.clip_recommended_max_s:
        return None
    return (
        f"This clip is {_minutes(length)} long; practice examples work best at "
        f"{_minutes(settings.clip_recommended_min_s)}-{_minutes(settings.clip_recommended_max_s)}"
    )


def clip_view(clip: ClipRecord, media: ClipMedia, settings: Settings) -> ClipView:
    """The clip with ``media``: what its caller may be shown of it
    (chalicelib/clips/media.py ``shown_media``), never chosen here."""
    bucket = settings.media_bucket

    def url(key: str | None) -> str | None:
        return objects.presigned_get(bucket, key, settings) if key else None

    return ClipView(
        viewed=Viewed(clip.district, clip.video_id, clip.owner_id, clip_id=clip.clip_id),
        id=clip.clip_id,
        video_id=clip.video_id,
        title=clip.title,
        description=clip.description,
        school=clip.school,
        owner_id=clip.owner_id,
        created_by=clip.created_by,
        start_s=float(clip.start_s),
        end_s=float(clip.end_s),
        duration_s=float(
            clip.duration_s if clip.duration_s is not None else clip.requested_duration_s
        ),
        tags=list(clip.tags or []),
        status=clip.status_enum.value,
        progress=float(clip.progress or 0),
        failure_reason=clip.failure_reason,
        warning=length_warning(clip, settings),
        hls=media.hls_master_key is not None,
        redacted=media.redacted,
        renditions=[
            RenditionView(
                label=r.label,
                width=int(r.width),
                height=int(r.height),
                url=objects.presigned_get(bucket, r.key, settings),
            )
            for r in media.renditions
        ],
        poster_url=url(media.poster_key),
        storyboard_url=url(media.storyboard_key),
        storyboard_vtt_url=url(media.storyboard_vtt_key),
        review=(
            ReviewRef(
                id=clip.review_id,
                status=clip.review_status or "pending",
                reason=clip.review_reason,
            )
            if clip.review_id
            else None
        ),
        published=bool(clip.published),
        revision_of=clip.revision_of,
        created_at=clip.created_at,
        updated_at=clip.updated_at,
    )
