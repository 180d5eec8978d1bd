"""The review state machine, as transactions.

    pending ──claim──▶ in_review ──approve──▶ approved ──unpublish──▶ unpublished
       ▲                  │ └──────reject───▶ rejected (the nominator may renominate)
       └─release / lapse──┘

Every transition is one DynamoDB transaction: the item (guarded by its version,
so of two concurrent claims exactly one wins), the clip's copy of the status,
the counters behind the stats, and on approval the library entries. Nothing
is ever half-moved.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.api.pagination import decode_cursor, encode_cursor
from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal, Role
from chalicelib.clips.access import require_curator, visible_clip
from chalicelib.clips.models import ClipRecord, ClipStatus
from chalicelib.clips.service import clip_view
from chalicelib.config import Settings
from chalicelib.db.base import (
    is_conditional_check_failure,
    is_transaction_conflict,
    transaction,
    utcnow,
)
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.framework import service as framework
from chalicelib.library import service as library
from chalicelib.review.checklist import CHECKLIST_KEYS
from chalicelib.review.models import (
    STORED_STATUSES,
    CheckAttr,
    DecisionRecord,
    ReviewCounter,
    ReviewRecord,
    ReviewStatus,
    TransitionAttr,
    decisions_partition,
    new_review_id,
    queue_partition,
    school_queue_partition,
    stats_partition,
)
from chalicelib.review.schemas import (
    ApproveRequest,
    NominateRequest,
    QueueQuery,
    RejectRequest,
    ReviewItemView,
    ReviewStats,
    TransitionView,
)
from chalicelib.videos.models import VideoRecord
from chalicelib.webhooks import events as webhook_events

DECISION_LOG_DAYS = 31
STATS_WINDOW = timedelta(days=30)


class ConsentRequired(Conflict):
    code = "consent_required"


class AlreadyClaimed(Conflict):
    code = "already_claimed"


def require_reviewer(principal: Principal) -> None:
    if not principal.has_role(Role.REVIEWER, Role.ADMIN):
        raise Forbidden("Only reviewers and district admins work the review queue")


def _visible_item(principal: Principal, review_id: str) -> ReviewRecord:
    require_reviewer(principal)
    item = ReviewRecord.load(review_id)
    if item is None or item.district != principal.district:
        raise NotFound("Review item not found")
    return item


def consent_problem(video: VideoRecord | None) -> str | None:
    """Why this recording may not go to the library, or None."""
    if video is None:
        return "The recording this clip comes from has been deleted"
    if not video.consent_to_library:
        return (
            "The teacher has not consented to sharing this recording in the library "
            "(consent_to_library is off)"
        )
    if video.contains_students_without_consent:
        return (
            "Students whose families have not consented to media appear in this recording "
            "(contains_students_without_consent is set)"
        )
    return None


# --- views ----------------------------------------------------------------


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


# --- transitions ------------------------------------------------------------


def _transition(
    principal: Principal, from_status: ReviewStatus | None, to: ReviewStatus, note: str | None
) -> TransitionAttr:
    return TransitionAttr(
        at=utcnow(),
        by=principal.user_id,
        by_role=principal.primary_role.value,
        from_status=from_status.value if from_status else None,
        to_status=to.value,
        note=note,
    )


def _queue_keys(item: ReviewRecord, status: ReviewStatus) -> list[Any]:
    actions: list[Any] = [
        ReviewRecord.status.set(status.value),
        ReviewRecord.gsi2pk.set(queue_partition(item.district, status)),
    ]
    if item.school:
        actions.append(
            ReviewRecord.gsi3pk.set(school_queue_partition(item.district, item.school, status))
        )
    return actions


def _count(
    tx: TransactWrite, district: str, status: ReviewStatus, delta: int, elements: Iterable[str]
) -> None:
    for key in (
        ReviewCounter.status_key(district, status),
        *(ReviewCounter.element_key(district, e, status) for e in elements),
    ):
        tx.update(ReviewCounter(*key), actions=[ReviewCounter.n.add(delta)])


def _move_counts(
    tx: TransactWrite, item: ReviewRecord, old: ReviewStatus, new: ReviewStatus
) -> None:
    elements = list(item.elements or [])
    _count(tx, item.district, old, -1, elements)
    _count(tx, item.district, new, 1, elements)


def _run(tx_body: Any, on_conflict: Any) -> None:
    try:
        with transaction() as tx:
            tx_body(tx)
    except TransactWriteError as exc:
        if is_transaction_conflict(exc):
            on_conflict(exc)
        raise


def _clip_update(
    tx: TransactWrite, clip_id: str, actions: list[Any], condition: Any = None
) -> None:
    exists = ClipRecord.pk.exists()
    tx.update(
        ClipRecord.unread(*ClipRecord.key(clip_id)),
        actions=[*actions, ClipRecord.updated_at.set(utcnow())],
        condition=exists if condition is None else exists & condition,
        add_version_condition=False,
    )


def nominate(
    principal: Principal, clip_id: str, request: NominateRequest, settings: Settings
) -> ReviewRecord:
    clip, video = visible_clip(principal, clip_id)
    if video is None:
        raise ConsentRequired(consent_problem(None) or "", field="clip_id")
    require_curator(principal, video)
    if clip.status_enum is not ClipStatus.READY:
        raise Conflict("Only a ready clip can be nominated", field="clip_id")
    problem = consent_problem(video)
    if problem is not None:
        raise ConsentRequired(problem, field="consent_to_library")
    if clip.review_status in (ReviewStatus.PENDING.value, ReviewStatus.APPROVED.value):
        raise Conflict(
            "This clip is already nominated"
            if clip.review_status == "pending"
            else "This clip is already in the library",
            field="clip_id",
        )
    elements = framework.check_tags(principal.district, request.elements, field="elements")
    now = utcnow()
    review_id = new_review_id()
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
        history=[_transition(principal, None, ReviewStatus.PENDING, request.note)],
    )
    item.gsi2pk = queue_partition(item.district, ReviewStatus.PENDING)
    item.gsi2sk = item.queue_sort_key
    if item.school:
        item.gsi3pk = school_queue_partition(item.district, item.school, ReviewStatus.PENDING)
        item.gsi3sk = item.queue_sort_key
    # Only one open nomination per clip: the clip's copy of the status decides.
    open_nomination = ClipRecord.review_status.is_in(
        ReviewStatus.PENDING.value, ReviewStatus.APPROVED.value
    )

    def body(tx: TransactWrite) -> None:
        tx.save(item, condition=ReviewRecord.pk.does_not_exist())
        _clip_update(
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
        _count(tx, item.district, ReviewStatus.PENDING, 1, elements)

    def conflict(exc: Exception) -> None:
        raise Conflict("This clip was nominated a moment ago", field="clip_id") from exc

    _run(body, conflict)
    audit.record(
        principal,
        audit.Event(AuditAction.CLIP_NOMINATED, item.district, item.video_id, clip.clip_id),
    )
    webhook_events.emit(
        item.district,
        "review.nominated",
        {
            "review_id": review_id,
            "clip_id": clip.clip_id,
            "video_id": clip.video_id,
            "elements": elements,
        },
    )
    return item


def claim(principal: Principal, review_id: str, settings: Settings) -> ReviewRecord:
    item = _visible_item(principal, review_id)
    if item.status != ReviewStatus.PENDING.value:
        raise Conflict(f"This item is already {item.status}", field="review_id")
    if item.nominated_by == principal.user_id:
        raise Forbidden("You cannot review a clip you nominated")
    now = utcnow()
    if live_claim(item, now) and item.claimed_by != principal.user_id:
        raise _already_claimed(item)
    try:
        # The version read above guards the write: of concurrent claims, one wins.
        item.update(
            actions=[
                ReviewRecord.claimed_by.set(principal.user_id),
                ReviewRecord.claim_expires_at.set(
                    now + timedelta(seconds=settings.review_claim_ttl_s)
                ),
                ReviewRecord.history.set(
                    (ReviewRecord.history | []).append(
                        [_transition(principal, ReviewStatus.PENDING, ReviewStatus.IN_REVIEW, None)]
                    )
                ),
            ],
            condition=ReviewRecord.status == ReviewStatus.PENDING.value,
        )
    except UpdateError as exc:
        if not is_conditional_check_failure(exc):
            raise
        current = ReviewRecord.load(review_id)
        if current is not None and live_claim(current) and current.claimed_by != principal.user_id:
            raise _already_claimed(current) from exc
        raise Conflict(
            "This item changed while you claimed it; reload it", field="review_id"
        ) from exc
    return item


def _already_claimed(item: ReviewRecord) -> AlreadyClaimed:
    expires = item.claim_expires_at.isoformat() if item.claim_expires_at else None
    return AlreadyClaimed(
        f"{item.claimed_by} is reviewing this item",
        field="review_id",
        details={"claimed_by": item.claimed_by, "claim_expires_at": expires},
    )


def _held_item(principal: Principal, review_id: str) -> ReviewRecord:
    """An item the caller holds a live claim on (approve, reject, release need one)."""
    item = _visible_item(principal, review_id)
    if item.status != ReviewStatus.PENDING.value:
        raise Conflict(f"This item is already {item.status}", field="review_id")
    if not live_claim(item):
        raise Conflict("Claim the item before deciding on it", field="review_id")
    if item.claimed_by != principal.user_id:
        raise _already_claimed(item)
    return item


def release(principal: Principal, review_id: str) -> ReviewRecord:
    item = _visible_item(principal, review_id)
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
                        [_transition(principal, ReviewStatus.IN_REVIEW, ReviewStatus.PENDING, None)]
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


def _decide(
    principal: Principal,
    item: ReviewRecord,
    decision: ReviewStatus,
    item_actions: list[Any],
    clip_actions: list[Any],
    note: str | None,
    extra: Any = None,
) -> None:
    """pending → approved/rejected, with the counters and the decision log, atomically."""
    now = utcnow()
    seconds = (now - item.submitted_at).total_seconds()
    transition = _transition(principal, ReviewStatus.IN_REVIEW, decision, note)

    def body(tx: TransactWrite) -> None:
        tx.update(
            item,
            actions=[
                *_queue_keys(item, decision),
                ReviewRecord.decided_by.set(principal.user_id),
                ReviewRecord.decided_at.set(now),
                ReviewRecord.claimed_by.remove(),
                ReviewRecord.claim_expires_at.remove(),
                ReviewRecord.history.set((ReviewRecord.history | []).append([transition])),
                *item_actions,
            ],
            condition=(ReviewRecord.status == ReviewStatus.PENDING.value)
            & (ReviewRecord.claimed_by == principal.user_id),
        )
        _clip_update(
            tx, item.clip_id, [ClipRecord.review_status.set(decision.value), *clip_actions]
        )
        _move_counts(tx, item, ReviewStatus.PENDING, decision)
        tx.update(
            ReviewCounter(*ReviewCounter.reviewer_key(item.district, principal.user_id, decision)),
            actions=[ReviewCounter.n.add(1)],
        )
        tx.save(
            DecisionRecord(
                decisions_partition(item.district),
                f"{now.isoformat()}#{item.review_id}",
                review_id=item.review_id,
                decision=decision.value,
                seconds=round(seconds, 3),
                expires_at=now + timedelta(days=DECISION_LOG_DAYS),
            )
        )
        if extra is not None:
            extra(tx)

    def conflict(exc: Exception) -> None:
        raise Conflict(
            "This item changed while you decided (your claim may have lapsed); reload it",
            field="review_id",
        ) from exc

    _run(body, conflict)


def approve(
    principal: Principal, review_id: str, request: ApproveRequest, settings: Settings
) -> ReviewRecord:
    item = _held_item(principal, review_id)
    unknown = sorted(set(request.checklist) - set(CHECKLIST_KEYS))
    if unknown:
        raise InvalidInput(f"Not a QC criterion: {', '.join(unknown)}", field="checklist")
    unmet = [key for key in CHECKLIST_KEYS if not request.checklist.get(key)]
    if unmet:
        raise InvalidInput(
            "To approve, confirm every QC criterion; not confirmed: " + ", ".join(unmet),
            field="checklist",
        )
    clip = ClipRecord.load(item.clip_id)
    video = VideoRecord.load(item.video_id)
    if clip is None or clip.status_enum is not ClipStatus.READY:
        raise Conflict("The clip is no longer available", field="review_id")
    problem = consent_problem(video)
    if problem is not None:
        raise ConsentRequired(problem + "; it cannot be published", field="consent_to_library")
    now = utcnow()
    entries = library.entries_for(clip, item, principal, now)
    _decide(
        principal,
        item,
        ReviewStatus.APPROVED,
        [
            ReviewRecord.checklist.set(
                [CheckAttr(key=k, passed=bool(request.checklist[k])) for k in CHECKLIST_KEYS]
            ),
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
        extra=lambda tx: [tx.save(entry) for entry in entries],
    )
    audit.record_many(
        principal,
        [
            audit.Event(action, item.district, item.video_id, item.clip_id, subject=item.review_id)
            for action in (AuditAction.REVIEW_APPROVED, AuditAction.LIBRARY_PUBLISHED)
        ],
    )
    webhook_events.emit(
        item.district,
        "review.approved",
        {"review_id": item.review_id, "clip_id": item.clip_id, "video_id": item.video_id},
    )
    webhook_events.emit(
        item.district,
        "library.published",
        {
            "clip_id": item.clip_id,
            "video_id": item.video_id,
            "elements": list(item.elements or []),
        },
    )
    return _reloaded(item)


def reject(principal: Principal, review_id: str, request: RejectRequest) -> ReviewRecord:
    item = _held_item(principal, review_id)
    _decide(
        principal,
        item,
        ReviewStatus.REJECTED,
        [ReviewRecord.reject_reason.set(request.reason)],
        [ClipRecord.review_reason.set(request.reason)],
        request.reason,
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
    webhook_events.emit(
        item.district,
        "review.rejected",
        {
            "review_id": item.review_id,
            "clip_id": item.clip_id,
            "video_id": item.video_id,
            "reason": request.reason,
        },
    )
    return _reloaded(item)


def unpublish(principal: Principal, clip_id: str, reason: str) -> ReviewRecord:
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only a district admin can unpublish a library clip")
    clip = ClipRecord.load(clip_id)
    if clip is None or clip.district != principal.district or not clip.published:
        raise NotFound("No such clip in your district's library")
    item = ReviewRecord.load(clip.review_id or "")
    if item is None or item.status != ReviewStatus.APPROVED.value:
        raise Conflict("This clip's review is not in the approved state", field="clip_id")
    entries = library.entries_of(clip)
    transition = _transition(principal, ReviewStatus.APPROVED, ReviewStatus.UNPUBLISHED, reason)

    def body(tx: TransactWrite) -> None:
        tx.update(
            item,
            actions=[
                *_queue_keys(item, ReviewStatus.UNPUBLISHED),
                ReviewRecord.unpublish_reason.set(reason),
                ReviewRecord.history.set((ReviewRecord.history | []).append([transition])),
            ],
            condition=ReviewRecord.status == ReviewStatus.APPROVED.value,
        )
        _clip_update(
            tx,
            clip_id,
            [
                ClipRecord.published.set(False),
                ClipRecord.published_at.remove(),
                ClipRecord.review_status.set(ReviewStatus.UNPUBLISHED.value),
                ClipRecord.review_reason.set(reason),
            ],
        )
        _move_counts(tx, item, ReviewStatus.APPROVED, ReviewStatus.UNPUBLISHED)
        for entry in entries:
            tx.delete(entry)

    def conflict(exc: Exception) -> None:
        raise Conflict("The clip changed meanwhile; reload it", field="clip_id") from exc

    _run(body, conflict)
    audit.record(
        principal,
        audit.Event(AuditAction.LIBRARY_UNPUBLISHED, item.district, item.video_id, clip_id),
    )
    webhook_events.emit(
        item.district,
        "library.unpublished",
        {"clip_id": clip_id, "video_id": item.video_id, "reason": reason},
    )
    return _reloaded(item)


def _reloaded(item: ReviewRecord) -> ReviewRecord:
    current = ReviewRecord.load(item.review_id)
    if current is None:
        raise NotFound("Review item not found")
    return current


# --- reads -------------------------------------------------------------------


def get_item(principal: Principal, review_id: str) -> ReviewRecord:
    return _visible_item(principal, review_id)


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


def forget_reviews(clip: ClipRecord) -> int:
    """Delete a clip's review items (its video is being deleted), keeping the stats true."""
    deleted = 0
    for review_id in clip.review_ids or []:
        item = ReviewRecord.load(review_id)
        if item is None:
            continue
        with transaction() as tx:
            tx.delete(item, add_version_condition=False)
            _count(tx, item.district, ReviewStatus(item.status), -1, list(item.elements or []))
        deleted += 1
    return deleted
