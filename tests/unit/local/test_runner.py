"""The local runner settles messages the way Lambda's SQS integration does."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import CloudWatchEvent

import app as application
from chalicelib.config import Settings
from classreel.local.runner import (
    RELAY_SCHEDULE,
    LambdaRunner,
    QueueBinding,
    build_sqs_event,
    failed_message_ids,
    scheduled_event,
    schedules_from_app,
)


class FakeSqs:
    """Just the SQS calls the runner makes, in memory."""

    def __init__(self, bodies: list[str]) -> None:
        self.messages: list[dict[str, Any]] = [
            {
                "MessageId": f"m{i}",
                "ReceiptHandle": f"r{i}",
                "Body": body,
                "MD5OfBody": "x",
                "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1"},
                "MessageAttributes": {"kind": {"StringValue": "s3", "DataType": "String"}},
            }
            for i, body in enumerate(bodies)
        ]
        self.deleted: list[str] = []

    def get_queue_attributes(self, **_: Any) -> dict[str, Any]:
        return {"Attributes": {"QueueArn": "arn:aws:sqs:us-east-1:123456789012:q"}}

    def receive_message(self, **kwargs: Any) -> dict[str, Any]:
        return {"Messages": self.messages[: kwargs["MaxNumberOfMessages"]]}

    def delete_message_batch(self, **kwargs: Any) -> None:
        handles = {entry["ReceiptHandle"] for entry in kwargs["Entries"]}
        self.deleted += [m["MessageId"] for m in self.messages if m["ReceiptHandle"] in handles]


def _run(handler: Any, bodies: list[str]) -> FakeSqs:
    sqs = FakeSqs(bodies)
    runner = LambdaRunner(sqs, [], region="us-east-1")  # type: ignore[arg-type]
    binding = QueueBinding("fn", "http://q", handler, batch_size=10)
    runner._arns[binding.queue_url] = "arn:aws:sqs:us-east-1:123456789012:q"
    runner.poll_once(binding)
    return sqs


def test_event_has_lambdas_sqs_record_shape() -> None:
    seen: list[dict[str, Any]] = []
    _run(lambda event, context: seen.append(event), ["hello"])
    [record] = seen[0]["Records"]
    assert record["body"] == "hello"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":q")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "s3",
        "binaryValue": None,
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert {"messageId", "receiptHandle", "md5OfBody", "awsRegion"} <= record.keys()


def test_success_deletes_the_whole_batch() -> None:
    sqs = _run(lambda event, context: None, ["a", "b"])
    assert sqs.deleted == ["m0", "m1"]


def test_partial_failures_keep_only_the_failed_messages() -> None:
    sqs = _run(lambda event, context: {"batchItemFailures": [{"itemIdentifier": "m1"}]}, ["a", "b"])
    assert sqs.deleted == ["m0"]


def test_a_raising_handler_keeps_every_message() -> None:
    def handler(event: Any, context: Any) -> None:
        raise RuntimeError("boom")

    assert _run(handler, ["a", "b"]).deleted == []


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "m0"}]}, {"m0"}),
        # Lambda fails the whole batch on an identifier it does not know.
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, {"m0", "m1"}),
        ({"batchItemFailures": [{}]}, {"m0", "m1"}),
        ({"batchItemFailures": "bad"}, {"m0", "m1"}),
    ],
)
def test_partial_response_contract(result: Any, expected: set[str]) -> None:
    assert failed_message_ids(result, {"m0", "m1"}) == expected


def test_context_reports_remaining_time() -> None:
    contexts: list[Any] = []
    _run(lambda event, context: contexts.append(context), ["a"])
    remaining = contexts[0].get_remaining_time_in_millis()
    assert 0 < remaining <= 900_000
    assert contexts[0].function_name == "fn"


def test_build_sqs_event_keeps_message_order() -> None:
    messages = FakeSqs(["x", "y", "z"]).messages
    event = build_sqs_event(messages, "arn", "us-east-1")  # type: ignore[arg-type]
    assert [r["body"] for r in event["Records"]] == ["x", "y", "z"]


def test_scheduled_event_is_what_chalice_schedule_handlers_parse() -> None:
    event = CloudWatchEvent(scheduled_event("nightly", "us-east-1"), None)
    assert event.detail_type == "Scheduled Event"
    assert event.resources == ["arn:aws:events:us-east-1:000000000000:rule/nightly"]


def test_the_outbox_sweep_ticks_faster_than_the_other_schedules() -> None:
    settings = Settings(local_schedule_interval_s=60, local_relay_interval_s=1)
    intervals = {name: interval for name, interval, _ in schedules_from_app(application, settings)}
    assert intervals[RELAY_SCHEDULE] == 1
    assert {n: i for n, i in intervals.items() if n != RELAY_SCHEDULE} == {
        "reconcile_dead_letters": 60,
        "apply_retention": 60,
        "send_digests": 60,
    }
