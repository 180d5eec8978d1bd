"""The records of a lesson's segment-parallel encode, in the video's partition.

- ``TASK#{job}#{kind}#{index}``: one queued task (a chunk of segments, the
  sound, the finishing step) with its lease, so a duplicate delivery waits and
  a dead worker's task is taken over when its lease runs out;
- ``SEGMENT#{job}#{index}``: one finished segment and the init segment each
  rendition's media segment needs (normally the same for every segment).

Deleting the video deletes its partition, and with it all of these.
"""

from __future__ import annotations

import json
from enum import StrEnum

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.db.base import Document, EnumAttribute, TableModel, utcnow


class TaskKind(StrEnum):
    CHUNK = "chunk"  # encode the segments of one chunk of the source
    AUDIO = "audio"  # the lesson's sound, as one HLS track
    COPY = "copy"  # a web-ready source, copied as it is: the download MP4
    FINALIZE = "finalize"  # download MP4, poster, storyboard, complete playlists, ready


class TaskStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"


class TaskLeaseAttr(Document):
    job_id = UnicodeAttribute()  # this attempt
    lease_until = UTCDateTimeAttribute()
    started_at = UTCDateTimeAttribute()


def task_sort_key(job_id: str, kind: TaskKind, index: int) -> str:
    return f"TASK#{job_id}#{kind.value}#{index:05d}"


def segment_sort_key(job_id: str, index: int) -> str:
    return f"SEGMENT#{job_id}#{index:05d}"


class TaskRecord(TableModel):
    video_id = UnicodeAttribute()
    pipeline_job = UnicodeAttribute()
    kind = EnumAttribute(TaskKind)
    index = NumberAttribute()
    status = EnumAttribute(TaskStatus, default=TaskStatus.PENDING)
    job = TaskLeaseAttr(null=True)
    attempts = NumberAttribute(default=0)
    progress = NumberAttribute(default=0)
    # A chunk task: which segments (it cuts its span of the upload itself).
    first_segment = NumberAttribute(null=True)
    segment_count = NumberAttribute(null=True)
    # Plans made before chunk tasks read the upload: where the planner put the cut.
    chunk_key = UnicodeAttribute(null=True)
    chunk_start_s = NumberAttribute(null=True)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def key(video_id: str, job_id: str, kind: TaskKind, index: int) -> tuple[str, str]:
        return f"VIDEO#{video_id}", task_sort_key(job_id, kind, index)

    @classmethod
    def load(cls, video_id: str, job_id: str, kind: TaskKind, index: int) -> TaskRecord | None:
        try:
            return cls.get(*cls.key(video_id, job_id, kind, index), consistent_read=True)
        except cls.DoesNotExist:
            return None


class SegmentRecord(TableModel):
    video_id = UnicodeAttribute()
    pipeline_job = UnicodeAttribute()
    index = NumberAttribute()
    start_s = NumberAttribute()
    duration_s = NumberAttribute()
    # Rendition label → the id of the init segment its media segment needs (JSON).
    inits_json = UnicodeAttribute()
    done_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @property
    def inits(self) -> dict[str, str]:
        loaded: dict[str, str] = json.loads(self.inits_json)
        return loaded

    @staticmethod
    def key(video_id: str, job_id: str, index: int) -> tuple[str, str]:
        return f"VIDEO#{video_id}", segment_sort_key(job_id, index)
