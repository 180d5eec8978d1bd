"""Events cannot be lost: the change and its event commit together, and a relay that dies
between the commit and the send leaves the event to the next one, which sends it once.

The kill lands on an observed state: the request has committed the comment and
its event, the relay has recorded the delivery and is inside its send to the
queue (held by a stalled network), and nothing has been sent. Then the API
process is SIGKILLed, as Lambda ends an environment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from chalicelib.auth.principal import Role
from chalicelib.events import relay
from chalicelib.events.models import OUTBOX_SHARDS, DomainEvent, OutboxRecord, outbox_partition
from chalicelib.orchestration.subscribers import SUBSCRIBERS
from chalicelib.webhooks.models import DeliveryRecord, DeliveryStatus
from classreel.local.processes import wait_until
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.receiver import webhook_receiver
from tests.support.seed import ready_video
from tests.support.stacks import stack_behind_proxy
from tests.support.tcp_proxy import TcpProxy
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration


def _outbox_events(event_type: str) -> list[OutboxRecord]:
    return [
        item
        for shard in range(OUTBOX_SHARDS)
        for item in OutboxRecord.query(outbox_partition(shard), consistent_read=True)
        if item.event_type == event_type
    ]


def _deliveries(hook_id: str) -> list[DeliveryRecord]:
    return list(DeliveryRecord.query(DeliveryRecord.partition(hook_id), consistent_read=True))


def _until(predicate: Any, what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"never observed: {what}")
        time.sleep(0.05)


@pytest.fixture
def fragile(tmp_path: Path) -> Iterator[tuple[LocalStack, TcpProxy]]:
    # A short lease, so the next relay takes over from a dead one quickly.
    with stack_behind_proxy(tmp_path / "stack", CLASSREEL_EVENTS_RELAY_LEASE_S="2") as stacked:
        yield stacked


def test_a_relay_killed_between_commit_and_send_still_fires_the_webhook_once(
    fragile: tuple[LocalStack, TcpProxy],
) -> None:
    stack, proxy = fragile
    tokens = TokenFactory(stack.settings())
    district = "district-kill"
    admin = Api(stack.api_url, tokens.token("admin", Role.ADMIN, district=district, school=None))
    teacher = Api(stack.api_url, tokens.token("teacher", Role.TEACHER, district=district))
    video = ready_video("teacher", district=district).video_id
    with webhook_receiver() as receiver:
        hook = admin.ok(
            "POST", "/webhooks", 201, json={"url": receiver.url, "events": ["comment.created"]}
        )
        proxy.hold()
        answered: list[requests.Response | Exception] = []

        def comment() -> None:
            try:
                answered.append(
                    teacher.call("POST", f"/videos/{video}/comments", json={"at_s": 1, "body": "x"})
                )
            except requests.RequestException as exc:
                answered.append(exc)

        sender = threading.Thread(target=comment, daemon=True)
        sender.start()
        # Committed, the delivery recorded, its message not sent: the relay is in its send.
        _until(
            lambda: bool(_outbox_events("comment.created")) and bool(_deliveries(hook["id"])),
            "the event stored and the relay at its send",
        )
        assert receiver.received == []
        stack.worker("api").kill()
        sender.join(30)
        assert answered and isinstance(answered[0], requests.RequestException), answered
        proxy.resume()
        stack.worker("api").start()
        wait_until(stack.worker("api"), f"{stack.api_url}/health", timeout_s=60)

        # The runner's sweep takes over once the dead relay's lease runs out.
        _until(lambda: not _outbox_events("comment.created"), "the event relayed")
        _until(
            lambda: _deliveries(hook["id"])[0].status == DeliveryStatus.DELIVERED,
            "the delivery delivered",
        )
        [arrived] = receiver.received
    [delivery] = _deliveries(hook["id"])
    assert int(delivery.attempts) == 1
    assert arrived.json["id"] == delivery.delivery_id
    assert arrived.json["type"] == "comment.created"
    assert arrived.json["data"]["comment"]["body"] == "x"
    # The comment itself was committed with its event, though its author saw no answer.
    [listed] = teacher.ok("GET", f"/videos/{video}/comments")["threads"]
    assert listed["id"] == arrived.json["data"]["comment"]["id"]


def test_the_stream_relay_and_the_sweep_together_deliver_one_webhook(
    api_as: Any, local_stack: LocalStack
) -> None:
    """The stream function, run twice on one event while the runner's sweep also sees it."""
    district = "district-stream"
    admin = api_as("admin", Role.ADMIN, district=district, school=None)
    with webhook_receiver() as receiver:
        hook = admin.ok(
            "POST", "/webhooks", 201, json={"url": receiver.url, "events": ["video.ready"]}
        )
        happened = DomainEvent("video.ready", district, {"video_id": "v-stream"})
        # Stored as a commit would store it; the stream (below) is what relays it.
        OutboxRecord.of(happened).save()
        [item] = [i for i in _outbox_events("video.ready") if i.event_id == happened.event_id]
        stream_batch = {
            "Records": [
                {
                    "eventName": "INSERT",
                    "dynamodb": {"Keys": {"pk": {"S": item.pk}, "sk": {"S": item.sk}}},
                }
            ]
        }
        relay.install(SUBSCRIBERS)
        try:
            for _ in range(2):
                relay.relay_stream(stream_batch)
        finally:
            relay.install(())
        _until(lambda: len(receiver.received) >= 1, "the webhook", timeout_s=30)
        _until(
            lambda: _deliveries(hook["id"])[0].status == DeliveryStatus.DELIVERED,
            "the delivery delivered",
        )
    assert len(_deliveries(hook["id"])) == 1
    assert len(receiver.received) == 1
    assert receiver.received[0].json["data"] == {"video_id": "v-stream"}
