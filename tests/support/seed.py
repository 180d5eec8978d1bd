"""Records written straight into the table, for tests about what happens *after* ingest.

Access rules and feedback do not depend on how a video was transcoded, so these
tests start from a ready video record instead of running ffmpeg every time.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from chalicelib.clips.models import (
    ClipRecord,
    ClipStatus,
    clip_partition,
    new_clip_id,
    video_clips_partition,
)
from chalicelib.clips.redacted import RedactionRecord, RedactionStatus, redacted_prefix
from chalicelib.config import get_settings
from chalicelib.db.base import utcnow
from chalicelib.feedback.models import CommentRecord, new_top_level_key
from chalicelib.storage import objects
from chalicelib.storage.keys import clip_media_prefix, raw_source_key
from chalicelib.videos.models import (
    RenditionAttr,
    UploadAttr,
    VideoRecord,
    VideoShare,
    VideoStatus,
    district_partition,
    group_recipient,
    new_video_id,
    owner_partition,
    school_coaches_partition,
)


def ready_video(
    owner: str,
    *,
    district: str = "district-a",
    school: str | None = "school-1",
    duration_s: float = 120.0,
    shared_with: tuple[str, ...] = (),
    shared_groups: tuple[str, ...] = (),
    school_coaches: bool = False,
    title: str = "Seeded lesson",
    consent_to_library: bool = False,
) -> VideoRecord:
    video_id = new_video_id()
    now = utcnow()
    sort_key = f"{now.isoformat()}#{video_id}"
    video = VideoRecord(
        *VideoRecord.key(video_id),
        gsi1pk=owner_partition(district, owner),
        gsi1sk=sort_key,
        gsi2pk=district_partition(district),
        gsi2sk=sort_key,
        video_id=video_id,
        district=district,
        school=school,
        owner_id=owner,
        title=title,
        status=VideoStatus.READY.value,
        playable=True,
        progress=1,
        duration_s=duration_s,
        width=1280,
        height=720,
        fps=30,
        has_audio=True,
        shared_with=set(shared_with) or None,
        shared_groups=set(shared_groups) or None,
        share_with_school_coaches=school_coaches,
        consent_to_library=consent_to_library,
        renditions=[
            RenditionAttr(
                label="720p",
                width=1280,
                height=720,
                key=f"videos/{video_id}/seed/720p.mp4",
                size_bytes=1,
            )
        ],
        upload=UploadAttr(
            mode="post",
            key=raw_source_key(district, video_id),
            content_type="video/mp4",
            declared_size=1,
            filename="seed.mp4",
            window_ends_at=now + timedelta(hours=1),
        ),
        created_at=now,
        updated_at=now,
    )
    if school_coaches and school:
        video.gsi3pk = school_coaches_partition(district, school)
        video.gsi3sk = sort_key
    video.save()
    for recipient in [*shared_with, *(group_recipient(g) for g in shared_groups)]:
        VideoShare.for_video(video, recipient).save()
    return video


def ready_clip(
    video: VideoRecord,
    *,
    created_by: str | None = None,
    title: str = "Seeded clip",
    start_s: float = 10.0,
    end_s: float = 130.0,
    tags: tuple[str, ...] = (),
    comments: tuple[tuple[float, float | None, str, tuple[str, ...]], ...] = (),
) -> ClipRecord:
    """A ready clip of ``video`` with carried-over comments ``(at_s, end_s, body, tags)``."""
    now = utcnow()
    clip_id = new_clip_id()
    clip = ClipRecord(
        *ClipRecord.key(clip_id),
        gsi1pk=video_clips_partition(video.video_id),
        gsi1sk=f"{now.isoformat()}#{clip_id}",
        clip_id=clip_id,
        video_id=video.video_id,
        district=video.district,
        school=video.school,
        owner_id=video.owner_id,
        created_by=created_by or video.owner_id,
        title=title,
        start_s=start_s,
        end_s=end_s,
        tags=list(tags),
        status=ClipStatus.READY.value,
        progress=1,
        duration_s=end_s - start_s,
        renditions=[
            RenditionAttr(
                label="720p",
                width=1280,
                height=720,
                key=f"clips/{clip_id}/s/720p.mp4",
                size_bytes=1,
            )
        ],
        poster_key=f"clips/{clip_id}/s/poster.jpg",
        created_at=now,
        updated_at=now,
    )
    clip.save()
    for at_s, comment_end_s, body, comment_tags in comments:
        key = new_top_level_key(at_s)
        CommentRecord(
            clip_partition(clip_id),
            key.sort_key,
            comment_id=key.comment_id,
            video_id=clip_id,
            district=video.district,
            author_id=created_by or video.owner_id,
            author_role="coach",
            at_s=at_s,
            end_s=comment_end_s,
            body=body,
            tags=list(comment_tags),
        ).save()
    return clip


def ready_redaction(clip: ClipRecord, *, signed_off_by: str | None = None) -> RedactionRecord:
    """A finished redaction of ``clip`` (its files under the run's own prefix, not stored),
    signed off by ``signed_off_by`` if given: for tests about who is shown which media."""
    run_id = "run_seeded"
    prefix = redacted_prefix(clip_media_prefix(clip.clip_id)) + run_id + "/"
    record = RedactionRecord(
        *RedactionRecord.key(clip.clip_id),
        clip_id=clip.clip_id,
        video_id=clip.video_id,
        district=clip.district,
        requested_by=clip.created_by,
        status=RedactionStatus.READY,
        progress=1,
        run_id=run_id,
        ready_run_id=run_id,
        faces_found=3,
        faces_kept=1,
        renditions=[
            RenditionAttr(
                label="720p", width=1280, height=720, key=f"{prefix}720p.mp4", size_bytes=1
            )
        ],
        hls_master_key=f"{prefix}hls/master.m3u8",
        poster_key=f"{prefix}poster.jpg",
        signed_off_by=signed_off_by,
        signed_off_at=utcnow() if signed_off_by else None,
        signed_off_run_id=run_id if signed_off_by else None,
    )
    record.save()
    return record


def stored_clip(
    video: VideoRecord,
    source: Path,
    *,
    created_by: str,
    title: str,
    width: int,
    height: int,
    duration_s: float,
) -> ClipRecord:
    """A ready clip whose one rendition is ``source``, stored in the media bucket (the
    redaction job reads it: tests that need real pictures, not just records)."""
    clip = ready_clip(video, created_by=created_by, title=title, start_s=0, end_s=duration_s)
    key = f"clips/{clip.clip_id}/s/{min(width, height)}p.mp4"
    settings = get_settings()
    objects.upload(source, settings.media_bucket, key, "video/mp4", settings)
    rendition = RenditionAttr(
        label=f"{min(width, height)}p", width=width, height=height, key=key, size_bytes=1
    )
    clip.update(
        actions=[
            ClipRecord.renditions.set([rendition]),
            ClipRecord.duration_s.set(duration_s),
            ClipRecord.poster_key.remove(),
        ]
    )
    return clip
