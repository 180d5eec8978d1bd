"""Delivery against real sockets, loopback only: the checked address, no redirects,
coarse outcomes.

These call the delivery function in this process with a scripted resolver and a
connector that refuses anything but loopback, so no test here can ever open a
connection to a private or shared range, whatever the code under test does.
Loopback needs the local twin's relaxation (``webhook_allow_private_targets``);
the public-address rule itself is covered without any connection in
tests/unit/webhooks.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import socket
from collections.abc import Iterator, Sequence

import pytest

from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.webhooks.delivery import Network, deliver, open_socket
from chalicelib.webhooks.models import DeliveryRecord, WebhookRecord, new_delivery_id
from chalicelib.webhooks.signing import new_secret, verify
from classreel.local.stack import LocalStack
from tests.support.receiver import webhook_receiver

pytestmark = pytest.mark.integration


class LoopbackOnly:
    """Connects to loopback canaries; anything else fails the test before a packet leaves."""

    def __init__(self) -> None:
        self.addresses: list[str] = []

    def __call__(self, address: str, port: int, timeout: float) -> socket.socket:
        self.addresses.append(address)
        if not ipaddress.ip_address(address).is_loopback:
            raise AssertionError(f"the delivery tried to connect to {address}")
        return open_socket(address, port, timeout)


class Answers:
    def __init__(self, *answers: Sequence[str]) -> None:
        self.answers = list(answers)
        self.lookups = 0

    def __call__(self, host: str, port: int) -> Sequence[str]:
        self.lookups += 1
        return self.answers[min(self.lookups, len(self.answers)) - 1]


@pytest.fixture
def settings(local_stack: LocalStack) -> Settings:
    # One attempt: nothing is queued for the stack's own worker to retry.
    return local_stack.settings().model_copy(
        update={
            "webhook_allow_private_targets": True,
            "webhook_max_attempts": 1,
            "webhook_timeout_s": 1.0,
        }
    )


@pytest.fixture
def district() -> Iterator[str]:
    yield f"district-net-{secrets.token_hex(3)}"


def _pending(district: str, url: str, secret: str) -> tuple[str, DeliveryRecord]:
    hook_id = f"wh_{secrets.token_hex(6)}"
    WebhookRecord(
        *WebhookRecord.key(district, hook_id),
        hook_id=hook_id,
        district=district,
        url=url,
        events=["video.ready"],
        secret=secret,
        created_by="admin",
    ).save()
    delivery_id = new_delivery_id()
    now = utcnow()
    record = DeliveryRecord(
        DeliveryRecord.partition(hook_id),
        f"DELIVERY#{now.isoformat()}#{delivery_id}",
        delivery_id=delivery_id,
        hook_id=hook_id,
        district=district,
        event_type="video.ready",
        body=json.dumps({"id": delivery_id, "type": "video.ready", "data": {}}),
        created_at=now,
    )
    record.save()
    return json.dumps({"pk": record.pk, "sk": record.sk}), record


def _reloaded(record: DeliveryRecord) -> DeliveryRecord:
    return DeliveryRecord.get(record.pk, record.sk, consistent_read=True)


def test_rebinding_the_name_after_the_check_changes_nothing(
    settings: Settings, district: str
) -> None:
    """First answer: the canary's loopback address; any later answer: a private one."""
    secret = new_secret()
    resolver = Answers(["127.0.0.1"], ["10.11.12.13"])
    connector = LoopbackOnly()
    with webhook_receiver() as canary:
        port = canary.url.split(":")[2].split("/")[0]
        message, record = _pending(district, f"http://hooks.example.test:{port}/in", secret)
        outcome = deliver(message, settings, Network(resolve=resolver, connect=connector))
        [arrived] = canary.wait_for(1)
    assert outcome == "delivered"
    assert resolver.lookups == 1
    assert connector.addresses == ["127.0.0.1"]
    # The name is kept for the Host header (and SNI with https).
    assert arrived.headers["Host"] == f"hooks.example.test:{port}"
    assert verify(secret, arrived.body, arrived.headers)
    assert arrived.headers["webhook-id"] == record.delivery_id == json.loads(arrived.body)["id"]
    assert _reloaded(record).status == "delivered"


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(
    settings: Settings, district: str
) -> None:
    with webhook_receiver() as target, webhook_receiver(status=302, location=target.url) as hook:
        message, record = _pending(district, hook.url, new_secret())
        connector = LoopbackOnly()
        outcome = deliver(message, settings, Network(connect=connector))
        assert hook.wait_for(1)
        assert target.received == []
    assert outcome == "failed"
    assert len(connector.addresses) == 1
    stored = _reloaded(record)
    assert stored.status == "failed"
    assert stored.last_status_code == 302
    assert stored.last_error == "HTTP 3xx: redirects are not followed"


def test_connection_failures_are_recorded_coarsely(settings: Settings, district: str) -> None:
    # A port nobody listens on, and one that accepts but never answers.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        silent_port = silent.getsockname()[1]
        refused_message, refused = _pending(district, f"http://127.0.0.1:{dead_port}/h", "s")
        slow_message, slow = _pending(district, f"http://127.0.0.1:{silent_port}/h", "s")
        network = Network(connect=LoopbackOnly())
        assert deliver(refused_message, settings, network) == "failed"
        assert deliver(slow_message, settings, network) == "failed"
    assert _reloaded(refused).last_error == "could not connect"
    assert _reloaded(slow).last_error == "timed out"
