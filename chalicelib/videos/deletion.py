"""Deleting a video removes everything stored about it: records and every file.

Files first, then records: if deleting files fails half-way, the record is
still there and the deletion can simply be retried; the reverse order could
strand files that nothing points at any more.
"""

from __future__ import annotations

from chalicelib import aws
from chalicelib.auth.principal import Principal
from chalicelib.clips.deletion import purge_clips
from chalicelib.config import Settings
from chalicelib.db.base import delete_partition
from chalicelib.feedback.models import COMMENT_PREFIX, CommentRecord
from chalicelib.framework import service as framework
from chalicelib.observability import logger
from chalicelib.storage import objects
from chalicelib.storage.keys import video_media_prefix
from chalicelib.videos.access import deletable_video
from chalicelib.videos.models import VideoRecord


def raw_prefix(video: VideoRecord) -> str:
    return f"raw/{video.district}/{video.video_id}/"


def _abort_open_uploads(video: VideoRecord, settings: Settings) -> None:
    s3 = aws.s3_client(settings)
    listing = s3.list_multipart_uploads(Bucket=settings.uploads_bucket, Prefix=raw_prefix(video))
    for upload in listing.get("Uploads", []):
        s3.abort_multipart_upload(
            Bucket=settings.uploads_bucket, Key=upload["Key"], UploadId=upload["UploadId"]
        )


def purge(video: VideoRecord, settings: Settings) -> dict[str, int]:
    """Remove the video's files and records. Returns counts for the audit trail."""
    _abort_open_uploads(video, settings)
    raw = objects.delete_prefix(settings.uploads_bucket, raw_prefix(video), settings)
    media = objects.delete_prefix(
        settings.media_bucket, video_media_prefix(video.video_id), settings
    )
    tags = [
        tag
        for comment in CommentRecord.query(
            CommentRecord.partition(video.video_id), CommentRecord.sk.startswith(COMMENT_PREFIX)
        )
        for tag in comment.tags or []
    ]
    clips = purge_clips(video.video_id, settings)
    items = delete_partition(VideoRecord.key(video.video_id)[0])
    framework.count_usage(video.district, removed=tags)
    counts = {"raw_objects": raw, "media_objects": media, "records": items, **clips}
    logger.info("video deleted", extra={"video_id": video.video_id, **counts})
    return counts


def delete_video(principal: Principal, video_id: str, settings: Settings) -> dict[str, int]:
    return purge(deletable_video(principal, video_id), settings)
