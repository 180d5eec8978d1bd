"""An object landing in the uploads bucket reaches a handler as Lambda would see it."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.ingest.events import ObjectCreated, parse_s3_notification
from classreel.local import bootstrap
from classreel.local.runner import LambdaRunner, QueueBinding
from classreel.local.stack import LocalStack

pytestmark = pytest.mark.integration


@pytest.fixture
def isolated(local_stack: LocalStack, request: pytest.FixtureRequest) -> Settings:
    """A bucket/queue pair of this test's own, wired by the same bootstrap code.

    The stack's runner consumes the real ingest queue, so this test must not.
    """
    suffix = request.node.name.replace("_", "-")[-30:].strip("-").lower()
    settings = local_stack.settings().model_copy(
        update={
            "uploads_bucket": f"up-{suffix}",
            "media_bucket": f"media-{suffix}",
            "queue_prefix": f"q-{suffix}",
            "ingest_visibility_timeout_s": 1,
            "ingest_max_receive_count": 2,
        }
    )
    bootstrap.create_buckets(settings)
    queue_urls = bootstrap.create_queues(settings)
    bootstrap.connect_uploads_to_queue(settings, queue_urls["ingest"])
    return settings.model_copy(update={"queue_urls": queue_urls})


def _run_until(runner: LambdaRunner, done: threading.Event, timeout_s: float = 20) -> None:
    runner.start()
    try:
        assert done.wait(timeout_s), "the handler was not invoked in time"
    finally:
        runner.stop()


def test_put_object_is_delivered_with_the_real_notification_shape(isolated: Settings) -> None:
    events: list[dict[str, Any]] = []
    received = threading.Event()

    def handler(event: dict[str, Any], context: Any) -> None:
        # Configuring the notification makes S3 send an s3:TestEvent first.
        if any("Records" in json.loads(r["body"]) for r in event["Records"]):
            events.append(event)
            received.set()

    key = "raw/district-a/my lesson+clip é/source"
    aws.s3_client(isolated).put_object(Bucket=isolated.uploads_bucket, Key=key, Body=b"x" * 2048)
    runner = LambdaRunner(
        aws.sqs_client(isolated),
        [QueueBinding("ingest", isolated.queue_urls["ingest"], handler)],
        region=isolated.region,
    )
    _run_until(runner, received)

    [record] = events[0]["Records"]
    assert record["eventSource"] == "aws:sqs"
    notification = json.loads(record["body"])
    s3_record = notification["Records"][0]
    assert s3_record["eventSource"] == "aws:s3"
    assert s3_record["eventName"].startswith("ObjectCreated:")
    # S3 encodes the key in the notification; parsing decodes it.
    assert s3_record["s3"]["object"]["key"] != key
    [created] = parse_s3_notification(record["body"])
    assert created == ObjectCreated(
        bucket=isolated.uploads_bucket,
        key=key,
        size=2048,
        etag=created.etag,
        version_id=None,
        sequencer=None,
        event_name=s3_record["eventName"],
    )
    assert created.etag


def test_configuring_the_notification_sends_a_test_event_that_parses_to_nothing(
    isolated: Settings,
) -> None:
    sqs = aws.sqs_client(isolated)
    response = sqs.receive_message(QueueUrl=isolated.queue_urls["ingest"], WaitTimeSeconds=1)
    bodies = [m["Body"] for m in response.get("Messages", [])]
    assert all(parse_s3_notification(body) == [] for body in bodies)


def test_objects_outside_raw_prefix_do_not_notify(isolated: Settings) -> None:
    sqs = aws.sqs_client(isolated)
    aws.s3_client(isolated).put_object(Bucket=isolated.uploads_bucket, Key="other/x", Body=b"x")
    response = sqs.receive_message(
        QueueUrl=isolated.queue_urls["ingest"], WaitTimeSeconds=1, MaxNumberOfMessages=10
    )
    bodies = [m["Body"] for m in response.get("Messages", [])]
    assert [parse_s3_notification(body) for body in bodies if "Records" in body] == []


def test_a_failing_message_ends_in_the_dead_letter_queue(isolated: Settings) -> None:
    attempts: list[str] = []

    def always_fails(event: dict[str, Any], context: Any) -> None:
        record = event["Records"][0]
        if not parse_s3_notification(record["body"]):
            return  # the s3:TestEvent
        attempts.append(record["attributes"]["ApproximateReceiveCount"])
        raise RuntimeError("poison")

    aws.s3_client(isolated).put_object(
        Bucket=isolated.uploads_bucket, Key="raw/district-a/v1/source", Body=b"x"
    )
    sqs = aws.sqs_client(isolated)
    runner = LambdaRunner(
        sqs,
        [QueueBinding("ingest", isolated.queue_urls["ingest"], always_fails)],
        region="us-east-1",
    )
    runner.start()
    try:
        deadline = time.monotonic() + 30
        dead: list[Any] = []
        while time.monotonic() < deadline and not dead:
            dead = sqs.receive_message(
                QueueUrl=isolated.queue_urls["ingest-dlq"], WaitTimeSeconds=1
            ).get("Messages", [])
    finally:
        runner.stop()
    assert dead, "the message never reached the DLQ"
    assert attempts == ["1", "2"]
    assert parse_s3_notification(dead[0]["Body"])[0].key == "raw/district-a/v1/source"
