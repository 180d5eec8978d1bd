"""The video record: ``VIDEO#{id}`` / ``META``.

gsi1: ``OWNER#{district}#{owner}`` / ``{created_at}#{id}`` lists a user's videos
newest first without a Scan.
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

from chalicelib.db.base import Document, Gsi1, TableModel, utcnow


class VideoStatus(StrEnum):
    UPLOADING = "uploading"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class FailureKind(StrEnum):
    # The file itself cannot become a video: the same bytes will fail again.
    REJECTED = "rejected"
    # Our side failed (retries exhausted): an operator may replay it.
    ERROR = "error"


class UploadMode(StrEnum):
    POST = "post"
    MULTIPART = "multipart"


class RenditionAttr(Document):
    label = UnicodeAttribute()
    width = NumberAttribute()
    height = NumberAttribute()
    key = UnicodeAttribute()
    size_bytes = NumberAttribute()
    remux = BooleanAttribute(default=False)


class UploadAttr(Document):
    mode = UnicodeAttribute()
    key = UnicodeAttribute()
    content_type = UnicodeAttribute()
    declared_size = NumberAttribute()
    filename = UnicodeAttribute()
    # The whole upload must land before this (the presigned URLs expire earlier
    # and are re-issued per part for multipart).
    window_ends_at = UTCDateTimeAttribute()
    multipart_upload_id = UnicodeAttribute(null=True)
    part_size = NumberAttribute(null=True)
    completed_at = UTCDateTimeAttribute(null=True)


class SourceAttr(Document):
    fingerprint = UnicodeAttribute()
    version_id = UnicodeAttribute(null=True)
    etag = UnicodeAttribute(null=True)
    size_bytes = NumberAttribute()
    container = UnicodeAttribute(null=True)
    video_codec = UnicodeAttribute(null=True)
    audio_codec = UnicodeAttribute(null=True)


class JobAttr(Document):
    job_id = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    lease_until = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    started_at = UTCDateTimeAttribute()


def new_video_id() -> str:
    return secrets.token_hex(12)


def owner_partition(district: str, owner_id: str) -> str:
    return f"OWNER#{district}#{owner_id}"


class VideoRecord(TableModel):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_owner = Gsi1()

    video_id = UnicodeAttribute()
    district = UnicodeAttribute()
    school = UnicodeAttribute(null=True)
    owner_id = UnicodeAttribute()
    owner_name = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    reflection = UnicodeAttribute(null=True)

    status = UnicodeAttribute(default=VideoStatus.UPLOADING.value)
    playable = BooleanAttribute(default=False)
    progress = NumberAttribute(default=0)
    failure_reason = UnicodeAttribute(null=True)
    failure_kind = UnicodeAttribute(null=True)

    upload = UploadAttr()
    source = SourceAttr(null=True)
    job = JobAttr(null=True)

    duration_s = NumberAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    fps = NumberAttribute(null=True)
    has_audio = BooleanAttribute(null=True)
    renditions = ListAttribute(of=RenditionAttr, default=list)
    poster_key = UnicodeAttribute(null=True)
    storyboard_key = UnicodeAttribute(null=True)
    storyboard_vtt_key = UnicodeAttribute(null=True)

    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)
    version = VersionAttribute()

    @staticmethod
    def key(video_id: str) -> tuple[str, str]:
        return f"VIDEO#{video_id}", "META"

    @classmethod
    def load(cls, video_id: str) -> VideoRecord | None:
        pk, sk = cls.key(video_id)
        try:
            return cls.get(pk, sk, consistent_read=True)
        except cls.DoesNotExist:
            return None

    @property
    def status_enum(self) -> VideoStatus:
        return VideoStatus(self.status)
