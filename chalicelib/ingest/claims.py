"""The video record's processing state machine, as conditional writes.

uploading ─claim→ processing ─finish→ ready
                      │ └──fail──→ failed (rejected: the file; error: retries exhausted)
                      └─(lease runs out: another delivery may claim it again)

Only the job holding the lease may move a video on, so a late duplicate can
never move ``ready`` back, and a job that lost its lease cannot publish.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any, cast

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.config import Settings
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.events import outbox
from chalicelib.ingest import announcements
from chalicelib.jobs.lease import Heartbeat, JobLease
from chalicelib.observability import logger
from chalicelib.storage.objects import ObjectHead
from chalicelib.videos.models import FailureKind, JobAttr, SourceAttr, VideoRecord, VideoStatus

MAX_CLAIM_ROUNDS = 5


class Decision(Enum):
    CLAIM = "claim"
    DUPLICATE = "duplicate"  # this exact object was (or is being) handled already
    SECOND_UPLOAD = "second_upload"  # a different object for a video that has one
    BUSY = "busy"  # another job holds a live lease on this object


@dataclass(frozen=True)
class Job:
    video_id: str
    job_id: str
    fingerprint: str
    lease_s: int
    # Its tasks count against this district's share of the segment queue.
    district: str | None = None

    @property
    def lease(self) -> JobLease:
        return JobLease(
            VideoRecord,
            VideoRecord.key(self.video_id),
            self.job_id,
            VideoStatus.PROCESSING.value,
            self.lease_s,
        )


def decide(video: VideoRecord, fingerprint: str) -> Decision:
    status = video.status_enum
    known = video.source.fingerprint if video.source is not None else None
    if status is VideoStatus.UPLOADING:
        return Decision.CLAIM
    if known is not None and known != fingerprint:
        return Decision.SECOND_UPLOAD
    if status is VideoStatus.PROCESSING:
        if video.job is not None and video.job.lease_until > utcnow():
            return Decision.BUSY
        if planned(video):
            return Decision.DUPLICATE  # its lesson's tasks carry it from here
        return Decision.CLAIM
    if status is VideoStatus.FAILED:
        if known is None:
            return Decision.SECOND_UPLOAD  # e.g. the upload was cancelled
        if video.failure_kind == FailureKind.ERROR.value:
            return Decision.CLAIM  # an operator replayed it from the DLQ
    return Decision.DUPLICATE


def planned(video: VideoRecord) -> bool:
    """The video's job planned its lesson and sent every task."""
    return (
        video.job is not None
        and video.pipeline is not None
        and video.pipeline.job_id == video.job.job_id
        and bool(video.pipeline.fanned_out)
    )


def claim(
    video_id: str, fingerprint: str, head: ObjectHead, settings: Settings
) -> tuple[Decision, Job | None, VideoRecord | None]:
    """Try to become the one job for this object. Returns the decision and, if claimed, the job."""
    for _ in range(MAX_CLAIM_ROUNDS):
        video = VideoRecord.load(video_id)
        if video is None:
            return Decision.DUPLICATE, None, None
        decision = decide(video, fingerprint)
        if decision is not Decision.CLAIM:
            return decision, None, video
        now = utcnow()
        job = Job(
            video_id, uuid.uuid4().hex[:16], fingerprint, settings.ingest_lease_s, video.district
        )
        attempts = int(video.job.attempts) + 1 if video.job is not None else 1
        try:
            # The version condition PynamoDB adds makes load-decide-write atomic.
            video.update(
                actions=[
                    VideoRecord.status.set(VideoStatus.PROCESSING.value),
                    VideoRecord.job.set(
                        JobAttr(
                            job_id=job.job_id,
                            fingerprint=fingerprint,
                            lease_until=now + timedelta(seconds=settings.ingest_lease_s),
                            attempts=attempts,
                            started_at=now,
                        )
                    ),
                    VideoRecord.source.set(
                        SourceAttr(
                            fingerprint=fingerprint,
                            version_id=head.version_id,
                            etag=head.etag,
                            size_bytes=head.size,
                        )
                    ),
                    VideoRecord.progress.set(0),
                    VideoRecord.failure_reason.remove(),
                    VideoRecord.failure_kind.remove(),
                    VideoRecord.updated_at.set(now),
                ]
            )
        except UpdateError as exc:
            if is_conditional_check_failure(exc):
                continue  # someone else moved it; look again
            raise
        return Decision.CLAIM, job, video
    return Decision.BUSY, None, None


def update_as(job: Job, actions: list[Any]) -> None:
    """Apply ``actions`` only while ``job`` still holds the video."""
    job.lease.update(actions)


def fail(job: Job, video: VideoRecord, reason: str, kind: FailureKind) -> None:
    """Failed, with the teacher's reason, and ``video.failed`` announced with it."""
    logger.info(
        "video failed", extra={"video_id": job.video_id, "reason": reason, "kind": kind.value}
    )
    job.lease.update_announcing(
        failure_actions(reason, kind), announcements.video_event(video, "failed", reason)
    )
    announcements.report_failure(kind.value)


def failure_actions(reason: str, kind: FailureKind) -> list[Any]:
    return [
        VideoRecord.status.set(VideoStatus.FAILED.value),
        VideoRecord.failure_reason.set(reason),
        VideoRecord.failure_kind.set(kind.value),
        VideoRecord.playable.set(False),
    ]


def release(job: Job) -> None:
    job.lease.release()


def fail_abandoned(video_id: str, reason: str) -> bool:
    """Mark a video failed when no live job holds it (its message gave up). Idempotent.

    A planned lesson is left alone: its tasks carry it, and a task that dies fails it
    (chalicelib/ingest/dead_letters.py); a duplicate upload notification that died
    after the planning says nothing about it."""
    video = VideoRecord.load(video_id)
    if video is None or planned(video):
        return False
    now = utcnow()
    abandoned = (VideoRecord.status == VideoStatus.UPLOADING.value) | (
        (VideoRecord.status == VideoStatus.PROCESSING.value)
        & (cast("Any", VideoRecord.job).lease_until < now)
    )
    try:
        outbox.update(
            VideoRecord.unread(*VideoRecord.key(video_id)),
            [*failure_actions(reason, FailureKind.ERROR), VideoRecord.updated_at.set(now)],
            announcements.video_event(video, "failed", reason),
            condition=VideoRecord.pk.exists() & abandoned,
            add_version_condition=False,
        )
    except TransactWriteError as exc:
        if outbox.condition_failed(exc):
            return False
        raise
    announcements.report_failure(FailureKind.ERROR.value)
    return True


def heartbeat(job: Job) -> Heartbeat:
    """Renews the job's lease on the video (and reports progress) while the job works."""
    return job.lease.heartbeat()
