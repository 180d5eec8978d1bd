"""The clip record ``CLIP#{id}`` / ``META``; its carried-over comments share the partition.

Index: gsi1 ``VIDEOCLIPS#{video_id}`` sorted ``{created_at}#{id}``: a video's clips.
Carried-over comments are ``CommentRecord`` items in ``CLIP#{id}`` (see feedback.models),
so a clip's feedback reads exactly like a video's.
"""

from __future__ import annotations

import secrets
from enum import StrEnum

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import Document, EnumAttribute, Gsi1, TableModel, utcnow
from chalicelib.videos.models import RenditionAttr


class ClipStatus(StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class ClipJobAttr(Document):
    job_id = UnicodeAttribute()
    lease_until = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    started_at = UTCDateTimeAttribute()


def new_clip_id() -> str:
    return "clp_" + secrets.token_hex(10)


def clip_partition(clip_id: str) -> str:
    return f"CLIP#{clip_id}"


def video_clips_partition(video_id: str) -> str:
    return f"VIDEOCLIPS#{video_id}"


class ClipRecord(TableModel):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_video = Gsi1()

    clip_id = UnicodeAttribute()
    video_id = UnicodeAttribute()
    district = UnicodeAttribute()
    school = UnicodeAttribute(null=True)
    # The source video's owner: the teacher shown in the clip.
    owner_id = UnicodeAttribute()
    created_by = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    start_s = NumberAttribute()
    end_s = NumberAttribute()
    tags = ListAttribute[str](default=list)
    from_comment_id = UnicodeAttribute(null=True)
    # A new cut of this earlier clip (re-trimmed after a rejection, say).
    revision_of = UnicodeAttribute(null=True)

    status = EnumAttribute(ClipStatus, default=ClipStatus.PROCESSING)
    progress = NumberAttribute(default=0)
    failure_reason = UnicodeAttribute(null=True)
    job = ClipJobAttr(null=True)

    duration_s = NumberAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    renditions = ListAttribute(of=RenditionAttr, default=list)
    poster_key = UnicodeAttribute(null=True)
    storyboard_key = UnicodeAttribute(null=True)
    storyboard_vtt_key = UnicodeAttribute(null=True)
    # HLS of the clip's renditions (master playlist); older clips play their MP4s.
    hls_master_key = UnicodeAttribute(null=True)

    # The latest nomination, if any, and whether the clip is in the library.
    review_id = UnicodeAttribute(null=True)
    # Every nomination ever made (a rejected clip may be renominated), for deletion.
    review_ids = ListAttribute[str](default=list)
    # A copy of its review item's status (a ReviewStatus value): review sits above
    # clips, so the enum is review's and this stays its string.
    review_status = UnicodeAttribute(null=True)
    # Why the latest nomination was rejected or unpublished: shown to the nominator.
    review_reason = UnicodeAttribute(null=True)
    published = BooleanAttribute(default=False)
    published_at = UTCDateTimeAttribute(null=True)

    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)
    version = VersionAttribute()

    @staticmethod
    def key(clip_id: str) -> tuple[str, str]:
        return clip_partition(clip_id), "META"

    @classmethod
    def load(cls, clip_id: str) -> ClipRecord | None:
        pk, sk = cls.key(clip_id)
        try:
            return cls.get(pk, sk, consistent_read=True)
        except cls.DoesNotExist:
            return None

    def index_keys(self) -> ClipRecord:
        """gsi1: the clips of its video, oldest first."""
        self.gsi1pk = video_clips_partition(self.video_id)
        self.gsi1sk = f"{self.created_at.isoformat()}#{self.clip_id}"
        return self

    @property
    def status_enum(self) -> ClipStatus:
        return ClipStatus(self.status)

    @property
    def requested_duration_s(self) -> float:
        return float(self.end_s) - float(self.start_s)
