"""The video record ``VIDEO#{id}`` / ``META`` and its share grants ``SHARE#{user}``.

Indexes, all sorted ``{created_at}#{id}`` so listings are newest first, never a Scan:
- gsi1 ``OWNER#{district}#{owner}``: a user's own videos;
- gsi2 ``DISTRICT#{district}``: every video of a district (admins);
- gsi3 ``COACHES#{district}#{school}``: videos shared with a school's coaches (sparse);
- share grants: gsi1 ``SHARED#{district}#{user}``: videos shared with a user by name;
  ``SHARED#{district}#GROUP#{group}``: with a group (whoever is in it when they look).
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import Document, EnumAttribute, Gsi1, Gsi2, Gsi3, TableModel, utcnow


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


MASTER_PLAYLIST = "master.m3u8"


class PipelineAttr(Document):
    """The segment-parallel encode of one upload (chalicelib/ingest: planning, encoding, finishing).

    Counters are the fan-in: each finished segment adds one in the same
    transaction that records it, so "everything is done" is a read, not a
    scheduler. ``job_id`` scopes every task: a task of an older plan finds a
    different job and stops.
    """

    job_id = UnicodeAttribute()
    hls_prefix = UnicodeAttribute()  # where the playlists and segments live
    # The picture's timeline the segments cover: its end on the lesson's clock
    # (seconds) and the output frame rate ("30000/1001").
    lesson_s = NumberAttribute()
    fps = UnicodeAttribute()
    # Where the source's own clock starts (its first timestamp): a chunk cut from the
    # upload is placed on the lesson's clock by it.
    source_start_s = NumberAttribute(default=0)
    segments_total = NumberAttribute()
    segments_done = NumberAttribute(default=0)
    chunks_total = NumberAttribute()
    # The prefix of segments every rendition's playlist lists (contiguous from 0).
    published = NumberAttribute(default=0)
    has_audio = BooleanAttribute(default=False)
    audio_segments = NumberAttribute(default=0)
    audio_done = BooleanAttribute(default=False)
    # A web-ready source is also copied as it is, for download (a separate task).
    copy_label = UnicodeAttribute(null=True)
    copy_done = BooleanAttribute(default=True)
    # Every task has been sent (the planner records it once it has sent them all).
    fanned_out = BooleanAttribute(default=False)
    # The one finalizing task has started (set once, conditionally).
    finalizing = BooleanAttribute(default=False)

    @property
    def master_key(self) -> str:
        return self.hls_prefix + MASTER_PLAYLIST

    @property
    def stream_started(self) -> bool:
        """The growing playlists list the start of every rung and of the sound."""
        sound_started = not self.has_audio or int(self.audio_segments or 0) >= 1
        return int(self.published or 0) >= 1 and sound_started


def new_video_id() -> str:
    return secrets.token_hex(12)


def owner_partition(district: str, owner_id: str) -> str:
    return f"OWNER#{district}#{owner_id}"


def district_partition(district: str) -> str:
    return f"DISTRICT#{district}"


def school_coaches_partition(district: str, school: str) -> str:
    return f"COACHES#{district}#{school}"


def shared_partition(district: str, user_id: str) -> str:
    return f"SHARED#{district}#{user_id}"


class VideoRecord(TableModel):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_owner = Gsi1()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    by_district = Gsi2()
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_school_coaches = Gsi3()

    video_id = UnicodeAttribute()
    district = UnicodeAttribute()
    school = UnicodeAttribute(null=True)
    owner_id = UnicodeAttribute()
    owner_name = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    reflection = UnicodeAttribute(null=True)

    # Private by default: the owner grants access by name and/or to the coaches
    # of the video's school.
    shared_with = UnicodeSetAttribute(null=True)
    # Groups of the directory (PLCs, teams): a share follows their membership.
    shared_groups = UnicodeSetAttribute(null=True)
    share_with_school_coaches = BooleanAttribute(default=False)
    consent_to_library = BooleanAttribute(default=False)
    # Set by anyone working with the video who sees students whose families did
    # not consent to media: blocks the library until cleared.
    contains_students_without_consent = BooleanAttribute(default=False)
    # Who set the flag, and as what: a flag a coach or admin set is not cleared
    # by the teacher alone.
    students_flag_set_by = UnicodeAttribute(null=True)
    students_flag_set_by_role = UnicodeAttribute(null=True)
    # Set by a district admin: no deletion of any kind (owner, admin, retention).
    legal_hold = BooleanAttribute(default=False)
    legal_hold_reason = UnicodeAttribute(null=True)
    # Retention (chalicelib/privacy/retention.py): when the video became ready,
    # and which of its files the district's policy has already removed.
    ready_at = UTCDateTimeAttribute(null=True)
    source_deleted_at = UTCDateTimeAttribute(null=True)
    renditions_deleted_at = UTCDateTimeAttribute(null=True)

    status = EnumAttribute(VideoStatus, default=VideoStatus.UPLOADING)
    playable = BooleanAttribute(default=False)
    progress = NumberAttribute(default=0)
    failure_reason = UnicodeAttribute(null=True)
    failure_kind = UnicodeAttribute(null=True)

    upload = UploadAttr()
    source = SourceAttr(null=True)
    job = JobAttr(null=True)
    pipeline = PipelineAttr(null=True)
    # The master playlist (HLS) of a video encoded in segments; videos processed
    # before play their MP4 renditions.
    hls_master_key = UnicodeAttribute(null=True)
    playable_at = UTCDateTimeAttribute(null=True)

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

    @property
    def playable_master_key(self) -> str | None:
        """The master playlist a viewer can start from: the finished one, or the growing one
        once it lists the lesson's start (a web-ready source plays from its copy before)."""
        if self.hls_master_key:
            return str(self.hls_master_key)
        if self.playable and self.pipeline is not None and self.pipeline.stream_started:
            return self.pipeline.master_key
        return None

    @property
    def listing_sort_key(self) -> str:
        return f"{self.created_at.isoformat()}#{self.video_id}"

    def index_keys(self) -> VideoRecord:
        """Set every index key from the record itself (its owner, district, sharing)."""
        self.gsi1pk = owner_partition(self.district, self.owner_id)
        self.gsi1sk = self.listing_sort_key
        self.gsi2pk = district_partition(self.district)
        self.gsi2sk = self.listing_sort_key
        coaches = self.school_coaches_index(bool(self.share_with_school_coaches))
        self.gsi3pk, self.gsi3sk = coaches if coaches is not None else (None, None)
        return self

    def school_coaches_index(self, shared: bool) -> tuple[str, str] | None:
        """gsi3 while shared with the coaches of its school (a sparse index)."""
        if not shared or not self.school:
            return None
        return school_coaches_partition(self.district, self.school), self.listing_sort_key

    def school_coaches_actions(self, shared: bool) -> list[Any]:
        """The update that shares the video with its school's coaches, or stops sharing it."""
        index = self.school_coaches_index(shared)
        if index is None:
            return [VideoRecord.gsi3pk.remove(), VideoRecord.gsi3sk.remove()]
        return [VideoRecord.gsi3pk.set(index[0]), VideoRecord.gsi3sk.set(index[1])]

    @property
    def shared_user_ids(self) -> set[str]:
        return set(self.shared_with or ())

    @property
    def shared_group_ids(self) -> set[str]:
        return set(self.shared_groups or ())


# A group as the recipient of share grants (person ids never hold a '#').
GROUP_PREFIX = "GROUP#"


def group_recipient(group_id: str) -> str:
    return f"{GROUP_PREFIX}{group_id}"


class VideoShare(TableModel):
    """A grant of one video to one user or group (``group_recipient``); its gsi1 lists what
    was shared with them."""

    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_recipient = Gsi1()
    video_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    granted_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def key(video_id: str, user_id: str) -> tuple[str, str]:
        return f"VIDEO#{video_id}", f"SHARE#{user_id}"

    @classmethod
    def for_video(cls, video: VideoRecord, user_id: str) -> VideoShare:
        pk, sk = cls.key(video.video_id, user_id)
        return cls(
            pk,
            sk,
            gsi1pk=shared_partition(video.district, user_id),
            gsi1sk=video.listing_sort_key,
            video_id=video.video_id,
            user_id=user_id,
        )
