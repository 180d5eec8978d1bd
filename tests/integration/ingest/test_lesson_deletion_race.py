"""A lesson deleted while its tasks write leaves no file behind, whenever the write lands.

Deleting a video sweeps its files, then its records. A lesson task encoding at
that moment may upload after the sweep. These tests put the deletion at an
observed point inside a task (the task body runs in this process and deletes
the video itself before its last write), or a task's write just after the
deletion's first sweep, then check the bucket: nothing of the video is left.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.ingest import handler, lesson
from chalicelib.ingest.layout import plan_prefix
from chalicelib.ingest.models import TaskKind, TaskRecord
from chalicelib.ingest.tasks import ClaimedTask, LessonTask, follows_plan
from chalicelib.jobs.batch import Delivery
from chalicelib.jobs.lease import LeaseLost
from chalicelib.jobs.queues import work_queue
from chalicelib.orchestration import deletion
from chalicelib.storage import objects
from chalicelib.storage.keys import video_media_prefix
from chalicelib.videos.models import PipelineAttr, VideoRecord, VideoStatus
from classreel.local.stack import LocalStack
from tests.support.seed import ready_video

pytestmark = pytest.mark.integration

JOB_ID = "job0123456789abc"


def _encoding_lesson(settings: Settings) -> LessonTask:
    """A lesson under plan JOB_ID with one chunk task waiting, and a segment it made."""
    video = ready_video("teacher-race")
    video.status = VideoStatus.PROCESSING.value
    video.playable = False
    video.pipeline = PipelineAttr(
        job_id=JOB_ID,
        hls_prefix=plan_prefix(video.video_id, JOB_ID) + "hls/",
        lesson_s=12.0,
        fps="30",
        segments_total=2,
        chunks_total=1,
        fanned_out=True,
    )
    video.save()
    TaskRecord(
        *TaskRecord.key(video.video_id, JOB_ID, TaskKind.CHUNK, 0),
        video_id=video.video_id,
        pipeline_job=JOB_ID,
        kind=TaskKind.CHUNK,
        index=0,
        first_segment=0,
        segment_count=2,
    ).save()
    _write_segment(video.video_id, 0, settings)
    return LessonTask(video_id=video.video_id, job_id=JOB_ID, kind=TaskKind.CHUNK, index=0)


def _write_segment(video_id: str, index: int, settings: Settings) -> None:
    key = f"{plan_prefix(video_id, JOB_ID)}hls/720p/seg_{index:05d}.m4s"
    objects.put_bytes(settings.media_bucket, key, b"\0" * 64, "video/iso.segment", settings)


def _left_of(video_id: str, settings: Settings) -> list[str]:
    listing = aws.s3_client(settings).list_objects_v2(
        Bucket=settings.media_bucket, Prefix=video_media_prefix(video_id)
    )
    return [item["Key"] for item in listing.get("Contents", [])]


def _deleted_then_written(settings: Settings, end: Callable[[], str]) -> Callable[..., str]:
    """A task body that the video's whole deletion overtakes before its last upload."""

    def run_task(claimed: ClaimedTask, _settings: Settings) -> str:
        video = VideoRecord.load(claimed.task.video_id)
        assert video is not None
        deletion.purge(video, settings)
        _write_segment(claimed.task.video_id, 1, settings)
        return end()

    return run_task


def _lease_lost() -> str:
    raise LeaseLost("the task's record went with the video")


def _media_error() -> str:
    raise OSError("the chunk it was reading is gone")


@pytest.mark.parametrize(
    "end",
    [lambda: "done", _lease_lost, _media_error],
    ids=["finishes", "loses-its-lease", "fails"],
)
def test_a_write_after_the_deletions_sweep_is_removed_by_the_task(
    end: Callable[[], str], local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = local_stack.settings()
    task = _encoding_lesson(settings)
    monkeypatch.setattr(lesson, "run_task", _deleted_then_written(settings, end))
    delivery = Delivery(task, "message-1", 1, work_queue("segment", settings))
    outcome = handler._handle_task(delivery, settings)
    assert outcome in {"done", "lease_lost", "stale"}
    assert _left_of(task.video_id, settings) == []
    assert VideoRecord.load(task.video_id) is None


def test_a_write_between_the_sweep_and_the_records_going_is_swept_again(
    local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The task wrote just after the first sweep and looked while the plan still held."""
    settings = local_stack.settings()
    task = _encoding_lesson(settings)
    sweep = objects.delete_prefix
    media_sweeps: list[str] = []

    def sweep_then_a_task_writes(bucket: str, prefix: str, settings: Settings) -> int:
        removed = sweep(bucket, prefix, settings)
        if prefix == video_media_prefix(task.video_id):
            media_sweeps.append(prefix)
            if len(media_sweeps) == 1:
                _write_segment(task.video_id, 1, settings)
                assert follows_plan(VideoRecord.load(task.video_id), JOB_ID)
        return removed

    monkeypatch.setattr(objects, "delete_prefix", sweep_then_a_task_writes)
    video = VideoRecord.load(task.video_id)
    assert video is not None
    deletion.purge(video, settings)
    assert _left_of(task.video_id, settings) == []
    assert VideoRecord.load(task.video_id) is None
