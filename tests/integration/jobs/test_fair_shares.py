"""One district's backlog cannot take every worker: each runs at most its share at once.

The shares are counted in DynamoDB Local; the consumer is the job kit's own, reading a
queue of this test's (on the twin's SQS), so the local runner never takes its messages.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.config import get_settings
from chalicelib.jobs import fairness
from chalicelib.jobs.batch import Delivery, consume, parse_model
from chalicelib.jobs.queues import WorkQueue, work_queue
from chalicelib.privacy.schemas import ExportJob
from classreel.local.stack import LocalStack
from tests.support.private_queue import invoke, private_queue, receive

pytestmark = pytest.mark.integration


def _queue(timeout_s: int = 900) -> WorkQueue:
    return dataclasses.replace(work_queue("export", get_settings()), function_timeout_s=timeout_s)


def _district() -> str:
    return f"d-{secrets.token_hex(3)}"


def test_a_district_runs_its_share_and_no_more_while_others_run_theirs(
    local_stack: LocalStack,
) -> None:
    queue, busy, quiet = _queue(), _district(), _district()
    assert fairness.acquire(queue, busy, "m1", share=2)
    assert fairness.acquire(queue, busy, "m2", share=2)
    assert not fairness.acquire(queue, busy, "m3", share=2)
    assert fairness.acquire(queue, quiet, "m4", share=2)
    # The same message again (a redelivery of a running job) keeps its place.
    assert fairness.acquire(queue, busy, "m1", share=2)
    fairness.release(queue, busy, "m1")
    assert fairness.acquire(queue, busy, "m3", share=2)


def test_a_dead_workers_place_frees_when_its_lease_ends(local_stack: LocalStack) -> None:
    district = _district()
    # A function timeout of 0: the lease ends at once, as a dead worker's does in time.
    assert fairness.acquire(_queue(timeout_s=0), district, "dead", share=1)
    assert fairness.acquire(_queue(), district, "next", share=1)
    assert not fairness.acquire(_queue(), district, "third", share=1)


def test_racing_workers_never_exceed_the_share(local_stack: LocalStack) -> None:
    queue, district = _queue(), _district()
    start = threading.Barrier(8)
    won: list[str] = []

    def worker(name: str) -> None:
        start.wait()
        if fairness.acquire(queue, district, name, share=3):
            won.append(name)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 3


@pytest.fixture
def private_export_queue(local_stack: LocalStack) -> Iterator[str]:
    """The export queue, as the job kit sees it, is a new queue of this test's; a share of 1."""
    with private_queue("export", district_share_exports="1", district_share_retry_s="1") as url:
        yield url


def test_a_message_over_its_districts_share_waits_as_a_new_message(
    private_export_queue: str,
) -> None:
    busy, quiet = _district(), _district()
    queue = work_queue("export", get_settings())
    sqs = aws.sqs_client(get_settings())
    for district, export_id in ((busy, "e1"), (busy, "e2"), (quiet, "e3")):
        job = ExportJob(district=district, user_id="u", export_id=export_id)
        sqs.send_message(QueueUrl=private_export_queue, MessageBody=job.model_dump_json())
    # One of the busy district's jobs is running elsewhere: its share (1) is taken.
    assert fairness.acquire(queue, busy, "running-elsewhere", share=1)

    handled: list[str] = []

    def handle(delivery: Delivery[ExportJob], _settings: Any) -> str:
        handled.append(delivery.message.export_id)
        return "built"

    def consumer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return consume(
            event,
            context,
            queue_key="export",
            parse=parse_model(ExportJob),
            handle=handle,
            district_of=lambda job: job.district,
        )

    def run(messages: list[Any]) -> dict[str, Any]:
        return invoke(consumer, private_export_queue, messages, "build_exports")

    first = receive(private_export_queue, 3)
    assert run(first) == {"batchItemFailures": []}
    assert handled == ["e3"]  # the quiet district's job did not wait behind the busy one's
    # The busy district's two came back as new messages, first receives both.
    again = receive(private_export_queue, 2)
    assert sorted(ExportJob.model_validate_json(m["Body"]).export_id for m in again) == [
        "e1",
        "e2",
    ]
    assert {m["Attributes"]["ApproximateReceiveCount"] for m in again} == {"1"}

    fairness.release(queue, busy, "running-elsewhere")
    assert run(again) == {"batchItemFailures": []}
    assert sorted(handled) == ["e1", "e2", "e3"]
    # Each finished job gave its place back.
    assert fairness.acquire(queue, busy, "after", share=1)
