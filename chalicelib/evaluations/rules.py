"""Evaluation rules as pure functions: who evaluates, who sees a draft, who changes or
acknowledges what, and the rubric's range."""

from __future__ import annotations

from chalicelib.auth.principal import Principal, Role
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.evaluations.models import EvaluationRecord, EvaluationStatus
from chalicelib.videos.models import VideoRecord

LOWEST_SCORE, HIGHEST_SCORE = 1, 4


def require_evaluator(principal: Principal, video: VideoRecord) -> None:
    """An admin, and only on a video its teacher shared with them by name."""
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only an administrator acting as evaluator can evaluate")
    if principal.user_id not in video.shared_user_ids:
        raise Forbidden("The teacher has not shared this video with you for evaluation")


def check_score_range(scores: dict[str, int]) -> None:
    bad = [k for k, v in scores.items() if not LOWEST_SCORE <= v <= HIGHEST_SCORE]
    if bad:
        raise InvalidInput(
            f"Scores run from {LOWEST_SCORE} to {HIGHEST_SCORE}; check {', '.join(bad)}",
            field="scores",
        )


def visible_to(principal: Principal, record: EvaluationRecord, video: VideoRecord) -> bool:
    """A draft is its evaluator's alone; once released, the teacher's and admins' too."""
    if record.evaluator_id == principal.user_id:
        return True
    if record.status is EvaluationStatus.DRAFT:
        return False
    return video.owner_id == principal.user_id or principal.has_role(Role.ADMIN)


def require_visible(principal: Principal, record: EvaluationRecord, video: VideoRecord) -> None:
    if not visible_to(principal, record, video):
        raise NotFound("Evaluation not found")


def check_changeable(principal: Principal, record: EvaluationRecord) -> None:
    """Only its evaluator changes (or releases) it, and only while it is a draft."""
    if record.evaluator_id != principal.user_id:
        raise Forbidden("Only the evaluator may change an evaluation")
    if record.status is not EvaluationStatus.DRAFT:
        raise Conflict("A released evaluation can no longer change", field="status")


def check_acknowledgeable(
    principal: Principal, record: EvaluationRecord, video: VideoRecord
) -> None:
    """The evaluated teacher acknowledges a released evaluation, once."""
    if video.owner_id != principal.user_id:
        raise Forbidden("Only the evaluated teacher may acknowledge")
    if record.status is not EvaluationStatus.RELEASED:
        raise Conflict("This evaluation is already acknowledged", field="status")
