"""The review state machine's rules: nominate, claim, hold, approve, withdraw."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.auth.principal import Role
from chalicelib.clips.models import ClipRecord, ClipStatus
from chalicelib.errors import Conflict, Forbidden, InvalidInput
from chalicelib.review.access import AlreadyClaimed
from chalicelib.review.checklist import CHECKLIST_KEYS, Checklist, Criterion
from chalicelib.review.models import ReviewRecord, ReviewStatus
from chalicelib.review.rules import (
    check_checklist,
    check_checklist_version,
    check_claimable,
    check_clip_ready,
    check_held,
    check_not_nominated,
    withdrawal_target,
)
from tests.support.principals import person

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
ANA = person("ana", Role.REVIEWER)
BEN = person("ben", Role.REVIEWER)


def _item(
    status: ReviewStatus = ReviewStatus.PENDING,
    claimed_by: str | None = None,
    lapses_in_s: float = 600,
    nominated_by: str = "coach",
) -> ReviewRecord:
    return ReviewRecord(
        "REVIEW#r",
        "META",
        review_id="r",
        status=status,
        nominated_by=nominated_by,
        claimed_by=claimed_by,
        claim_expires_at=NOW + timedelta(seconds=lapses_in_s) if claimed_by else None,
    )


def _clip(status: ClipStatus = ClipStatus.READY, review: ReviewStatus | None = None) -> ClipRecord:
    return ClipRecord(
        "CLIP#c", "META", clip_id="c", status=status, review_status=review.value if review else None
    )


def test_only_a_ready_clip_outside_the_queue_and_library_is_nominated() -> None:
    check_clip_ready(_clip())
    with pytest.raises(Conflict, match="ready"):
        check_clip_ready(_clip(ClipStatus.PROCESSING))
    check_not_nominated(_clip())
    check_not_nominated(_clip(review=ReviewStatus.REJECTED))
    check_not_nominated(_clip(review=ReviewStatus.UNPUBLISHED))
    with pytest.raises(Conflict, match="already nominated"):
        check_not_nominated(_clip(review=ReviewStatus.PENDING))
    with pytest.raises(Conflict, match="already in the library"):
        check_not_nominated(_clip(review=ReviewStatus.APPROVED))


def test_a_pending_item_is_claimed_unless_someone_elses_claim_is_live() -> None:
    check_claimable(ANA, _item(), NOW)
    check_claimable(ANA, _item(claimed_by="ana"), NOW)  # renewing one's own claim
    check_claimable(ANA, _item(claimed_by="ben", lapses_in_s=-1), NOW)  # a lapsed claim
    with pytest.raises(AlreadyClaimed) as taken:
        check_claimable(ANA, _item(claimed_by="ben"), NOW)
    assert (taken.value.details or {})["claimed_by"] == "ben"


def test_nobody_reviews_their_own_nomination_or_a_decided_item() -> None:
    with pytest.raises(Forbidden):
        check_claimable(ANA, _item(nominated_by="ana"), NOW)
    with pytest.raises(Conflict, match="already approved"):
        check_claimable(ANA, _item(ReviewStatus.APPROVED), NOW)


def test_deciding_takes_ones_own_live_claim() -> None:
    check_held(ANA, _item(claimed_by="ana"), NOW)
    with pytest.raises(Conflict, match="Claim the item"):
        check_held(ANA, _item(), NOW)
    with pytest.raises(Conflict, match="Claim the item"):
        check_held(ANA, _item(claimed_by="ana", lapses_in_s=-1), NOW)
    with pytest.raises(AlreadyClaimed):
        check_held(BEN, _item(claimed_by="ana"), NOW)
    with pytest.raises(Conflict, match="already rejected"):
        check_held(ANA, _item(ReviewStatus.REJECTED, claimed_by="ana"), NOW)


def test_approval_confirms_every_criterion_and_nothing_else() -> None:
    check_checklist(dict.fromkeys(CHECKLIST_KEYS, True))
    with pytest.raises(InvalidInput, match=CHECKLIST_KEYS[-1]):
        check_checklist({**dict.fromkeys(CHECKLIST_KEYS, True), CHECKLIST_KEYS[-1]: False})
    with pytest.raises(InvalidInput, match="Not a QC criterion: looks_nice"):
        check_checklist({**dict.fromkeys(CHECKLIST_KEYS, True), "looks_nice": True})


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (ReviewStatus.PENDING, ReviewStatus.WITHDRAWN),
        (ReviewStatus.APPROVED, ReviewStatus.UNPUBLISHED),
        (ReviewStatus.REJECTED, None),
        (ReviewStatus.UNPUBLISHED, None),
        (ReviewStatus.WITHDRAWN, None),
    ],
)
def test_consent_withdrawn_takes_a_clip_out_of_the_queue_or_the_library(
    current: ReviewStatus, target: ReviewStatus | None
) -> None:
    assert withdrawal_target(current) is target


def test_an_approval_confirms_the_districts_checklist_version_in_force() -> None:
    edited = Checklist(2, (Criterion("consent_on_file", "Consent is on file"),))
    check_checklist({"consent_on_file": True}, edited)
    check_checklist_version(edited, None)
    check_checklist_version(edited, 2)
    with pytest.raises(Conflict):
        check_checklist_version(edited, 1)
    with pytest.raises(InvalidInput, match="Not a QC criterion: audio_intelligible"):
        check_checklist({"consent_on_file": True, "audio_intelligible": True}, edited)
