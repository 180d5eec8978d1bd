"""The review state machine: nominate, claim, release, approve, reject, unpublish.

    pending ──claim──▶ in_review ──approve──▶ approved ──unpublish──▶ unpublished
       ▲                  │ └──────reject───▶ rejected (the nominator may renominate)
       └─release / lapse──┘
    pending / in_review ──consent withdrawn──▶ withdrawn
    approved ──consent withdrawn──▶ unpublished

Every transition is one DynamoDB transaction (chalicelib/review/transitions.py):
the item (guarded by its version, so of two concurrent claims exactly one
wins), the clip's copy of the status, the counters behind the stats, and on
approval the library entries. Nothing is ever half-moved.
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal, Role
from chalicelib.clips.access import require_curator, visible_clip
from chalicelib.clips.models import ClipRecord, ClipStatus
from chalicelib.clips.redacted import RedactionRecord, RedactionStatus
from chalicelib.config import Settings
from chalicelib.db.base import (
    is_conditional_check_failure,
    is_transaction_conflict,
    transaction,
    utcnow,
)
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.events import outbox
from chalicelib.events.models import DomainEvent
from chalicelib.framework import service as framework
from chalicelib.library import service as library
from chalicelib.library.models import LibraryEntry
from chalicelib.review import checklist as checklists
from chalicelib.review import rules, transitions
from chalicelib.review.access import (
    ConsentRequired,
    consent_problem,
    library_consent_holds,
    visible_item,
)
from chalicelib.review.models import (
    CheckAttr,
    ReviewRecord,
    ReviewStatus,
    new_review_id,
)
from chalicelib.review.schemas import (
    ApproveRequest,
    NominateRequest,
    RejectRequest,
)
from chalicelib.review.views import live_claim
from chalicelib.videos.models import VideoRecord


def nominate(
    principal: Principal,
    clip_id: str,
    request: NominateRequest,
    settings: Settings,
    *,
    review_id: str | None = None,
) -> ReviewRecord:
    """``review_id``: the caller's own (a hand-off that may run twice names its nomination)."""
    clip, video = visible_clip(principal, clip_id)
    if video is None:
        raise ConsentRequired(consent_problem(None) or "", field="clip_id")
    require_curator(principal, video)
    rules.check_clip_ready(clip)
    redaction = RedactionRecord.load(clip.clip_id)
    ready = redaction is not None and redaction.status_enum is RedactionStatus.READY
    problem = consent_problem(video, faces_blurred=ready)
    if problem is not None:
        raise ConsentRequired(problem, field="consent_to_library")
    rules.check_not_nominated(clip)
    elements = framework.check_tags(principal.district, request.elements, field="elements")
    now = utcnow()
    review_id = review_id or new_review_id()
    item = ReviewRecord(
        *ReviewRecord.key(review_id),
        review_id=review_id,
        clip_id=clip.clip_id,
        video_id=clip.video_id,
        district=clip.district,
        school=clip.school,
        title=clip.title,
        note=request.note,
        elements=elements,
        status=ReviewStatus.PENDING.value,
        nominated_by=principal.user_id,
        submitted_at=now,
        history=[transitions.transition_attr(principal, None, ReviewStatus.PENDING, request.note)],
    ).index_keys()
    # Only one open nomination per clip: the clip's copy of the status decides.
    open_nomination = ClipRecord.review_status.is_in(
        ReviewStatus.PENDING.value, ReviewStatus.APPROVED.value
    )
    nominated = DomainEvent(
        "review.nominated",
        item.district,
        {
            "review_id": review_id,
            "clip_id": clip.clip_id,
            "video_id": clip.video_id,
            "elements": elements,
        },
    )

    def body(tx: TransactWrite) -> None:
        tx.save(item, condition=ReviewRecord.pk.does_not_exist())
        transitions.clip_update(
            tx,
            clip.clip_id,
            [
                ClipRecord.review_id.set(review_id),
                ClipRecord.review_ids.set((ClipRecord.review_ids | []).append([review_id])),
                ClipRecord.review_status.set(ReviewStatus.PENDING.value),
                ClipRecord.review_reason.remove(),
            ],
            condition=~open_nomination,
        )
        transitions.count(tx, item.district, ReviewStatus.PENDING, 1, elements)
        # Consent withdrawn (or students flagged) after the check above: no nomination.
        tx.condition_check(
            VideoRecord,
            *VideoRecord.key(clip.video_id),
            condition=library_consent_holds(faces_blurred=ready),
        )
        outbox.add(tx, nominated)

    def conflict(exc: Exception) -> None:
        problem = consent_problem(VideoRecord.load(clip.video_id), faces_blurred=ready)
        if problem is not None:
            raise ConsentRequired(problem, field="consent_to_library") from exc
        raise Conflict("This clip was nominated a moment ago", field="clip_id") from exc

    transitions.run(body, conflict)
    audit.record(
        principal,
        audit.Event(AuditAction.CLIP_NOMINATED, item.district, item.video_id, clip.clip_id),
    )
    return item


def claim(principal: Principal, review_id: str, settings: Settings) -> ReviewRecord:
    item = visible_item(principal, review_id)
    now = utcnow()
    rules.check_claimable(principal, item, now)
    claimed = DomainEvent(
        "review.claimed",
        item.district,
        {
            "review_id": item.review_id,
            "clip_id": item.clip_id,
            "video_id": item.video_id,
            "claimed_by": principal.user_id,
        },
    )
    try:
        # The version read above guards the write: of concurrent claims, one wins.
        outbox.update(
            item,
            [
                ReviewRecord.claimed_by.set(principal.user_id),
                ReviewRecord.claim_expires_at.set(
                    now + timedelta(seconds=settings.review_claim_ttl_s)
                ),
                ReviewRecord.history.set(
                    (ReviewRecord.history | []).append(
                        [
                            transitions.transition_attr(
                                principal, ReviewStatus.PENDING, ReviewStatus.IN_REVIEW, None
                            )
                        ]
                    )
                ),
            ],
            claimed,
            condition=ReviewRecord.status == ReviewStatus.PENDING.value,
        )
    except TransactWriteError as exc:
        # A failed condition, or a concurrent claim's transaction winning the race.
        if not is_transaction_conflict(exc):
            raise
        current = ReviewRecord.load(review_id)
        if current is not None and live_claim(current) and current.claimed_by != principal.user_id:
            raise rules.already_claimed(current) from exc
        raise Conflict(
            "This item changed while you claimed it; reload it", field="review_id"
        ) from exc
    return transitions.reloaded(item)


def _held_item(principal: Principal, review_id: str) -> ReviewRecord:
    """An item the caller holds a live claim on (approve, reject, release need one)."""
    item = visible_item(principal, review_id)
    rules.check_held(principal, item, utcnow())
    return item


def release(principal: Principal, review_id: str) -> ReviewRecord:
    item = visible_item(principal, review_id)
    admin_override = principal.has_role(Role.ADMIN) and live_claim(item)
    if not admin_override:
        item = _held_item(principal, review_id)
    try:
        item.update(
            actions=[
                ReviewRecord.claimed_by.remove(),
                ReviewRecord.claim_expires_at.remove(),
                ReviewRecord.history.set(
                    (ReviewRecord.history | []).append(
                        [
                            transitions.transition_attr(
                                principal, ReviewStatus.IN_REVIEW, ReviewStatus.PENDING, None
                            )
                        ]
                    )
                ),
            ],
            condition=ReviewRecord.status == ReviewStatus.PENDING.value,
        )
    except UpdateError as exc:
        if is_conditional_check_failure(exc):
            raise Conflict("This item changed meanwhile; reload it", field="review_id") from exc
        raise
    return item


def approve(
    principal: Principal, review_id: str, request: ApproveRequest, settings: Settings
) -> ReviewRecord:
    item = _held_item(principal, review_id)
    in_force = checklists.current(item.district)
    rules.check_checklist_version(in_force, request.checklist_version)
    rules.check_checklist(request.checklist, in_force)
    clip = ClipRecord.load(item.clip_id)
    video = VideoRecord.load(item.video_id)
    if clip is None or clip.status_enum is not ClipStatus.READY:
        raise Conflict("The clip is no longer available", field="review_id")
    # A clip with a redaction (asked for because students without media consent appear)
    # is published only as its redacted version, once a reviewer signed that version off;
    # the library entries then name its renditions and poster only.
    signed = RedactionRecord.load(clip.clip_id)
    rules.check_redaction_signed_off(signed)
    problem = consent_problem(video, faces_blurred=signed is not None)
    if problem is not None:
        raise ConsentRequired(problem + "; it cannot be published", field="consent_to_library")
    now = utcnow()
    entries = library.entries_for(
        clip,
        library.Approval(
            review_id=item.review_id,
            note=item.note,
            elements=list(item.elements or []),
            approved_by=principal.user_id,
            approved_at=now,
        ),
        signed,
    )
    transitions.decide(
        principal,
        item,
        ReviewStatus.APPROVED,
        [
            ReviewRecord.checklist.set(
                [CheckAttr(key=k, passed=bool(request.checklist[k])) for k in in_force.keys]
            ),
            ReviewRecord.checklist_version.set(in_force.version),
            ReviewRecord.decision_note.set(request.note)
            if request.note
            else ReviewRecord.decision_note.remove(),
        ],
        [
            ClipRecord.published.set(True),
            ClipRecord.published_at.set(now),
            ClipRecord.review_reason.remove(),
        ],
        request.note,
        extra=lambda tx: _publish(tx, entries, item.video_id, signed),
        explain_conflict=lambda exc: _consent_changed(item.video_id, exc),
        events=[
            DomainEvent(
                "review.approved",
                item.district,
                {"review_id": item.review_id, "clip_id": item.clip_id, "video_id": item.video_id},
            ),
            DomainEvent(
                "library.published",
                item.district,
                {
                    "clip_id": item.clip_id,
                    "video_id": item.video_id,
                    "elements": list(item.elements or []),
                },
            ),
        ],
    )
    audit.record_many(
        principal,
        [
            audit.Event(action, item.district, item.video_id, item.clip_id, subject=item.review_id)
            for action in (AuditAction.REVIEW_APPROVED, AuditAction.LIBRARY_PUBLISHED)
        ],
    )
    return transitions.reloaded(item)


def _publish(
    tx: TransactWrite,
    entries: list[LibraryEntry],
    video_id: str,
    redaction: RedactionRecord | None = None,
) -> None:
    for entry in entries:
        tx.save(entry)
    # Consent is checked again inside the transaction: a withdrawal that lands
    # between the read above and this write makes the approval fail, never
    # publish a clip whose recording lost its consent.
    blurred = redaction is not None
    tx.condition_check(
        VideoRecord,
        *VideoRecord.key(video_id),
        condition=library_consent_holds(faces_blurred=blurred),
    )
    if redaction is not None:
        # ... nor a redaction changed after its sign-off.
        tx.condition_check(
            RedactionRecord,
            *RedactionRecord.key(redaction.clip_id),
            condition=RedactionRecord.version == redaction.version,
        )


def _consent_changed(video_id: str, exc: Exception) -> None:
    problem = consent_problem(VideoRecord.load(video_id))
    if problem is not None:
        raise ConsentRequired(
            problem + "; it cannot be published", field="consent_to_library"
        ) from exc


def reject(principal: Principal, review_id: str, request: RejectRequest) -> ReviewRecord:
    item = _held_item(principal, review_id)
    transitions.decide(
        principal,
        item,
        ReviewStatus.REJECTED,
        [ReviewRecord.reject_reason.set(request.reason)],
        [ClipRecord.review_reason.set(request.reason)],
        request.reason,
        events=[
            DomainEvent(
                "review.rejected",
                item.district,
                {
                    "review_id": item.review_id,
                    "clip_id": item.clip_id,
                    "video_id": item.video_id,
                    "reason": request.reason,
                },
            )
        ],
    )
    audit.record(
        principal,
        audit.Event(
            AuditAction.REVIEW_REJECTED,
            item.district,
            item.video_id,
            item.clip_id,
            subject=item.review_id,
        ),
    )
    return transitions.reloaded(item)


def unpublish(principal: Principal, clip_id: str, reason: str) -> ReviewRecord:
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only a district admin can unpublish a library clip")
    clip = ClipRecord.load(clip_id)
    if clip is None or clip.district != principal.district or not clip.published:
        raise NotFound("No such clip in your district's library")
    item = ReviewRecord.load(clip.review_id or "")
    if item is None or item.status != ReviewStatus.APPROVED.value:
        raise Conflict("This clip's review is not in the approved state", field="clip_id")
    unpublished = DomainEvent(
        "library.unpublished",
        item.district,
        {"clip_id": clip_id, "video_id": item.video_id, "reason": reason},
    )
    _take_out(principal, clip, item, ReviewStatus.UNPUBLISHED, reason, unpublished)
    audit.record(
        principal,
        audit.Event(AuditAction.LIBRARY_UNPUBLISHED, item.district, item.video_id, clip_id),
    )
    return transitions.reloaded(item)


def withdraw(principal: Principal, clip: ClipRecord, reason: str) -> ReviewRecord | None:
    """The recording's consent changed: its clip leaves the queue, or the library, at once.

    A pending (or claimed) nomination becomes ``withdrawn``; a published clip is
    unpublished. Only a new nomination and review bring it back. Returns the
    item it moved, or None when the clip had nothing open.
    """
    item = ReviewRecord.load(clip.review_id or "")
    if item is None:
        return None
    target = rules.withdrawal_target(ReviewStatus(item.status))
    if target is None:
        return None
    moved = DomainEvent(
        "library.unpublished" if target is ReviewStatus.UNPUBLISHED else "review.withdrawn",
        item.district,
        {"clip_id": clip.clip_id, "video_id": item.video_id, "reason": reason},
    )
    _take_out(principal, clip, item, target, reason, moved)
    actions = [AuditAction.REVIEW_WITHDRAWN]
    if target is ReviewStatus.UNPUBLISHED:
        actions.append(AuditAction.LIBRARY_UNPUBLISHED)
    audit.record_many(
        principal,
        [
            audit.Event(action, item.district, item.video_id, clip.clip_id, subject=reason)
            for action in actions
        ],
    )
    return transitions.reloaded(item)


def _take_out(
    principal: Principal,
    clip: ClipRecord,
    item: ReviewRecord,
    to: ReviewStatus,
    reason: str,
    event: DomainEvent,
) -> None:
    """pending → withdrawn, or approved → unpublished (library entries deleted), atomically."""
    was = ReviewStatus(item.status)
    entries = library.entries_of(clip) if was is ReviewStatus.APPROVED else []
    shown = ReviewStatus.IN_REVIEW if live_claim(item) else was
    transition = transitions.transition_attr(principal, shown, to, reason)

    def body(tx: TransactWrite) -> None:
        tx.update(
            item,
            actions=[
                *item.move_actions(to),
                ReviewRecord.unpublish_reason.set(reason),
                ReviewRecord.claimed_by.remove(),
                ReviewRecord.claim_expires_at.remove(),
                ReviewRecord.history.set((ReviewRecord.history | []).append([transition])),
            ],
            condition=ReviewRecord.status == was.value,
        )
        transitions.clip_update(
            tx,
            clip.clip_id,
            [
                ClipRecord.published.set(False),
                ClipRecord.published_at.remove(),
                ClipRecord.review_status.set(to.value),
                ClipRecord.review_reason.set(reason),
            ],
        )
        transitions.move_counts(tx, item, was, to)
        for entry in entries:
            tx.delete(entry)
        outbox.add(tx, event)

    def conflict(exc: Exception) -> None:
        raise Conflict("The clip changed meanwhile; reload it", field="clip_id") from exc

    transitions.run(body, conflict)


def get_item(principal: Principal, review_id: str) -> ReviewRecord:
    return visible_item(principal, review_id)


def forget_reviews(clip: ClipRecord) -> int:
    """Delete a clip's review items (its video is being deleted), keeping the stats true."""
    deleted = 0
    for review_id in clip.review_ids or []:
        item = ReviewRecord.load(review_id)
        if item is None:
            continue
        with transaction() as tx:
            tx.delete(item, add_version_condition=False)
            transitions.count(
                tx, item.district, ReviewStatus(item.status), -1, list(item.elements or [])
            )
        deleted += 1
    return deleted
