"""Videos whose messages died are marked failed, and the messages stay for replay.

Runs on a schedule. It only *peeks* at the dead-letter queue (messages become
visible again at once), so an operator can still list and redrive them.
A video is failed only if no live job holds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.ingest.claims import fail_abandoned
from chalicelib.ingest.events import MalformedNotification, parse_s3_notification
from chalicelib.ingest.models import TaskRecord, TaskStatus
from chalicelib.ingest.tasks import SEGMENT_QUEUE, LessonTask, abandon
from chalicelib.ingest.tasks import fail as fail_task
from chalicelib.ingest.worker import GAVE_UP
from chalicelib.jobs.queues import work_queue
from chalicelib.observability import logger
from chalicelib.ops import dead_letters
from chalicelib.storage.keys import parse_raw_key
from chalicelib.videos.models import FailureKind

if TYPE_CHECKING:
    from mypy_boto3_sqs.type_defs import MessageTypeDef


# The queues whose dead messages leave a video waiting: its upload, its lesson's tasks.
WATCHED = ("ingest", SEGMENT_QUEUE)


def peek(settings: Settings, limit: int = 500, queue: str = "ingest") -> list[MessageTypeDef]:
    """Up to ``limit`` distinct messages from a DLQ, left in place."""
    dlq_url = work_queue(queue, settings).dlq_url(settings)
    return dead_letters.peek(aws.sqs_client(settings), dlq_url, limit)


def lesson_task(message: MessageTypeDef) -> LessonTask | None:
    try:
        return LessonTask.model_validate_json(message.get("Body", ""))
    except ValidationError:
        return None


def video_ids(message: MessageTypeDef) -> list[str]:
    """The videos a dead upload notification or lesson task was for."""
    task = lesson_task(message)
    if task is not None:
        return [task.video_id]
    try:
        created = parse_s3_notification(message.get("Body", ""))
    except MalformedNotification:
        return []
    keys = (parse_raw_key(c.key) for c in created)
    return [key.video_id for key in keys if key is not None]


def task_still_alive(task: LessonTask) -> bool:
    """The task finished, or a live worker holds it: its dead message was a duplicate
    (each wait for a running task spends a receive), and the video is not stuck."""
    record = TaskRecord.load(task.video_id, task.job_id, task.kind, task.index)
    if record is None or record.status == TaskStatus.DONE.value:
        return True  # done, or its plan is gone (the video moved on)
    return (
        record.status == TaskStatus.RUNNING.value
        and record.job is not None
        and record.job.lease_until > utcnow()
    )


def reconcile(settings: Settings) -> int:
    """Mark failed every video whose message is dead. Returns how many changed."""
    changed = 0
    dead = [message for queue in WATCHED for message in peek(settings, queue=queue)]
    for message in dead:
        task = lesson_task(message)
        if task is not None:
            # A missing segment fails its video, with the reason, if the video still
            # follows that plan; the plan's files go with it.
            if not task_still_alive(task) and fail_task(task, GAVE_UP, FailureKind.ERROR):
                abandon(task, settings)
                changed += 1
                logger.warning(
                    "video failed: a task of its lesson is in the DLQ",
                    extra={"video_id": task.video_id, "task": f"{task.kind.value}#{task.index}"},
                )
            continue
        for video_id in video_ids(message):
            if fail_abandoned(video_id, GAVE_UP):
                changed += 1
                logger.warning(
                    "video failed: its message is in the DLQ", extra={"video_id": video_id}
                )
    return changed
