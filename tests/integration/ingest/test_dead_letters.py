"""Messages that fail every time end in the DLQ, and their videos end failed."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from chalicelib import aws
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings
from chalicelib.db.base import utcnow
from chalicelib.ingest.worker import GAVE_UP
from chalicelib.jobs.queues import work_queue
from chalicelib.videos.models import JobAttr, VideoRecord, VideoStatus
from classreel.local.stack import LocalStack
from tests.support.api import Api, upload_sample
from tests.support.media_corpus import BY_NAME, build
from tests.support.stacks import dedicated_stack, ffmpeg_wrapper
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def crashing_stack(tmp_path: Path, local_stack: LocalStack) -> Iterator[LocalStack]:
    """A stack whose ffmpeg dies of a segfault every time."""
    crash = ffmpeg_wrapper(tmp_path / "ffmpeg-that-crashes", "kill -SEGV $$")
    with dedicated_stack(
        tmp_path / "stack",
        CLASSREEL_FFMPEG_BINARY=str(crash),
        CLASSREEL_INGEST_VISIBILITY_TIMEOUT_S="2",
        CLASSREEL_INGEST_MAX_RECEIVE_COUNT="2",
    ) as stack:
        yield stack


def _dlq_messages() -> list[Any]:
    messages: list[Any] = (
        aws.sqs_client()
        .receive_message(
            QueueUrl=work_queue("ingest", get_settings()).dlq_url(get_settings()),
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
        )
        .get("Messages", [])
    )
    return messages


def test_a_poison_message_ends_in_the_dlq_and_the_video_failed(
    crashing_stack: LocalStack, corpus_dir: Path
) -> None:
    api = Api(
        crashing_stack.api_url,
        TokenFactory(crashing_stack.settings()).token("teacher-poison", Role.TEACHER),
    )
    sample = BY_NAME["hevc_mov"]
    video_id = upload_sample(api, build(sample, corpus_dir), sample.filename, sample.content_type)
    video = api.wait_for(video_id, timeout_s=90)
    assert video["status"] == "failed"
    assert video["failure_reason"] == GAVE_UP

    deadline = time.monotonic() + 30
    dead: list[Any] = []
    while time.monotonic() < deadline and not dead:
        dead = _dlq_messages()
        time.sleep(0.5)
    assert dead, "the message must be kept in the DLQ for an operator"
    assert video_id in json.loads(dead[0]["Body"])["Records"][0]["s3"]["object"]["key"]
    # The worker survived every crash of its ffmpeg.
    assert crashing_stack.worker("runner").running()


def _stuck_video(api: Api, corpus_dir: Path, lease_until: Any) -> str:
    """A video whose job holds it 'processing' and whose message is in the DLQ."""
    path = build(BY_NAME["no_audio"], corpus_dir)
    created = api.create_video(path, filename="silent.mp4")
    video_id = str(created["video"]["id"])
    record = VideoRecord.load(video_id)
    assert record is not None
    record.update(
        actions=[
            VideoRecord.status.set(VideoStatus.PROCESSING.value),
            VideoRecord.job.set(
                JobAttr(
                    job_id="ghost",
                    fingerprint="f",
                    lease_until=lease_until,
                    attempts=3,
                    started_at=utcnow(),
                )
            ),
        ]
    )
    settings = get_settings()
    body = {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Post",
                "s3": {
                    "bucket": {"name": settings.uploads_bucket},
                    "object": {"key": created["upload"]["fields"]["key"], "size": 1},
                },
            }
        ]
    }
    aws.sqs_client().send_message(
        QueueUrl=work_queue("ingest", settings).dlq_url(settings), MessageBody=json.dumps(body)
    )
    return video_id


def test_the_reconciler_fails_abandoned_videos_but_not_live_ones(
    local_stack: LocalStack, teacher_api: Api, corpus_dir: Path
) -> None:
    abandoned = _stuck_video(teacher_api, corpus_dir, utcnow() - timedelta(minutes=5))
    alive = _stuck_video(teacher_api, corpus_dir, utcnow() + timedelta(hours=1))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and teacher_api.video(abandoned)["status"] != "failed":
        time.sleep(0.5)
    video = teacher_api.video(abandoned)
    assert video["status"] == "failed"
    assert video["failure_reason"] == GAVE_UP
    assert teacher_api.video(alive)["status"] == "processing"
    # The reconciler only peeks: the messages stay for replay.
    bodies = [m["Body"] for m in _dlq_messages()]
    assert any(abandoned in body for body in bodies)
    # Leave nothing behind for other tests.
    cast(Any, aws.sqs_client()).purge_queue(
        QueueUrl=work_queue("ingest", get_settings()).dlq_url(get_settings())
    )
