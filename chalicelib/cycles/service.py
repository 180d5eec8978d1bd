"""Opening, gathering evidence for and closing coaching cycles; each step announces itself
through the outbox (the other person is notified)."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib.auth.principal import Principal
from chalicelib.cycles import rules
from chalicelib.cycles.models import (
    EVIDENCE_PREFIX,
    CycleRecord,
    CycleStatus,
    EvidenceRecord,
    new_cycle_id,
    person_partition,
    video_evidence_partition,
)
from chalicelib.cycles.schemas import (
    AddEvidenceRequest,
    CloseCycleRequest,
    CycleDetail,
    CycleView,
    EvidenceView,
    OpenCycleRequest,
)
from chalicelib.db.base import is_transaction_conflict, transaction, utcnow
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.events import outbox
from chalicelib.events.models import DomainEvent
from chalicelib.feedback import service as feedback
from chalicelib.framework import service as framework
from chalicelib.videos.access import visible_video


def view(cycle: CycleRecord) -> CycleView:
    return CycleView(
        id=cycle.cycle_id,
        teacher_id=cycle.teacher_id,
        coach_id=cycle.coach_id,
        element=cycle.element,
        goal=cycle.goal,
        status=cycle.status.value,
        opened_by=cycle.opened_by,
        opened_at=cycle.opened_at,
        closed_at=cycle.closed_at,
        closed_by=cycle.closed_by,
        reflection=cycle.reflection,
        evidence_count=int(cycle.evidence_count or 0),
    )


def _event(kind: str, principal: Principal, cycle: CycleRecord) -> DomainEvent:
    return DomainEvent(
        f"cycle.{kind}",
        cycle.district,
        {
            "cycle_id": cycle.cycle_id,
            "goal": cycle.goal,
            "element": cycle.element,
            "people": [cycle.teacher_id, cycle.coach_id],
            "by": principal.user_id,
            "by_name": principal.name,
        },
    )


def _load(cycle_id: str) -> CycleRecord:
    try:
        return CycleRecord.get(*CycleRecord.key(cycle_id), consistent_read=True)
    except CycleRecord.DoesNotExist:
        raise NotFound("Coaching cycle not found") from None


def open_cycle(principal: Principal, request: OpenCycleRequest) -> CycleRecord:
    teacher_id, coach_id = rules.participants(principal, request.teacher_id, request.coach_id)
    [element] = framework.check_tags(principal.district, [request.element], field="element")
    cycle_id = new_cycle_id()
    cycle = CycleRecord(
        *CycleRecord.key(cycle_id),
        cycle_id=cycle_id,
        district=principal.district,
        teacher_id=teacher_id,
        coach_id=coach_id,
        element=element,
        goal=request.goal,
        opened_by=principal.user_id,
    ).index_keys()
    outbox.save(
        cycle, _event("opened", principal, cycle), condition=CycleRecord.pk.does_not_exist()
    )
    return _load(cycle_id)


def list_cycles(principal: Principal, status: str) -> list[CycleRecord]:
    """The cycles the caller is the teacher or the coach of, newest first."""
    prefix = "" if status == "all" else f"{status}#"
    partition = person_partition(principal.district, principal.user_id)
    found: dict[str, CycleRecord] = {}
    for index, sort_key in (
        (CycleRecord.by_teacher, CycleRecord.gsi1sk),
        (CycleRecord.by_coach, CycleRecord.gsi2sk),
    ):
        for cycle in index.query(partition, sort_key.startswith(prefix) if prefix else None):
            found[cycle.cycle_id] = cycle
    return sorted(found.values(), key=lambda c: c.opened_at, reverse=True)


def get_cycle(principal: Principal, cycle_id: str) -> CycleDetail:
    cycle = _load(cycle_id)
    rules.require_visible(principal, cycle)
    opened_day = cycle.opened_at.date()
    evidence = [
        EvidenceView(
            video_id=item.video_id,
            comment_id=item.comment_id,
            at_s=float(item.at_s) if item.at_s is not None else None,
            note=item.note,
            added_by=item.added_by,
            added_at=item.added_at,
            week=(item.added_at.date() - opened_day).days // 7 + 1,
        )
        for item in EvidenceRecord.query(
            CycleRecord.key(cycle_id)[0], EvidenceRecord.sk.startswith(EVIDENCE_PREFIX)
        )
    ]
    return CycleDetail(**view(cycle).model_dump(), evidence=evidence)


def add_evidence(principal: Principal, cycle_id: str, request: AddEvidenceRequest) -> CycleRecord:
    cycle = _load(cycle_id)
    rules.require_open_participant(principal, cycle)
    video = visible_video(principal, request.video_id)
    if video.owner_id != cycle.teacher_id:
        raise InvalidInput("Evidence is one of the cycle's teacher's videos", field="video_id")
    at_s = None
    if request.comment_id is not None:
        try:
            at_s = float(feedback.find_comment(video.video_id, request.comment_id).at_s)
        except NotFound:
            raise InvalidInput("No such comment on this video", field="comment_id") from None
    now = utcnow()
    sort_key = f"{EVIDENCE_PREFIX}{now.isoformat()}#{int(cycle.evidence_count or 0) + 1}"
    item = EvidenceRecord(
        CycleRecord.key(cycle_id)[0],
        sort_key,
        gsi3pk=video_evidence_partition(video.video_id),
        gsi3sk=f"{cycle_id}#{sort_key}",
        cycle_id=cycle_id,
        video_id=video.video_id,
        comment_id=request.comment_id,
        at_s=at_s,
        note=request.note,
        added_by=principal.user_id,
        added_at=now,
    )
    try:
        with transaction() as tx:
            tx.save(item, condition=EvidenceRecord.sk.does_not_exist())
            tx.update(
                cycle,
                actions=[CycleRecord.evidence_count.add(1)],
                condition=CycleRecord.status == CycleStatus.OPEN.value,
            )
            outbox.add(tx, _event("evidence_added", principal, cycle))
    except TransactWriteError as exc:
        if is_transaction_conflict(exc):
            raise Conflict("The cycle changed meanwhile; reload it", field="cycle_id") from exc
        raise
    return _load(cycle_id)


def close_cycle(principal: Principal, cycle_id: str, request: CloseCycleRequest) -> CycleRecord:
    cycle = _load(cycle_id)
    rules.require_open_participant(principal, cycle)
    closed = cycle.sort_key(CycleStatus.CLOSED)
    try:
        outbox.update(
            cycle,
            [
                CycleRecord.status.set(CycleStatus.CLOSED),
                CycleRecord.reflection.set(request.reflection),
                CycleRecord.closed_by.set(principal.user_id),
                CycleRecord.closed_at.set(utcnow()),
                CycleRecord.gsi1sk.set(closed),
                CycleRecord.gsi2sk.set(closed),
            ],
            _event("closed", principal, cycle),
            condition=CycleRecord.status == CycleStatus.OPEN.value,
        )
    except TransactWriteError as exc:
        if is_transaction_conflict(exc):
            raise Conflict("The cycle changed meanwhile; reload it", field="cycle_id") from exc
        raise
    return _load(cycle_id)
