"""What a review item looks like to a reviewer: status, claim, history, the clip."""

from __future__ import annotations

from datetime import datetime

from chalicelib.clips.models import ClipRecord
from chalicelib.clips.service import clip_view
from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.review.models import ReviewRecord, ReviewStatus
from chalicelib.review.schemas import ReviewItemView, TransitionView


def live_claim(item: ReviewRecord, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return bool(
        item.status == ReviewStatus.PENDING.value
        and item.claimed_by
        and item.claim_expires_at is not None
        and item.claim_expires_at > now
    )


def effective_status(item: ReviewRecord) -> ReviewStatus:
    return ReviewStatus.IN_REVIEW if live_claim(item) else ReviewStatus(item.status)


def item_view(
    item: ReviewRecord, settings: Settings, clip: ClipRecord | None = None
) -> ReviewItemView:
    clip = clip if clip is not None else ClipRecord.load(item.clip_id)
    claimed = live_claim(item)
    return ReviewItemView(
        id=item.review_id,
        clip_id=item.clip_id,
        video_id=item.video_id,
        school=item.school,
        title=item.title,
        note=item.note,
        elements=list(item.elements or []),
        status=effective_status(item).value,
        nominated_by=item.nominated_by,
        submitted_at=item.submitted_at,
        age_s=round((utcnow() - item.submitted_at).total_seconds(), 3),
        claimed_by=item.claimed_by if claimed else None,
        claim_expires_at=item.claim_expires_at if claimed else None,
        decided_by=item.decided_by,
        decided_at=item.decided_at,
        checklist={c.key: bool(c.passed) for c in item.checklist} if item.checklist else None,
        checklist_version=(int(item.checklist_version or 0) if item.checklist else None),
        decision_note=item.decision_note,
        reject_reason=item.reject_reason,
        unpublish_reason=item.unpublish_reason,
        history=[
            TransitionView(
                at=t.at,
                by=t.by,
                by_role=t.by_role,
                from_status=t.from_status,
                to_status=t.to_status,
                note=t.note,
            )
            for t in item.history or []
        ],
        clip=clip_view(clip, settings) if clip is not None else None,
    )


def item_views(items: list[ReviewRecord], settings: Settings) -> list[ReviewItemView]:
    """Views of a queue page, its clips read in one BatchGetItem rather than one by one."""
    keys = list({ClipRecord.key(item.clip_id) for item in items})
    clips = {clip.clip_id: clip for clip in ClipRecord.batch_get(keys)} if keys else {}
    return [item_view(item, settings, clips.get(item.clip_id)) for item in items]
