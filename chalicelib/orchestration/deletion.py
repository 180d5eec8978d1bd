"""Deleting a video removes everything derived from it: records and every file.

Comments, clips (with their library entries and review items), webhook
payloads, notifications and coaching-cycle evidence that name it and its owner's
data exports go with it.

Files first, then records: if deleting files fails half-way, the record is
still there and the deletion can simply be retried (and the video's processing
goes on untouched); the reverse order could strand files that nothing points at
any more. Jobs and lesson tasks may write files while the sweep runs, so the
media files are swept once more after the records: a task that wrote after the
first sweep either finds the video gone when it looks after its last write (and
removes what its plan wrote, chalicelib/ingest/tasks.abandon) or wrote before
the records went, which the second sweep removes.
"""

from __future__ import annotations

from chalicelib import aws
from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal
from chalicelib.clips.models import ClipRecord, clip_partition, video_clips_partition
from chalicelib.config import Settings
from chalicelib.cycles.models import EvidenceRecord, video_evidence_partition
from chalicelib.db.base import delete_partition
from chalicelib.feedback.models import COMMENT_PREFIX, CommentRecord
from chalicelib.framework import service as framework
from chalicelib.library.service import entries_of
from chalicelib.notifications.models import NotificationRecord, video_partition
from chalicelib.observability import logger
from chalicelib.privacy.export import forget_exports
from chalicelib.review.service import forget_reviews
from chalicelib.storage import objects
from chalicelib.storage.keys import clip_media_prefix, raw_video_prefix, video_media_prefix
from chalicelib.videos.access import deletable_video
from chalicelib.videos.models import VideoRecord
from chalicelib.webhooks.models import DeliveryRecord


def raw_prefix(video: VideoRecord) -> str:
    return raw_video_prefix(video.district, video.video_id)


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
    deliveries = _forget_webhook_copies(video.video_id)
    notifications = _forget_notifications(video.video_id)
    cycle_evidence = _forget_cycle_evidence(video.video_id)
    # The owner's data exports hold a copy of the video: they go too.
    exports = forget_exports(video.district, video.owner_id, settings)
    items = delete_partition(VideoRecord.key(video.video_id)[0])
    # What a task uploaded after the first sweep, while the records still held its plan.
    media += objects.delete_prefix(
        settings.media_bucket, video_media_prefix(video.video_id), settings
    )
    framework.count_usage(video.district, removed=tags)
    counts = {
        "raw_objects": raw,
        "media_objects": media,
        "records": items,
        "webhook_payloads": deliveries,
        "notifications": notifications,
        "cycle_evidence": cycle_evidence,
        "exports": exports,
        **clips,
    }
    logger.info("video deleted", extra={"video_id": video.video_id, **counts})
    return counts


# Deleting a recording removes every clip cut from it, published or not: the
# teacher's right to withdraw their footage outweighs the library's interest in
# keeping an example (see docs/privacy.md). Library entries and review items go
# in the same sweep, and the review counters are corrected.


def purge_clips(video_id: str, settings: Settings) -> dict[str, int]:
    counts = {"clips": 0, "clip_objects": 0, "library_entries": 0, "review_items": 0}
    for clip in ClipRecord.by_video.query(video_clips_partition(video_id)):
        entries = entries_of(clip)
        for entry in entries:
            entry.delete()
        counts["library_entries"] += len(entries)
        counts["review_items"] += forget_reviews(clip)
        counts["clip_objects"] += objects.delete_prefix(
            settings.media_bucket, clip_media_prefix(clip.clip_id), settings
        )
        tags = list(clip.tags or []) + [
            tag
            for comment in CommentRecord.query(
                clip_partition(clip.clip_id), CommentRecord.sk.startswith(COMMENT_PREFIX)
            )
            for tag in comment.tags or []
        ]
        delete_partition(clip_partition(clip.clip_id))
        framework.count_usage(clip.district, removed=tags)
        counts["clips"] += 1
    return counts


def _forget_webhook_copies(video_id: str) -> int:
    """Delivery records keep the signed payload for retries: it names the video."""
    copies = list(DeliveryRecord.by_video.query(DeliveryRecord.video_partition(video_id)))
    with DeliveryRecord.batch_write() as batch:
        for copy in copies:
            batch.delete(copy)
    return len(copies)


def _forget_notifications(video_id: str) -> int:
    """Inbox items name the video (its title, a moment of it)."""
    items = list(NotificationRecord.by_video.query(video_partition(video_id)))
    with NotificationRecord.batch_write() as batch:
        for item in items:
            batch.delete(item)
    return len(items)


def _forget_cycle_evidence(video_id: str) -> int:
    """Coaching cycles point at the video as evidence; the cycle itself stays."""
    items = list(EvidenceRecord.by_video.query(video_evidence_partition(video_id)))
    with EvidenceRecord.batch_write() as batch:
        for item in items:
            batch.delete(item)
    return len(items)


def delete_video(principal: Principal, video_id: str, settings: Settings) -> dict[str, int]:
    video = deletable_video(principal, video_id)
    counts = purge(video, settings)
    audit.record(principal, audit.Event(AuditAction.VIDEO_DELETED, video.district, video_id))
    return counts
