"""Duplicate deliveries, concurrent duplicates, reused upload links, stray objects."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.config import get_settings
from chalicelib.ingest.events import parse_s3_notification
from chalicelib.ingest.worker import process_upload
from chalicelib.jobs.queues import work_queue
from chalicelib.jobs.retry import RetryLater
from classreel.local.stack import LocalStack
from tests.support.api import Api, post_file, upload_sample
from tests.support.media_corpus import BY_NAME, build

pytestmark = pytest.mark.integration


def _notification(bucket: str, key: str) -> str:
    """The body S3 sends for this object (what the queue would carry)."""
    head = aws.s3_client().head_object(Bucket=bucket, Key=key)
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Post",
                    "s3": {
                        "bucket": {"name": bucket},
                        "object": {
                            "key": key,
                            "size": head["ContentLength"],
                            "eTag": head["ETag"].strip('"'),
                        },
                    },
                }
            ]
        }
    )


def _job_prefixes(video_id: str) -> list[str]:
    response = aws.s3_client().list_objects_v2(
        Bucket=get_settings().media_bucket, Prefix=f"videos/{video_id}/", Delimiter="/"
    )
    return [p["Prefix"] for p in response.get("CommonPrefixes", [])]


def _outputs(video_id: str) -> dict[str, str]:
    listing = aws.s3_client().list_objects_v2(
        Bucket=get_settings().media_bucket, Prefix=f"videos/{video_id}/"
    )
    return {item["Key"]: item["ETag"] for item in listing.get("Contents", [])}


def test_same_event_five_times_concurrently_makes_one_output_set(
    local_stack: LocalStack, teacher_api: Api, corpus_dir: Path
) -> None:
    sample = BY_NAME["hevc_mov"]  # a real transcode, so duplicates overlap the job
    path = build(sample, corpus_dir)
    created = teacher_api.create_video(
        path, filename=sample.filename, content_type=sample.content_type
    )
    video_id = created["video"]["id"]
    settings = get_settings()
    key = created["upload"]["fields"]["key"]
    assert post_file(created["upload"], path, sample.content_type).status_code == 204

    # Five more copies of the event through the queue (the runner takes them) ...
    body = _notification(settings.uploads_bucket, key)
    for _ in range(5):
        aws.sqs_client().send_message(
            QueueUrl=work_queue("ingest", settings).url(settings), MessageBody=body
        )
    # ... and five at once straight into the worker, racing the runner.
    [created_event] = parse_s3_notification(body)
    outcomes: list[str] = []
    lock = threading.Lock()

    def deliver() -> None:
        try:
            outcome = process_upload(created_event, last_attempt=False, settings=settings)
        except RetryLater:
            outcome = "busy"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    video = teacher_api.wait_for(video_id)
    assert video["status"] == "ready"
    assert outcomes.count("planned") <= 1
    assert set(outcomes) <= {"planned", "busy", "duplicate"}

    # Let every queued duplicate come back (busy ones retry after the lease).
    queue = work_queue("ingest", settings).url(settings)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        attributes = aws.sqs_client().get_queue_attributes(
            QueueUrl=queue,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        if all(value == "0" for value in attributes.values()):
            break
        time.sleep(1)
    else:
        pytest.fail(f"duplicates never drained: {attributes}")

    assert len(_job_prefixes(video_id)) == 1
    outputs = _outputs(video_id)
    names = {k.split("/", 3)[3] for k in outputs}
    assert {"download.mp4", "poster.jpg", "storyboard.jpg", "storyboard.vtt", "plan.json"} <= names
    assert "hls/master.m3u8" in names
    # One set of segments: each rendition's playlist names each segment once.
    assert {n for n in names if n.endswith(".m4s")} == {
        f"hls/{folder}/seg_00000.m4s" for folder in ("720p", "360p", "audio")
    }
    again = teacher_api.video(video_id)
    assert again["status"] == "ready"
    assert [r["label"] for r in again["renditions"]] == ["720p"]


def test_a_reused_upload_link_cannot_replace_the_video(
    local_stack: LocalStack, teacher_api: Api, corpus_dir: Path
) -> None:
    sample = BY_NAME["no_audio"]
    path = build(sample, corpus_dir)
    created = teacher_api.create_video(
        path, filename=sample.filename, content_type=sample.content_type
    )
    video_id = created["video"]["id"]
    assert post_file(created["upload"], path, sample.content_type).status_code == 204
    first = teacher_api.wait_for(video_id)
    assert first["status"] == "ready"
    before = _outputs(video_id)

    other = build(BY_NAME["vfr"], corpus_dir)  # moto accepts it: no size/expiry checks
    assert post_file(created["upload"], other, sample.content_type).status_code == 204

    settings = get_settings()
    key = created["upload"]["fields"]["key"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        versions = aws.s3_client().list_object_versions(Bucket=settings.uploads_bucket, Prefix=key)
        if len(versions.get("Versions", [])) == 1:
            break
        time.sleep(0.5)
    assert len(versions.get("Versions", [])) == 1, "the second upload must be removed"
    kept = aws.s3_client().get_object(Bucket=settings.uploads_bucket, Key=key)["Body"].read()
    assert kept == path.read_bytes()
    after = teacher_api.video(video_id)
    assert after["status"] == "ready"
    assert _outputs(video_id) == before


def test_an_object_with_no_video_record_is_deleted(local_stack: LocalStack) -> None:
    settings = get_settings()
    key = "raw/district-a/notavideo0000000000000000/source"
    aws.s3_client().put_object(Bucket=settings.uploads_bucket, Key=key, Body=b"junk")
    deadline = time.monotonic() + 30
    remaining: list[Any] = ["x"]
    while time.monotonic() < deadline and remaining:
        remaining = (
            aws.s3_client()
            .list_object_versions(Bucket=settings.uploads_bucket, Prefix=key)
            .get("Versions", [])
        )
        time.sleep(0.5)
    assert remaining == []


def test_a_larger_upload_than_declared_is_refused_and_removed(
    local_stack: LocalStack, teacher_api: Api, corpus_dir: Path
) -> None:
    path = build(BY_NAME["no_audio"], corpus_dir)
    declared = path.stat().st_size - 100
    video_id = upload_sample(teacher_api, path, "silent.mp4", "video/mp4", size_bytes=declared)
    video = teacher_api.wait_for(video_id)
    assert video["status"] == "failed"
    assert f"{declared:,} bytes were expected" in video["failure_reason"]


def test_a_different_content_type_than_declared_is_refused(
    local_stack: LocalStack, teacher_api: Api, corpus_dir: Path
) -> None:
    path = build(BY_NAME["no_audio"], corpus_dir)
    created = teacher_api.create_video(path, filename="silent.mp4", content_type="video/mp4")
    upload = created["upload"]
    forged = {**upload, "fields": {**upload["fields"], "Content-Type": "text/html"}}
    assert post_file(forged, path, "text/html").status_code == 204
    video = teacher_api.wait_for(created["video"]["id"])
    assert video["status"] == "failed"
    assert "'text/html'" in video["failure_reason"]
