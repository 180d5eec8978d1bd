"""Evaluation rules as pure functions: who evaluates, who sees a draft, who changes or
acknowledges what, and the rubric's range."""

from __future__ import annotations

from chalicelib.auth.principal import Principal, Role
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.evaluations.models import EvaluationRecord, EvaluationStatus
from chalicelib.evaluations.rubric import BUILT_IN, Level, Rubric
from chalicelib.videos.models import VideoRecord


def require_evaluator(principal: Principal, video: VideoRecord) -> None:
    """An admin, and only on a video its teacher shared with them by name."""
    if not principal.has_role(Role.ADMIN):
        raise Forbidden("Only an administrator acting as evaluator can evaluate")
    if principal.user_id not in video.shared_user_ids:
        raise Forbidden("The teacher has not shared this video with you for evaluation")


def check_score_range(scores: dict[str, int], rubric: Rubric = BUILT_IN) -> None:
    """Every score is one of the rubric's levels."""
    bad = [k for k, v in scores.items() if v not in rubric.scores]
    if bad:
        levels = ", ".join(str(s) for s in rubric.scores)
        raise InvalidInput(
            f"Scores on this rubric are {levels}; check {', '.join(bad)}", field="scores"
        )


MIN_LEVELS, MAX_LEVELS = 2, 10
LOWEST_LEVEL, HIGHEST_LEVEL = 0, 10


def check_levels(levels: list[Level]) -> None:
    """A rubric: 2 to 10 levels, whole scores from 0 to 10 rising without repeats, each
    with its own label (e.g. 1 Beginning … 4 Distinguished, or 1-5)."""
    scores = [level.score for level in levels]
    if not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
        raise InvalidInput(
            f"A rubric has {MIN_LEVELS} to {MAX_LEVELS} levels, not {len(levels)}", field="levels"
        )
    if any(not LOWEST_LEVEL <= s <= HIGHEST_LEVEL for s in scores):
        raise InvalidInput(
            f"Rubric scores run from {LOWEST_LEVEL} to {HIGHEST_LEVEL}", field="levels"
        )
    if scores != sorted(set(scores)):
        raise InvalidInput("Rubric scores must rise, each once (e.g. 1, 2, 3, 4)", field="levels")
    labels = [level.label.strip().lower() for level in levels]
    if len(set(labels)) != len(labels) or not all(labels):
        raise InvalidInput("Each level needs a label of its own", field="levels")


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
