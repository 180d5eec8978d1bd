"""Evaluations: drafted by an admin the video is shared with, released, acknowledged."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal
from chalicelib.db.base import is_conditional_check_failure, is_transaction_conflict, utcnow
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.evaluations import rubric as rubrics
from chalicelib.evaluations import rules
from chalicelib.evaluations.models import (
    EVALUATION_PREFIX,
    EvaluationRecord,
    EvaluationStatus,
    new_evaluation_id,
)
from chalicelib.evaluations.rubric import Rubric
from chalicelib.evaluations.schemas import (
    AcknowledgeRequest,
    CreateEvaluationRequest,
    EvaluationView,
    UpdateEvaluationRequest,
)
from chalicelib.events import outbox
from chalicelib.events.models import DomainEvent
from chalicelib.feedback.models import CommentRecord, parse_comment_id
from chalicelib.framework import service as framework
from chalicelib.videos.access import visible_video


def view(record: EvaluationRecord) -> EvaluationView:
    return EvaluationView(
        id=record.evaluation_id,
        video_id=record.video_id,
        evaluator_id=record.evaluator_id,
        evaluator_name=record.evaluator_name,
        scores={k: int(v) for k, v in (record.scores or {}).items()},
        rubric_version=int(record.rubric_version or 0),
        summary=record.summary,
        evidence=list(record.evidence or []),
        status=record.status,
        released_at=record.released_at,
        teacher_response=record.teacher_response,
        acknowledged_at=record.acknowledged_at,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def _check_scores(district: str, scores: dict[str, int], rubric: Rubric) -> dict[str, int]:
    framework.check_tags(district, scores.keys(), field="scores")
    rules.check_score_range(scores, rubric)
    return scores


def _check_evidence(video_id: str, evidence: list[str]) -> list[str]:
    wanted = list(dict.fromkeys(evidence))
    keys = []
    for comment_id in wanted:
        parsed = parse_comment_id(comment_id)
        if parsed is None:
            raise InvalidInput(f"Not a comment id: {comment_id}", field="evidence")
        keys.append((CommentRecord.partition(video_id), parsed.sort_key))
    found = {c.comment_id for c in CommentRecord.batch_get(keys)} if keys else set()
    missing = [c for c in wanted if c not in found]
    if missing:
        raise InvalidInput(f"No such comment on this video: {', '.join(missing)}", field="evidence")
    return wanted


def _load(video_id: str, evaluation_id: str) -> EvaluationRecord:
    try:
        return EvaluationRecord.get(
            *EvaluationRecord.key(video_id, evaluation_id), consistent_read=True
        )
    except EvaluationRecord.DoesNotExist:
        raise NotFound("Evaluation not found") from None


def create(
    principal: Principal, video_id: str, request: CreateEvaluationRequest
) -> EvaluationRecord:
    video = visible_video(principal, video_id)
    rules.require_evaluator(principal, video)
    in_force = rubrics.current(video.district)
    evaluation_id = new_evaluation_id()
    record = EvaluationRecord(
        *EvaluationRecord.key(video_id, evaluation_id),
        evaluation_id=evaluation_id,
        video_id=video_id,
        district=video.district,
        evaluator_id=principal.user_id,
        evaluator_name=principal.name,
        scores=_check_scores(video.district, request.scores, in_force),
        rubric_version=in_force.version,
        summary=request.summary,
        evidence=_check_evidence(video_id, request.evidence),
    )
    record.save()
    return record


def list_for(principal: Principal, video_id: str) -> list[EvaluationRecord]:
    video = visible_video(principal, video_id)
    records = EvaluationRecord.query(
        EvaluationRecord.partition(video_id),
        EvaluationRecord.sk.startswith(EVALUATION_PREFIX),
        consistent_read=True,
    )
    return [r for r in records if rules.visible_to(principal, r, video)]


def _evaluators_draft(principal: Principal, video_id: str, evaluation_id: str) -> EvaluationRecord:
    video = visible_video(principal, video_id)
    record = _load(video_id, evaluation_id)
    rules.require_visible(principal, record, video)
    rules.check_changeable(principal, record)
    return record


def update(
    principal: Principal, video_id: str, evaluation_id: str, request: UpdateEvaluationRequest
) -> EvaluationRecord:
    record = _evaluators_draft(principal, video_id, evaluation_id)
    actions: list[Any] = [EvaluationRecord.updated_at.set(utcnow())]
    if request.scores is not None:
        # A draft is scored on the rubric in force when it is saved.
        in_force = rubrics.current(record.district)
        actions += [
            EvaluationRecord.scores.set(_check_scores(record.district, request.scores, in_force)),
            EvaluationRecord.rubric_version.set(in_force.version),
        ]
    if request.summary is not None:
        actions.append(EvaluationRecord.summary.set(request.summary))
    if request.evidence is not None:
        actions.append(EvaluationRecord.evidence.set(_check_evidence(video_id, request.evidence)))
    _update(record, actions, EvaluationStatus.DRAFT)
    return record


def release(principal: Principal, video_id: str, evaluation_id: str) -> EvaluationRecord:
    record = _evaluators_draft(principal, video_id, evaluation_id)
    now = utcnow()
    released = DomainEvent(
        "evaluation.released",
        record.district,
        {
            "evaluation_id": record.evaluation_id,
            "video_id": video_id,
            "evaluator_id": record.evaluator_id,
            "evaluator_name": record.evaluator_name,
        },
    )
    record = _update(
        record,
        [
            EvaluationRecord.status.set(EvaluationStatus.RELEASED),
            EvaluationRecord.released_at.set(now),
            EvaluationRecord.updated_at.set(now),
        ],
        EvaluationStatus.DRAFT,
        released,
    )
    audit.record(
        principal,
        audit.Event(
            AuditAction.EVALUATION_RELEASED, principal.district, video_id, subject=evaluation_id
        ),
    )
    return record


def acknowledge(
    principal: Principal, video_id: str, evaluation_id: str, request: AcknowledgeRequest
) -> EvaluationRecord:
    video = visible_video(principal, video_id)
    record = _load(video_id, evaluation_id)
    rules.require_visible(principal, record, video)
    rules.check_acknowledgeable(principal, record, video)
    now = utcnow()
    actions: list[Any] = [
        EvaluationRecord.status.set(EvaluationStatus.ACKNOWLEDGED),
        EvaluationRecord.acknowledged_at.set(now),
        EvaluationRecord.updated_at.set(now),
    ]
    if request.response:
        actions.append(EvaluationRecord.teacher_response.set(request.response))
    acknowledged = DomainEvent(
        "evaluation.acknowledged",
        record.district,
        {
            "evaluation_id": record.evaluation_id,
            "video_id": video_id,
            "by": principal.user_id,
            "by_name": principal.name,
            "responded": bool(request.response),
        },
    )
    return _update(record, actions, EvaluationStatus.RELEASED, acknowledged)


def _update(
    record: EvaluationRecord,
    actions: list[Any],
    expected: EvaluationStatus,
    event: DomainEvent | None = None,
) -> EvaluationRecord:
    """The change (and its event, when it announces one) under the status it was read in."""
    condition = EvaluationRecord.status == expected.value
    try:
        if event is None:
            record.update(actions=actions, condition=condition)
            return record
        outbox.update(record, actions, event, condition=condition)
    except UpdateError as exc:
        if is_conditional_check_failure(exc):
            raise _changed() from exc
        raise
    except TransactWriteError as exc:
        if is_transaction_conflict(exc):
            raise _changed() from exc
        raise
    return _load(record.video_id, record.evaluation_id)


def _changed() -> Conflict:
    return Conflict("The evaluation changed meanwhile; reload it", field="status")
