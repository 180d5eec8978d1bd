"""The review state machine's rules as pure functions (no table; the clock is a parameter).

pending ──claim──▶ in_review ──approve──▶ approved ──unpublish──▶ unpublished
   ▲                  │ └──────reject───▶ rejected (the nominator may renominate)
   └─release / lapse──┘
pending / in_review ──consent withdrawn──▶ withdrawn
approved ──consent withdrawn──▶ unpublished
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from chalicelib.auth.principal import Principal
from chalicelib.clips.models import ClipRecord, ClipStatus
from chalicelib.errors import Conflict, Forbidden, InvalidInput
from chalicelib.review.access import AlreadyClaimed
from chalicelib.review.checklist import CHECKLIST_KEYS
from chalicelib.review.models import ReviewRecord, ReviewStatus
from chalicelib.review.views import live_claim

# Nominations that keep a clip from being nominated again.
OPEN_NOMINATION = (ReviewStatus.PENDING, ReviewStatus.APPROVED)


def check_clip_ready(clip: ClipRecord) -> None:
    if clip.status_enum is not ClipStatus.READY:
        raise Conflict("Only a ready clip can be nominated", field="clip_id")


def check_not_nominated(clip: ClipRecord) -> None:
    """A clip is in the queue or the library once at a time."""
    if clip.review_status in OPEN_NOMINATION:
        raise Conflict(
            "This clip is already nominated"
            if clip.review_status == ReviewStatus.PENDING
            else "This clip is already in the library",
            field="clip_id",
        )


def already_claimed(item: ReviewRecord) -> AlreadyClaimed:
    expires = item.claim_expires_at.isoformat() if item.claim_expires_at else None
    return AlreadyClaimed(
        f"{item.claimed_by} is reviewing this item",
        field="review_id",
        details={"claimed_by": item.claimed_by, "claim_expires_at": expires},
    )


def check_claimable(principal: Principal, item: ReviewRecord, now: datetime) -> None:
    """Pending, not one's own nomination, and not held by someone else's live claim."""
    if item.status != ReviewStatus.PENDING:
        raise Conflict(f"This item is already {item.status}", field="review_id")
    if item.nominated_by == principal.user_id:
        raise Forbidden("You cannot review a clip you nominated")
    if live_claim(item, now) and item.claimed_by != principal.user_id:
        raise already_claimed(item)


def check_held(principal: Principal, item: ReviewRecord, now: datetime) -> None:
    """Deciding on (or releasing) an item takes one's own live claim on it."""
    if item.status != ReviewStatus.PENDING:
        raise Conflict(f"This item is already {item.status}", field="review_id")
    if not live_claim(item, now):
        raise Conflict("Claim the item before deciding on it", field="review_id")
    if item.claimed_by != principal.user_id:
        raise already_claimed(item)


def check_checklist(checklist: Mapping[str, bool]) -> None:
    """Approval confirms every QC criterion, and nothing that is not one."""
    unknown = sorted(set(checklist) - set(CHECKLIST_KEYS))
    if unknown:
        raise InvalidInput(f"Not a QC criterion: {', '.join(unknown)}", field="checklist")
    unmet = [key for key in CHECKLIST_KEYS if not checklist.get(key)]
    if unmet:
        raise InvalidInput(
            "To approve, confirm every QC criterion; not confirmed: " + ", ".join(unmet),
            field="checklist",
        )


def withdrawal_target(current: ReviewStatus) -> ReviewStatus | None:
    """Where consent withdrawn moves an item: out of the queue, or out of the library."""
    if current is ReviewStatus.PENDING:
        return ReviewStatus.WITHDRAWN
    if current is ReviewStatus.APPROVED:
        return ReviewStatus.UNPUBLISHED
    return None
