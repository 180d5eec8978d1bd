"""The fair-share decision: a district's running jobs as leases, a full share refused;
the registry's shares leave room for the other districts."""

from __future__ import annotations

from chalicelib.config import get_settings
from chalicelib.jobs.fairness import next_holders
from chalicelib.jobs.queues import work_queue, work_queues

NOW = 1_000.0


def test_a_place_is_taken_while_the_share_has_room() -> None:
    assert next_holders({}, "m1", 60, share=2, now=NOW) == {"m1": NOW + 60}
    assert next_holders({"m1": NOW + 5}, "m2", 60, share=2, now=NOW) == {
        "m1": NOW + 5,
        "m2": NOW + 60,
    }


def test_a_full_share_refuses_a_newcomer_but_renews_a_holder() -> None:
    full = {"m1": NOW + 5, "m2": NOW + 9}
    assert next_holders(full, "m3", 60, share=2, now=NOW) is None
    assert next_holders(full, "m1", 60, share=2, now=NOW) == {"m1": NOW + 60, "m2": NOW + 9}


def test_a_dead_workers_lease_ends_and_frees_its_place() -> None:
    leases = {"dead": NOW - 1, "m2": NOW + 9}
    assert next_holders(leases, "m3", 60, share=2, now=NOW) == {"m2": NOW + 9, "m3": NOW + 60}


def test_giving_back_a_place_removes_only_that_holder() -> None:
    leases = {"m1": NOW + 5, "m2": NOW + 9}
    assert next_holders(leases, "m1", None, share=0, now=NOW) == {"m2": NOW + 9}
    assert next_holders(leases, "gone", None, share=0, now=NOW) == leases


def test_a_capped_queue_keeps_room_beyond_any_one_districts_share() -> None:
    for queue in work_queues(get_settings()).values():
        if queue.district_share and queue.max_concurrency:
            assert queue.district_share < queue.max_concurrency, queue.key
    # A delivery stuck in a slow receiver holds only its own invocation, not a batch of
    # other districts' deliveries queued behind it.
    assert work_queue("webhook", get_settings()).batch_size == 1
