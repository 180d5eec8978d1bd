"""A running job's message stays invisible for as long as the job lives, and no longer.

SQS is a recording stand-in: each test watches the visibility changes the job asks for.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from chalicelib import aws
from chalicelib.config import MIN_CRASH_REDELIVERY_S, Settings, reset_settings_cache
from chalicelib.jobs.batch import Delivery, consume
from chalicelib.jobs.retry import HeldMessage
from classreel.local.runner import LambdaContext, build_sqs_event

QUEUE_URL = "http://sqs.test/000000000000/classreel-test-segments"
HOLD_S = MIN_CRASH_REDELIVERY_S
RETRY_FIRST_S = 2
# Deadlines for a state to be seen, not speed checks.
DEADLINE_S = 60


class RecordingSqs:
    def __init__(self) -> None:
        self.visibility: list[int] = []
        self._lock = threading.Lock()

    def change_message_visibility(self, **call: Any) -> None:
        assert (call["QueueUrl"], call["ReceiptHandle"]) == (QUEUE_URL, "r1")
        with self._lock:
            self.visibility.append(call["VisibilityTimeout"])

    def changes(self) -> list[int]:
        with self._lock:
            return list(self.visibility)

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while len(self.changes()) < count:
            assert time.monotonic() < deadline, f"only {self.changes()} in {DEADLINE_S} s"
            time.sleep(0.05)


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingSqs]:
    recording = RecordingSqs()
    monkeypatch.setattr(aws, "sqs_client", lambda *args, **kwargs: recording)
    monkeypatch.setenv("CLASSREEL_QUEUE_URLS", json.dumps({"segment": QUEUE_URL}))
    monkeypatch.setenv("CLASSREEL_SEGMENT_CRASH_REDELIVERY_S", str(HOLD_S))
    monkeypatch.setenv("CLASSREEL_SEGMENT_RETRY_FIRST_S", str(RETRY_FIRST_S))
    monkeypatch.setenv("CLASSREEL_SEGMENT_LEASE_S", "4")
    reset_settings_cache()
    yield recording
    monkeypatch.undo()
    reset_settings_cache()


def _event() -> dict[str, Any]:
    message: Any = {
        "MessageId": "m1",
        "ReceiptHandle": "r1",
        "Body": "chunk 2",
        "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1000000"},
        "MessageAttributes": {},
    }
    return build_sqs_event([message], "arn:aws:sqs:us-east-1:000000000000:q", "us-east-1")


def _encode_segments(encode: Callable[[Delivery[str], Settings], str]) -> dict[str, Any]:
    """The segment queue's consumer, as Lambda invokes it with one message."""
    return consume(
        _event(),
        LambdaContext("classreel-encode-segments", timeout_s=900),
        queue_key="segment",
        parse=lambda body: body,
        handle=encode,
    )


def test_a_held_message_is_renewed_until_the_job_ends_then_left_alone(
    sqs: RecordingSqs,
) -> None:
    record = SQSRecord(_event()["Records"][0])
    with HeldMessage(record, QUEUE_URL, hold_s=HOLD_S):
        assert sqs.changes() == [HOLD_S]  # held from the start
        sqs.wait_for(3)  # and twice more while the job runs
    after = sqs.changes()
    assert set(after) == {HOLD_S}
    # Joined on exit: nothing renews a message whose job has ended.
    assert not [t for t in threading.enumerate() if t.name == "hold-m1"]
    assert sqs.changes() == after


def test_a_segment_task_that_runs_past_its_hold_is_not_given_back(sqs: RecordingSqs) -> None:
    def encode(delivery: Delivery[str], settings: Settings) -> str:
        # Longer than one hold: only the renewals keep the message from SQS's others.
        sqs.wait_for(3)
        return "encoded"

    result = _encode_segments(encode)
    assert result == {"batchItemFailures": []}
    assert set(sqs.changes()) == {HOLD_S}


def test_a_task_that_fails_alive_comes_back_in_seconds_not_after_its_hold(
    sqs: RecordingSqs,
) -> None:
    def encode(delivery: Delivery[str], settings: Settings) -> str:
        raise OSError("the source went away mid-read")

    result = _encode_segments(encode)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    changes = sqs.changes()
    # The hold, then the retry delay last: no renewal after it puts the hold back.
    assert changes[0] == HOLD_S
    assert changes[-1] == RETRY_FIRST_S


def test_a_hold_too_short_to_renew_is_refused() -> None:
    with pytest.raises(ValidationError, match="segment_crash_redelivery_s"):
        Settings(segment_crash_redelivery_s=MIN_CRASH_REDELIVERY_S - 1)


def test_a_lease_that_could_outlast_a_crashed_tasks_hold_is_refused() -> None:
    # Its redelivery would find the lease still held and spend a receive waiting.
    with pytest.raises(ValidationError, match="segment_lease_s"):
        Settings(segment_crash_redelivery_s=30, segment_lease_s=25)
    assert Settings(segment_crash_redelivery_s=30, segment_lease_s=20).segment_lease_s == 20
