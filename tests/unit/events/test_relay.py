"""The relay's rules: each event to each subscriber once, retried until it goes, never lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from pynamodb.transactions import TransactWrite

from chalicelib.events import outbox, relay
from chalicelib.events.models import OUTBOX_PREFIX, DomainEvent, OutboxRecord, outbox_key
from chalicelib.events.relay import Relay, Steps, retry_delay, stream_keys
from tests.unit.events.fake_outbox import FakeOutbox


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Killed(BaseException):
    """The relay's process dies mid-delivery (nothing in the relay may catch it)."""


class Hooks:
    """A subscriber with a step per hook, like the webhook fan-out; can fail or die on cue."""

    name = "hooks"

    def __init__(self, hooks: list[str]) -> None:
        self.hooks = hooks
        self.sent: list[tuple[str, str]] = []
        self.fail_next: Exception | None = None
        self.die_after: int | None = None

    def deliver(self, event: DomainEvent, steps: Steps) -> None:
        for hook in self.hooks:
            if steps.done(hook):
                continue
            if self.fail_next is not None:
                error, self.fail_next = self.fail_next, None
                raise error
            self.sent.append((event.event_id, hook))
            if self.die_after is not None and len(self.sent) >= self.die_after:
                raise Killed
            steps.mark(hook)


def event(kind: str = "comment.created") -> DomainEvent:
    return DomainEvent(kind, "district-a", {"video_id": "v1"})


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_an_event_reaches_each_subscriber_once_and_leaves_the_outbox(clock: Clock) -> None:
    store, hooks = FakeOutbox(), Hooks(["a", "b"])
    key = store.store(event())
    outcome = Relay([hooks], store, lease_s=30, clock=clock).relay([key])
    assert (outcome.relayed, outcome.failed) == (1, 0)
    assert [hook for _, hook in hooks.sent] == ["a", "b"]
    assert store.items == {}


def test_relaying_again_delivers_nothing_twice(clock: Clock) -> None:
    store, hooks = FakeOutbox(), Hooks(["a"])
    key = store.store(event())
    first = Relay([hooks], store, lease_s=30, clock=clock)
    first.relay([key])
    # The stream and the sweep see the same event after the request relayed it.
    assert first.relay([key]).skipped == 1
    assert first.sweep().relayed == 0
    assert len(hooks.sent) == 1


def test_an_event_another_relay_holds_is_left_to_it(clock: Clock) -> None:
    store, hooks = FakeOutbox(), Hooks(["a"])
    key = store.store(event())
    assert store.claim(key, clock(), clock() + timedelta(seconds=30)) is not None
    assert Relay([hooks], store, lease_s=30, clock=clock).relay([key]).skipped == 1
    assert hooks.sent == []


def test_a_relay_killed_mid_delivery_is_taken_over_without_repeating_a_step(
    clock: Clock,
) -> None:
    store, hooks = FakeOutbox(), Hooks(["a", "b", "c"])
    key = store.store(event())
    hooks.die_after = 2  # sent to a (marked) and b (not marked), then killed
    with pytest.raises(Killed):
        Relay([hooks], store, lease_s=30, clock=clock).relay([key])
    hooks.die_after = None
    backstop = Relay([hooks], store, lease_s=30, clock=clock)
    assert backstop.sweep().relayed == 0, "the dead relay's lease still holds"
    clock.advance(31)
    assert backstop.sweep().relayed == 1
    # b was sent but not marked when the relay died: at least once, never lost;
    # a (marked) is not repeated.
    assert [hook for _, hook in hooks.sent] == ["a", "b", "b", "c"]
    assert store.items == {}


def test_a_failed_delivery_is_retried_later_with_a_growing_delay_never_dropped(
    clock: Clock,
) -> None:
    store, hooks = FakeOutbox(), Hooks(["a"])
    key = store.store(event())
    hooks.fail_next = ConnectionError("queue unreachable")
    relay_ = Relay([hooks], store, lease_s=30, clock=clock)
    outcome = relay_.relay([key])
    assert outcome.failed == 1
    assert "queue unreachable" in outcome.errors[0]
    assert store.items[key].last_error == "ConnectionError: queue unreachable"
    assert relay_.sweep(grace_s=0).relayed == 0, "waits for its retry delay"
    clock.advance(retry_delay(1).total_seconds() + 1)
    assert relay_.sweep(grace_s=0).relayed == 1
    assert len(hooks.sent) == 1
    assert store.items == {}


def test_the_sweep_leaves_young_events_to_the_relay_after_their_commit(clock: Clock) -> None:
    store, hooks = FakeOutbox(), Hooks(["a"])
    store.store(DomainEvent("video.ready", "d", {}, occurred_at=clock()))
    sweeper = Relay([hooks], store, lease_s=30, clock=clock)
    assert sweeper.sweep(grace_s=5).relayed == 0
    clock.advance(6)
    assert sweeper.sweep(grace_s=5).relayed == 1


def test_retry_delays_grow_and_are_capped() -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays == sorted(delays)
    assert delays[0] == 2
    assert delays[-1] == relay.MAX_RETRY_DELAY_S


def test_one_failing_event_does_not_hold_up_the_others(clock: Clock) -> None:
    store = FakeOutbox()
    hooks = Hooks(["a"])
    keys = [store.store(event()) for _ in range(3)]
    hooks.fail_next = RuntimeError("a bug in a subscriber")
    outcome = Relay([hooks], store, lease_s=30, clock=clock).relay(keys)
    assert (outcome.relayed, outcome.failed) == (2, 1)


def test_a_subscriber_that_finished_is_skipped_when_another_failed(clock: Clock) -> None:
    store = FakeOutbox()
    first, second = Hooks(["x"]), Hooks(["y"])
    second.name = "second"
    key = store.store(event())
    second.fail_next = ConnectionError("down")
    relay_ = Relay([first, second], store, lease_s=30, clock=clock)
    relay_.relay([key])
    clock.advance(10)
    relay_.sweep(grace_s=0)
    assert len(first.sent) == 1
    assert len(second.sent) == 1


def test_the_stream_batch_yields_only_new_outbox_items() -> None:
    def record(name: str, pk: str, sk: str) -> dict[str, Any]:
        return {
            "eventName": name,
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "Keys": {"pk": {"S": pk}, "sk": {"S": sk}},
                "SequenceNumber": "1",
                "StreamViewType": "KEYS_ONLY",
            },
        }

    batch = {
        "Records": [
            record("INSERT", f"{OUTBOX_PREFIX}1", "2025#evt_1"),
            record("REMOVE", f"{OUTBOX_PREFIX}1", "2025#evt_1"),
            record("MODIFY", f"{OUTBOX_PREFIX}2", "2025#evt_2"),
            record("INSERT", "VIDEO#v1", "META"),
            record("INSERT", f"{OUTBOX_PREFIX}3", "2025#evt_3"),
        ]
    }
    assert stream_keys(batch) == [
        (f"{OUTBOX_PREFIX}1", "2025#evt_1"),
        (f"{OUTBOX_PREFIX}3", "2025#evt_3"),
    ]


class RecordingTransaction:
    def __init__(self) -> None:
        self.saved: list[tuple[Any, Any]] = []

    def save(self, model: Any, condition: Any = None) -> None:
        self.saved.append((model, condition))


def test_add_puts_the_event_into_the_transaction_and_remembers_it_for_the_flush() -> None:
    outbox.take_written()
    tx = RecordingTransaction()
    happened = event("review.approved")
    outbox.add(cast(TransactWrite, tx), happened)
    [(record, condition)] = tx.saved
    assert isinstance(record, OutboxRecord)
    assert record.event() == happened
    assert condition is not None, "an event id is written once"
    assert outbox.take_written() == [outbox_key(happened)]
    assert outbox.take_written() == []


def test_events_spread_over_the_outbox_shards_and_sort_by_time() -> None:
    keys = [outbox_key(event()) for _ in range(200)]
    assert {pk for pk, _ in keys} == {f"{OUTBOX_PREFIX}{n}" for n in range(4)}
    first, later = event(), event()
    assert outbox_key(first)[1] < outbox_key(later)[1] or first.occurred_at == later.occurred_at


def test_flush_without_subscribers_leaves_the_events_for_them() -> None:
    outbox.take_written()
    installed = relay.installed().subscribers
    relay.install(())
    try:
        outbox.add(cast(TransactWrite, RecordingTransaction()), event())
        assert relay.flush().relayed == 0
        assert outbox.take_written() == [], "the flush forgets them; the sweep finds them stored"
    finally:
        relay.install(installed)
