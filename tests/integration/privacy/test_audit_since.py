"""GET /audit with an ancient ``since``: bounded queries, not one per calendar day."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from pynamodb.signals import pre_dynamodb_send

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal, Role
from chalicelib.errors import InvalidInput
from tests.support.api import Api

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("local_stack")]


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """DynamoDB Query calls made in this process (PynamoDB's own pre-send signal)."""
    calls: list[str] = []

    def count(_sender: Any, operation_name: str, **_: Any) -> None:
        if operation_name == "Query":
            calls.append(operation_name)

    pre_dynamodb_send.connect(count)
    try:
        yield calls
    finally:
        pre_dynamodb_send.disconnect(count)


def _admin(district: str) -> Principal:
    return Principal("admin-x", frozenset({Role.ADMIN}), district, None)


def _entries_on(district: str, days: list[date]) -> list[str]:
    """One entry per day, at noon; returns the video ids in order."""
    video_ids = []
    for day in days:
        video_id = f"vid_{day.isoformat()}_{secrets.token_hex(2)}"
        audit.record_many(
            audit.SYSTEM_ACTOR,
            [audit.Event(AuditAction.VIDEO_VIEWED, district, video_id=video_id)],
            at=datetime.combine(day, time(12), tzinfo=UTC),
        )
        video_ids.append(video_id)
    return video_ids


def _all_pages(district: str, since: date, limit: int, on_page: Callable[[int], None]) -> list[str]:
    found: list[str] = []
    cursor = None
    while True:
        with counted_queries() as queries:
            items, cursor = audit.district_page(
                _admin(district), since, None, cursor=cursor, limit=limit
            )
        on_page(len(queries))
        found += [str(item.video_id) for item in items]
        if cursor is None:
            return found


def test_an_ancient_since_costs_one_query_for_the_days_plus_one_per_active_day() -> None:
    district = f"district-aud-{secrets.token_hex(3)}"
    today = datetime.now(UTC).date()
    expected = _entries_on(district, [today - timedelta(days=n) for n in (400, 40, 3, 0)])
    query_counts: list[int] = []
    found = _all_pages(district, date(1900, 1, 1), 500, query_counts.append)
    assert found == expected
    assert query_counts == [1 + 4]


def test_a_sparse_trail_over_many_days_is_paged_with_bounded_queries() -> None:
    district = f"district-aud-{secrets.token_hex(3)}"
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=3 * n) for n in range(audit.MAX_DAYS_PER_PAGE + 9, -1, -1)]
    expected = _entries_on(district, days)
    query_counts: list[int] = []
    assert _all_pages(district, today - timedelta(days=5000), 1000, query_counts.append) == expected
    assert len(query_counts) == 2
    assert max(query_counts) <= 1 + audit.MAX_DAYS_PER_PAGE
    # Small pages across day boundaries: every entry exactly once, in order.
    assert _all_pages(district, date(2000, 1, 1), 3, query_counts.append) == expected


def test_over_http_an_ancient_since_answers_with_todays_entries(
    api_as: Callable[..., Api],
) -> None:
    district = f"district-aud-{secrets.token_hex(3)}"
    # Now, not at noon: the admin's own entry below must come after it at any hour.
    video_id = f"vid_now_{secrets.token_hex(2)}"
    audit.record_many(
        audit.SYSTEM_ACTOR, [audit.Event(AuditAction.VIDEO_VIEWED, district, video_id=video_id)]
    )
    admin = api_as("admin-x", Role.ADMIN, district=district, school=None)
    page = admin.ok("GET", "/audit", params={"since": "0001-01-01"})
    # The admin's first request also adds them to the district's directory (an entry of its own).
    assert [(item["action"], item["video_id"] or item["subject"]) for item in page["items"]] == [
        ("video.viewed", video_id),
        ("person.added", "admin-x"),
    ]
    assert page["next_cursor"] is None


def test_a_cursor_of_another_district_is_refused_even_between_days() -> None:
    ours, theirs = (f"district-aud-{secrets.token_hex(3)}" for _ in range(2))
    today = datetime.now(UTC).date()
    _entries_on(theirs, [today - timedelta(days=2), today - timedelta(days=1)])
    # One entry a page: the first page ends with its day, so its cursor names the next day.
    items, cursor = audit.district_page(
        _admin(theirs), date(2000, 1, 1), None, cursor=None, limit=1
    )
    assert len(items) == 1 and cursor is not None
    with pytest.raises(InvalidInput, match="does not belong"):
        audit.district_page(_admin(ours), date(2000, 1, 1), None, cursor=cursor, limit=1)
