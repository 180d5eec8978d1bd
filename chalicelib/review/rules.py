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
from chalicelib.clips.redacted import RedactionRecord, RedactionStatus
from chalicelib.errors import Conflict, Forbidden
from chalicelib.review.access import AlreadyClaimed
from chalicelib.review.checklist import BUILT_IN, Checklist, check_confirmed
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


def check_redaction_signed_off(redaction: RedactionRecord | None) -> None:
    """A clip with a redaction is approved only once a reviewer has confirmed, against the
    redacted version that is ready now, that students' privacy is respected."""
    if redaction is None or redaction.signed_off:
        return
    if redaction.status_enum is not RedactionStatus.READY:
        raise Conflict(
            "Students' faces in this clip are still being blurred; approve it once the "
            "redacted version is ready and you have signed it off",
            field="review_id",
        )
    raise Conflict(
        "Watch the redacted version and confirm that students' privacy is respected "
        "before approving",
        field="review_id",
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


def check_checklist(checklist: Mapping[str, bool], version: Checklist = BUILT_IN) -> None:
    """Approval confirms every QC criterion of ``version``, and nothing that is not one."""
    check_confirmed(version, checklist)


def check_checklist_version(in_force: Checklist, confirmed_version: int | None) -> None:
    """The reviewer confirmed the version in force (a district may change it meanwhile)."""
    if confirmed_version is not None and confirmed_version != in_force.version:
        raise Conflict(
            f"The QC checklist changed (now version {in_force.version}); review it again",
            field="checklist_version",
        )


def withdrawal_target(current: ReviewStatus) -> ReviewStatus | None:
    """Where consent withdrawn moves an item: out of the queue, or out of the library."""
    if current is ReviewStatus.PENDING:
        return ReviewStatus.WITHDRAWN
    if current is ReviewStatus.APPROVED:
        return ReviewStatus.UNPUBLISHED
    return None
