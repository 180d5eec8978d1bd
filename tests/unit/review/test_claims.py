"""A claim is live only while it has not lapsed; the status a reviewer sees follows."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.db.base import utcnow
from chalicelib.review.models import ReviewRecord, ReviewStatus
from chalicelib.review.views import effective_status, live_claim


def _item(status: ReviewStatus, claimed_by: str | None, expires_in_s: float | None) -> ReviewRecord:
    expires = utcnow() + timedelta(seconds=expires_in_s) if expires_in_s is not None else None
    return ReviewRecord(
        "REVIEW#r", "META", status=status.value, claimed_by=claimed_by, claim_expires_at=expires
    )


def test_a_live_claim_means_in_review() -> None:
    item = _item(ReviewStatus.PENDING, "ana", 60)
    assert live_claim(item)
    assert effective_status(item) is ReviewStatus.IN_REVIEW


def test_a_lapsed_claim_is_pending_again() -> None:
    item = _item(ReviewStatus.PENDING, "ana", -1)
    assert not live_claim(item)
    assert effective_status(item) is ReviewStatus.PENDING


def test_unclaimed_and_decided_items_keep_their_status() -> None:
    assert effective_status(_item(ReviewStatus.PENDING, None, None)) is ReviewStatus.PENDING
    # A decided item's leftover claim fields never make it look in review.
    assert effective_status(_item(ReviewStatus.APPROVED, "ana", 60)) is ReviewStatus.APPROVED
