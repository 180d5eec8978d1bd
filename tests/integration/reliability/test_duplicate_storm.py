"""Every upload's S3 notification delivered 10x at once: one video, one output set each.

Complements tests/integration/ingest/test_exactly_once.py (five racing copies
of one transcode) with many files at once through the real runner. Waiting for
every copy to drain takes a minute, so it runs in `make soak` only (20 files,
SOAK_DUPLICATE_FILES).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.jobs.queues import work_queue
from chalicelib.storage.keys import video_media_prefix
from classreel.local.stack import LocalStack
from tests.support.api import Api, post_file
from tests.support.media_corpus import BY_NAME, build
from tests.support.reliability_report import Report

FILES = int(os.environ.get("SOAK_DUPLICATE_FILES", "0"))

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not FILES, reason="soak only (make soak sets SOAK_DUPLICATE_FILES)"),
]
COPIES = 10


def _outputs(video_id: str, settings: Settings) -> dict[str, str]:
    listing = aws.s3_client(settings).list_objects_v2(
        Bucket=settings.media_bucket, Prefix=video_media_prefix(video_id)
    )
    return {item["Key"]: item["ETag"] for item in listing.get("Contents", [])}


def test_ten_copies_of_every_notification_make_one_output_set_each(
    local_stack: LocalStack, teacher_api: Api, corpus_dir: Path, reliability_report: Report
) -> None:
    settings = local_stack.settings()
    sqs = aws.sqs_client(settings)
    sample = BY_NAME["no_audio"]
    path = build(sample, corpus_dir)
    videos: list[str] = []
    for index in range(FILES):
        created = teacher_api.create_video(path, filename=sample.filename, title=f"dup {index}")
        upload = created["upload"]
        assert post_file(upload, path, sample.content_type).status_code == 204
        key = upload["fields"]["key"]
        head = aws.s3_client(settings).head_object(Bucket=settings.uploads_bucket, Key=key)
        body = json.dumps(
            {
                "Records": [
                    {
                        "eventSource": "aws:s3",
                        "eventName": "ObjectCreated:Post",
                        "s3": {
                            "bucket": {"name": settings.uploads_bucket},
                            "object": {
                                "key": key,
                                "size": head["ContentLength"],
                                "eTag": head["ETag"].strip('"'),
                                "versionId": head.get("VersionId"),
                            },
                        },
                    }
                ]
            }
        )
        sqs.send_message_batch(
            QueueUrl=work_queue("ingest", settings).url(settings),
            Entries=[{"Id": str(n), "MessageBody": body} for n in range(COPIES)],
        )
        videos.append(str(created["video"]["id"]))

    finals = {video_id: teacher_api.wait_for(video_id, timeout_s=300) for video_id in videos}
    # Let every copy come back and be seen as a duplicate.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(
            QueueUrl=work_queue("ingest", settings).url(settings),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        if all(value == "0" for value in attributes.values()):
            break
        time.sleep(1)
    snapshots = {video_id: _outputs(video_id, settings) for video_id in videos}
    time.sleep(2)
    duplicated = 0
    for video_id in videos:
        outputs = _outputs(video_id, settings)
        attempts = {key.split("/")[2] for key in outputs}
        if len(attempts) != 1 or outputs != snapshots[video_id]:
            duplicated += 1
    lost = sum(1 for video in finals.values() if video["status"] != "ready")
    reliability_report.add(
        "S3 notification delivered 10x at once",
        trials=FILES,
        faults=FILES * COPIES,
        lost=lost,
        duplicates=duplicated,
    )
    assert lost == 0, finals
    assert duplicated == 0, snapshots
