"""The ingest Lambdas' batch entry points: S3 notifications (plan a lesson) and
the lesson's tasks (encode its chunks and sound, finish it)."""

from __future__ import annotations

import contextlib
from typing import Any

from chalicelib.config import Settings
from chalicelib.ingest import lesson, tasks
from chalicelib.ingest.events import ObjectCreated, parse_s3_notification
from chalicelib.ingest.tasks import LessonTask
from chalicelib.ingest.worker import GAVE_UP, process_upload
from chalicelib.jobs.batch import Delivery, consume, parse_model
from chalicelib.jobs.lease import LeaseLost
from chalicelib.media.errors import MediaRejected
from chalicelib.storage.keys import parse_raw_key
from chalicelib.videos.models import FailureKind, VideoRecord


def _handle(delivery: Delivery[list[ObjectCreated]], settings: Settings) -> str:
    # One notification may name several objects; S3 sends one, tests send more.
    outcomes = [
        process_upload(created, last_attempt=delivery.last_attempt, settings=settings)
        for created in delivery.message
    ]
    return ",".join(outcomes) or "no_objects"


def _upload_district(objects: list[ObjectCreated]) -> str | None:
    """The uploader's district, from the key the API chose (S3 sends one object each)."""
    raw = parse_raw_key(objects[0].key) if objects else None
    return raw.district if raw is not None else None


def handle_ingest_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(
        event,
        context,
        queue_key="ingest",
        parse=parse_s3_notification,
        handle=_handle,
        district_of=_upload_district,
    )


def _handle_task(delivery: Delivery[LessonTask], settings: Settings) -> str:
    task = delivery.message
    try:
        claimed = tasks.claim(task, settings)
    except tasks.TaskGone:
        tasks.abandon(task, settings)
        return "gone"
    if claimed is None:
        return "duplicate"
    try:
        outcome = lesson.run_task(claimed, settings)
    except MediaRejected as rejected:
        # The file itself cannot go on (e.g. it is cut off half-way): the teacher's reason.
        tasks.fail(task, rejected.reason, FailureKind.REJECTED)
        tasks.abandon(task, settings)
        return "rejected"
    except LeaseLost:
        # Often the video's deletion (its records go, and the lease with them): what
        # this task wrote after the deletion swept the files must go too.
        tasks.abandon(task, settings)
        return "lease_lost"
    except Exception:
        if not tasks.follows_plan(VideoRecord.load(task.video_id), task.job_id):
            # The video was deleted, failed or planned anew while this task ran (its
            # upload may be gone with it): nothing to retry; remove what the plan wrote.
            tasks.abandon(task, settings)
            return "stale"
        with contextlib.suppress(LeaseLost):
            if delivery.last_attempt:
                tasks.fail(task, GAVE_UP, FailureKind.ERROR)
                tasks.abandon(task, settings)
            else:
                claimed.lease.release()  # the retry need not wait out our lease
        raise
    if outcome != lesson.READY:
        # One last look after the task's last write: a deletion stops the plan before it
        # sweeps the files, so anything this task wrote after the sweep is removed here.
        tasks.abandon(task, settings)
    return outcome


def handle_segment_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(
        event,
        context,
        queue_key=tasks.SEGMENT_QUEUE,
        parse=parse_model(LessonTask),
        handle=_handle_task,
        district_of=lambda task: task.district,
    )
