"""A district whose receiver hangs holds only its share of the delivery workers.

Events fan out through the webhook subscriber (an in-memory outbox, the twin's table)
onto a webhook queue of this test's; the delivery Lambda's own batch handler runs each
invocation here, so the test chooses what each one gets. Receivers on 127.0.0.1: the busy
district's holds every request until released, the quiet district's answers at once.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.events.models import DomainEvent
from chalicelib.events.relay import Relay
from chalicelib.webhooks.events import SUBSCRIBER
from chalicelib.webhooks.handler import handle_webhook_batch
from chalicelib.webhooks.models import DeliveryRecord, DeliveryStatus, WebhookRecord, new_hook_id
from chalicelib.webhooks.schemas import DeliveryJob
from chalicelib.webhooks.signing import new_secret
from classreel.local.stack import LocalStack
from tests.support.private_queue import invoke, private_queue, receive
from tests.support.receiver import webhook_receiver
from tests.unit.events.fake_outbox import FakeOutbox

pytestmark = pytest.mark.integration


@pytest.fixture
def webhook_queue(local_stack: LocalStack) -> Iterator[str]:
    # A share of one sender per district; a held POST is never cut short by its timeout,
    # nor its place in the share by the function's (a dead sender's lease).
    with private_queue(
        "webhook",
        district_share_webhooks="1",
        district_share_retry_s="1",
        webhook_allow_private_targets="true",
        webhook_timeout_s="120",
        webhook_function_timeout_s="300",
    ) as url:
        yield url


def _hook(district: str, url: str) -> None:
    hook_id = new_hook_id()
    WebhookRecord(
        *WebhookRecord.key(district, hook_id),
        hook_id=hook_id,
        district=district,
        url=url,
        events=["video.ready"],
        secret=new_secret(),
        created_by="admin",
    ).save()


def _announce(district: str, count: int) -> None:
    """``count`` video.ready events of ``district`` relayed to the webhook subscriber."""
    outbox = FakeOutbox()
    relay = Relay([SUBSCRIBER], outbox)
    for index in range(count):
        event = DomainEvent("video.ready", district, {"video_id": f"v{index}"})
        assert relay.relay_one(outbox.store(event)).relayed == 1


def _district(message: Any) -> str | None:
    return DeliveryJob.model_validate_json(message["Body"]).district


def _send(url: str, message: Any) -> dict[str, Any]:
    return invoke(handle_webhook_batch, url, [message], "deliver_webhooks")


def test_a_hanging_receiver_holds_its_districts_share_and_the_others_still_get_theirs(
    webhook_queue: str,
) -> None:
    busy, quiet = f"d-busy-{secrets.token_hex(3)}", f"d-quiet-{secrets.token_hex(3)}"
    with webhook_receiver(held=True) as hanging, webhook_receiver() as healthy:
        _hook(busy, hanging.url)
        _hook(quiet, healthy.url)
        _announce(busy, 3)
        _announce(quiet, 1)
        queued = receive(webhook_queue, 4)
        # Each message names its district, for the consumer's fair share.
        first, *flood = [m for m in queued if _district(m) == busy]
        [theirs] = [m for m in queued if _district(m) == quiet]
        assert len(flood) == 2

        # One sender is stuck in the busy district's receiver: its share (1) is full.
        stuck = threading.Thread(target=_send, args=(webhook_queue, first), daemon=True)
        stuck.start()
        assert len(hanging.wait_for(1)) == 1

        # The other senders meet the rest of the flood, then the quiet district's delivery.
        others = threading.Thread(
            target=lambda: [_send(webhook_queue, m) for m in [*flood, theirs]], daemon=True
        )
        others.start()
        assert len(healthy.wait_for(1)) == 1, "the quiet district waited behind the busy one"
        others.join(60)
        assert not others.is_alive()
        assert stuck.is_alive() and len(hanging.received) == 1

        # The flood waits as new messages (no receive spent) until the share frees.
        again = receive(webhook_queue, 2)
        assert [_district(m) for m in again] == [busy, busy]
        assert {m["Attributes"]["ApproximateReceiveCount"] for m in again} == {"1"}
        hanging.release()
        stuck.join(60)
        for message in again:
            assert _send(webhook_queue, message) == {"batchItemFailures": []}
        assert len(hanging.wait_for(3)) == 3

    delivered = [DeliveryJob.model_validate_json(m["Body"]) for m in [first, *again, theirs]]
    for job in delivered:
        record = DeliveryRecord.get(job.pk, job.sk, consistent_read=True)
        assert record.status == DeliveryStatus.DELIVERED.value
