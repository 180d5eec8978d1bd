"""A lesson's tasks: the queue message, claiming one under a lease, the fan-in.

Every task is a message on the segment queue naming the video, the plan (its
``job_id``) and the task. A task is claimed like a video is: a conditional
write that takes a pending task, or one whose worker's lease ran out; a
duplicate delivery of a running task waits (``RetryLater``), of a finished one
does nothing. A task of a plan the video no longer follows (re-planned,
failed, deleted) stops at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, Field
from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.config import Settings
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.events import outbox
from chalicelib.ingest import announcements, claims
from chalicelib.ingest.layout import WORK_DIR, LessonLayout, plan_prefix
from chalicelib.ingest.models import TaskKind, TaskLeaseAttr, TaskRecord, TaskStatus
from chalicelib.jobs.dispatch import enqueue
from chalicelib.jobs.lease import Heartbeat, JobLease
from chalicelib.jobs.retry import RetryLater
from chalicelib.media.plan import MediaPlan
from chalicelib.observability import logger
from chalicelib.storage import objects
from chalicelib.videos.models import FailureKind, VideoRecord, VideoStatus

SEGMENT_QUEUE = "segment"


class LessonTask(BaseModel):
    """A segment-queue message: do this task of this plan of this video."""

    video_id: str = Field(min_length=1)
    job_id: str = Field(min_length=1)
    kind: TaskKind
    index: int = Field(default=0, ge=0)
    # For the district's fair share of the queue (chalicelib/jobs/fairness.py); tasks sent
    # before it was added have none and run uncounted.
    district: str | None = None


def send(task: LessonTask, settings: Settings) -> None:
    enqueue(SEGMENT_QUEUE, task, settings)


def follows_plan(video: VideoRecord | None, job_id: str) -> bool:
    """The video still exists, is processing, and under this plan."""
    return (
        video is not None
        and video.status == VideoStatus.PROCESSING.value
        and video.pipeline is not None
        and video.pipeline.job_id == job_id
    )


def plan_holds(job_id: str) -> Any:
    """``follows_plan`` as a condition on the video record, for writes and transactions."""
    pipeline = cast("Any", VideoRecord.pipeline)
    return (
        VideoRecord.pk.exists()
        & (VideoRecord.status == VideoStatus.PROCESSING.value)
        & (pipeline.job_id == job_id)
    )


@dataclass(frozen=True)
class ClaimedTask:
    task: LessonTask
    record: TaskRecord
    attempt_id: str
    lease_s: int

    @property
    def lease(self) -> JobLease:
        return JobLease(
            TaskRecord,
            TaskRecord.key(self.task.video_id, self.task.job_id, self.task.kind, self.task.index),
            self.attempt_id,
            TaskStatus.RUNNING.value,
            self.lease_s,
        )

    def finish(self) -> None:
        self.lease.update(
            [TaskRecord.status.set(TaskStatus.DONE.value), TaskRecord.progress.set(1)]
        )


class TaskGone(Exception):
    """The task's record or its plan is gone; there is nothing to do."""


def claim(task: LessonTask, settings: Settings) -> ClaimedTask | None:
    """Take the task, or None when it is done already. Raises RetryLater while another holds it."""
    key = TaskRecord.key(task.video_id, task.job_id, task.kind, task.index)
    now = utcnow()
    attempt_id = uuid.uuid4().hex[:16]
    job = cast("Any", TaskRecord.job)
    free = (TaskRecord.status == TaskStatus.PENDING.value) | (
        (TaskRecord.status == TaskStatus.RUNNING.value) & (job.lease_until < now)
    )
    try:
        TaskRecord.update_item(
            *key,
            actions=[
                TaskRecord.status.set(TaskStatus.RUNNING.value),
                TaskRecord.job.set(
                    TaskLeaseAttr(
                        job_id=attempt_id,
                        lease_until=now + timedelta(seconds=settings.segment_lease_s),
                        started_at=now,
                    )
                ),
                TaskRecord.attempts.add(1),
                TaskRecord.updated_at.set(now),
            ],
            condition=TaskRecord.pk.exists() & free,
        )
    except UpdateError as exc:
        if not is_conditional_check_failure(exc):
            raise
        current = TaskRecord.load(task.video_id, task.job_id, task.kind, task.index)
        if current is None:
            raise TaskGone(f"no task {key[1]}") from exc
        if current.status == TaskStatus.DONE.value:
            return None
        remaining = 30.0
        if current.job is not None:
            remaining = (current.job.lease_until - utcnow()).total_seconds()
        raise RetryLater(int(max(5, min(remaining + 5, 900)))) from exc
    loaded = TaskRecord.load(task.video_id, task.job_id, task.kind, task.index)
    if loaded is None:
        raise TaskGone(f"no task {key[1]}")
    return ClaimedTask(task, loaded, attempt_id, settings.segment_lease_s)


@dataclass(frozen=True)
class TaskContext:
    claimed: ClaimedTask
    video: VideoRecord
    layout: LessonLayout
    plan: MediaPlan
    workdir: Path
    heartbeat: Heartbeat

    @property
    def task(self) -> LessonTask:
        return self.claimed.task

    @property
    def scratch(self) -> str:
        return plan_prefix(self.task.video_id, self.task.job_id) + WORK_DIR


def fail(task: LessonTask, reason: str, kind: FailureKind) -> bool:
    """Fail the video with the teacher's reason (and announce it), if it still follows this plan."""
    video = VideoRecord.load(task.video_id)
    if video is None:
        return False
    actions = [*claims.failure_actions(reason, kind), VideoRecord.updated_at.set(utcnow())]
    plan_files = plan_prefix(task.video_id, task.job_id)
    if any(str(r.key).startswith(plan_files) for r in video.renditions):
        # The source's copy it played from goes with the plan's other files.
        actions.append(VideoRecord.renditions.set([]))
    try:
        outbox.update(
            VideoRecord.unread(*VideoRecord.key(task.video_id)),
            actions,
            announcements.video_event(video, "failed", reason),
            condition=plan_holds(task.job_id),
            add_version_condition=False,
        )
    except TransactWriteError as exc:
        if outbox.condition_failed(exc):
            return False
        raise
    announcements.report_failure(kind.value)
    logger.info("video failed", extra={"video_id": task.video_id, "reason": reason})
    return True


def abandon(task: LessonTask, settings: Settings) -> None:
    """The video left this plan (deleted, failed, re-planned): remove what the plan wrote.

    Every task that finds this out deletes after its own last upload, so what a
    late task writes is removed too.
    """
    if follows_plan(VideoRecord.load(task.video_id), task.job_id):
        return  # still the video's plan (a transient conflict): nothing to remove
    objects.delete_prefix(settings.media_bucket, plan_prefix(task.video_id, task.job_id), settings)
