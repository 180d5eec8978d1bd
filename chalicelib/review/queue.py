"""Reading the queue: pages by status, school and element, and the stats. Queries only."""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any

from chalicelib.auth.principal import Principal
from chalicelib.db.base import utcnow
from chalicelib.db.pagination import decode_cursor, encode_cursor
from chalicelib.review.access import require_reviewer
from chalicelib.review.models import (
    STORED_STATUSES,
    DecisionRecord,
    ReviewCounter,
    ReviewRecord,
    ReviewStatus,
    decisions_partition,
    queue_partition,
    school_queue_partition,
    stats_partition,
)
from chalicelib.review.schemas import QueueQuery, ReviewStats

STATS_WINDOW = timedelta(days=30)


def list_queue(principal: Principal, query: QueueQuery) -> tuple[list[ReviewRecord], str | None]:
    """Oldest first. A Query on the status partition (per school when filtered), never a Scan."""
    require_reviewer(principal)
    status = ReviewStatus(query.status)
    stored = ReviewStatus.PENDING if status is ReviewStatus.IN_REVIEW else status
    now = utcnow()
    condition: Any = None
    if status is ReviewStatus.PENDING:
        condition = ReviewRecord.claimed_by.does_not_exist() | (
            ReviewRecord.claim_expires_at <= now
        )
    elif status is ReviewStatus.IN_REVIEW:
        condition = ReviewRecord.claim_expires_at > now
    if query.element:
        element = ReviewRecord.elements.contains(query.element)
        condition = element if condition is None else condition & element
    if query.school:
        index: Any = ReviewRecord.by_school_queue
        partition = school_queue_partition(principal.district, query.school, stored)
        cursor_field = "gsi3pk"
    else:
        index = ReviewRecord.by_queue
        partition = queue_partition(principal.district, stored)
        cursor_field = "gsi2pk"
    results = index.query(
        partition,
        filter_condition=condition,
        limit=query.limit,
        last_evaluated_key=decode_cursor(query.cursor, must_match={cursor_field: partition}),
    )
    items = list(results)
    return items, encode_cursor(results.last_evaluated_key if len(items) == query.limit else None)


def stats(principal: Principal) -> ReviewStats:
    require_reviewer(principal)
    district = principal.district
    now = utcnow()
    by_status = {s.value: 0 for s in (*STORED_STATUSES, ReviewStatus.IN_REVIEW)}
    by_element: dict[str, dict[str, int]] = {}
    by_reviewer: dict[str, dict[str, int]] = {}
    for counter in ReviewCounter.query(stats_partition(district), consistent_read=True):
        kind, _, rest = counter.sk.partition("#")
        count = int(counter.n or 0)
        if kind == "STATUS":
            by_status[rest] = count
        elif kind == "ELEMENT":
            element, _, status = rest.rpartition("#")
            if count:
                by_element.setdefault(element, {})[status] = count
        elif kind == "REVIEWER":
            reviewer, _, decision = rest.rpartition("#")
            by_reviewer.setdefault(reviewer, {})[decision] = count
    pending = queue_partition(district, ReviewStatus.PENDING)
    in_review = ReviewRecord.by_queue.count(
        pending, filter_condition=ReviewRecord.claim_expires_at > now
    )
    by_status[ReviewStatus.IN_REVIEW.value] = in_review
    by_status[ReviewStatus.PENDING.value] = max(
        0, by_status[ReviewStatus.PENDING.value] - in_review
    )
    oldest = next(iter(ReviewRecord.by_queue.query(pending, limit=1)), None)
    since = (now - STATS_WINDOW).isoformat()
    durations = [
        float(d.seconds)
        for d in DecisionRecord.query(
            decisions_partition(district), DecisionRecord.sk > since, consistent_read=True
        )
    ]
    return ReviewStats(
        by_status=by_status,
        oldest_pending_age_s=(
            round((now - oldest.submitted_at).total_seconds(), 3) if oldest else None
        ),
        median_decision_s_30d=round(statistics.median(durations), 3) if durations else None,
        decisions_30d=len(durations),
        by_element=by_element,
        by_reviewer=by_reviewer,
    )
