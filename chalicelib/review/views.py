"""What a review item looks like to a reviewer: status, claim, history, the clip."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from chalicelib.auth.principal import Principal
from chalicelib.clips.media import redactions_of, shown_media
from chalicelib.clips.models import ClipRecord
from chalicelib.clips.redacted import RedactionRecord
from chalicelib.clips.service import clip_view
from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.review.access import consent_problem
from chalicelib.review.models import ReviewRecord, ReviewStatus
from chalicelib.review.schemas import RecordingView, ReviewItemView, TransitionView
from chalicelib.videos.models import VideoRecord

DECISIONS = (ReviewStatus.APPROVED.value, ReviewStatus.REJECTED.value)
CONSENTED = (
    "The teacher agreed to share this recording in the district library, and no students "
    "without media consent are marked as appearing in it"
)


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


def recording_view(video: VideoRecord) -> RecordingView:
    problem = consent_problem(video)
    privacy = problem or CONSENTED
    if video.legal_hold:
        privacy += "; the recording is under a legal hold"
    return RecordingView(
        teacher_id=video.owner_id,
        teacher_name=video.owner_name,
        school=video.school,
        consent_to_library=bool(video.consent_to_library),
        contains_students_without_consent=bool(video.contains_students_without_consent),
        legal_hold=bool(video.legal_hold),
        privacy=privacy + ".",
    )


def _name_of(item: ReviewRecord, user_id: str | None) -> str | None:
    """The name a transition recorded for ``user_id``, the latest one."""
    for transition in reversed(item.history or []):
        if transition.by == user_id and transition.by_name:
            return str(transition.by_name)
    return None


def item_view(
    principal: Principal,
    item: ReviewRecord,
    settings: Settings,
    clip: ClipRecord | None = None,
    video: VideoRecord | None = None,
    redactions: Mapping[str, RedactionRecord] | None = None,
) -> ReviewItemView:
    """The item as ``principal`` sees it: its clip's media as they may be shown it (a
    reviewer sees a clip showing students without media consent only redacted)."""
    clip = clip if clip is not None else ClipRecord.load(item.clip_id)
    video = video if video is not None else VideoRecord.load(item.video_id)
    claimed = live_claim(item)
    decided = item.decided_at if item.status in DECISIONS else None
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
        nominated_by_name=_name_of(item, item.nominated_by),
        submitted_at=item.submitted_at,
        age_s=round((utcnow() - item.submitted_at).total_seconds(), 3),
        claimed_by=item.claimed_by if claimed else None,
        claim_expires_at=item.claim_expires_at if claimed else None,
        decided_by=item.decided_by,
        decided_by_name=_name_of(item, item.decided_by),
        decided_at=item.decided_at,
        decision_age_s=(
            round((decided - item.submitted_at).total_seconds(), 3) if decided else None
        ),
        checklist={c.key: bool(c.passed) for c in item.checklist} if item.checklist else None,
        checklist_version=(int(item.checklist_version or 0) if item.checklist else None),
        decision_note=item.decision_note,
        reject_reason=item.reject_reason,
        unpublish_reason=item.unpublish_reason,
        history=[
            TransitionView(
                at=t.at,
                by=t.by,
                by_name=t.by_name,
                by_role=t.by_role,
                from_status=t.from_status,
                to_status=t.to_status,
                note=t.note,
            )
            for t in item.history or []
        ],
        clip=(
            clip_view(clip, shown_media(principal, clip, video, redactions), settings)
            if clip is not None
            else None
        ),
        recording=recording_view(video) if video is not None else None,
    )


def item_views(
    principal: Principal, items: list[ReviewRecord], settings: Settings
) -> list[ReviewItemView]:
    """Views of a queue page, its clips, recordings and redactions read in BatchGetItems,
    not one by one."""
    keys = list({ClipRecord.key(item.clip_id) for item in items})
    clips = {clip.clip_id: clip for clip in ClipRecord.batch_get(keys)} if keys else {}
    video_keys = list({VideoRecord.key(item.video_id) for item in items})
    videos = {v.video_id: v for v in VideoRecord.batch_get(video_keys)} if video_keys else {}
    redactions = redactions_of(list(clips))
    return [
        item_view(
            principal,
            item,
            settings,
            clips.get(item.clip_id),
            videos.get(item.video_id),
            redactions,
        )
        for item in items
    ]
