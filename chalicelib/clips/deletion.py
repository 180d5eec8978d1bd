"""Removing a video's clips with everything derived from them.

Deleting a recording removes every clip cut from it, published or not: the
teacher's right to withdraw their footage outweighs the library's interest in
keeping an example (see docs/privacy.md). Library entries and review items go
in the same sweep, and the review counters are corrected.
"""

from __future__ import annotations

from chalicelib.clips.models import ClipRecord, clip_partition, video_clips_partition
from chalicelib.config import Settings
from chalicelib.db.base import delete_partition
from chalicelib.feedback.models import COMMENT_PREFIX, CommentRecord
from chalicelib.framework import service as framework
from chalicelib.library.service import entries_of
from chalicelib.review.service import forget_reviews
from chalicelib.storage import objects
from chalicelib.storage.keys import clip_media_prefix


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
