"""Evaluations under union agreements: drafts stay the evaluator's; the teacher acknowledges."""

from __future__ import annotations

import pytest

from chalicelib.auth.principal import Role
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.evaluations.models import EvaluationRecord, EvaluationStatus
from chalicelib.evaluations.rubric import Level, Rubric
from chalicelib.evaluations.rules import (
    check_acknowledgeable,
    check_changeable,
    check_levels,
    check_score_range,
    require_evaluator,
    require_visible,
    visible_to,
)
from tests.support.principals import person, video

ADMIN = person("admin", Role.ADMIN, school=None)
OTHER_ADMIN = person("admin-2", Role.ADMIN, school=None)
TEACHER = person("teacher")


def _evaluation(status: EvaluationStatus) -> EvaluationRecord:
    return EvaluationRecord("VIDEO#v1", "EVAL#e", evaluator_id="admin", status=status)


def test_an_admin_evaluates_only_a_video_shared_with_them_by_name() -> None:
    require_evaluator(ADMIN, video(shared_with={"admin"}))
    with pytest.raises(Forbidden, match="not shared"):
        require_evaluator(ADMIN, video())
    with pytest.raises(Forbidden, match="administrator"):
        require_evaluator(person("coach", Role.COACH), video(shared_with={"coach"}))


def test_scores_run_from_one_to_four() -> None:
    check_score_range({"a": 1, "b": 4})
    with pytest.raises(InvalidInput, match="c, d"):
        check_score_range({"a": 2, "c": 0, "d": 5})


@pytest.mark.parametrize(
    ("who", "status", "sees"),
    [
        (ADMIN, EvaluationStatus.DRAFT, True),
        (TEACHER, EvaluationStatus.DRAFT, False),
        (OTHER_ADMIN, EvaluationStatus.DRAFT, False),
        (TEACHER, EvaluationStatus.RELEASED, True),
        (OTHER_ADMIN, EvaluationStatus.RELEASED, True),
        (person("coach", Role.COACH), EvaluationStatus.RELEASED, False),
        (TEACHER, EvaluationStatus.ACKNOWLEDGED, True),
    ],
)
def test_a_draft_is_the_evaluators_alone(who: object, status: EvaluationStatus, sees: bool) -> None:
    assert visible_to(who, _evaluation(status), video()) is sees  # type: ignore[arg-type]


def test_an_unseen_evaluation_does_not_exist() -> None:
    with pytest.raises(NotFound):
        require_visible(TEACHER, _evaluation(EvaluationStatus.DRAFT), video())


def test_only_its_evaluator_changes_a_draft_and_only_a_draft() -> None:
    check_changeable(ADMIN, _evaluation(EvaluationStatus.DRAFT))
    with pytest.raises(Forbidden):
        check_changeable(OTHER_ADMIN, _evaluation(EvaluationStatus.DRAFT))
    with pytest.raises(Conflict):
        check_changeable(ADMIN, _evaluation(EvaluationStatus.RELEASED))


def test_the_evaluated_teacher_acknowledges_once() -> None:
    check_acknowledgeable(TEACHER, _evaluation(EvaluationStatus.RELEASED), video())
    with pytest.raises(Forbidden):
        check_acknowledgeable(ADMIN, _evaluation(EvaluationStatus.RELEASED), video())
    with pytest.raises(Conflict, match="already"):
        check_acknowledgeable(TEACHER, _evaluation(EvaluationStatus.ACKNOWLEDGED), video())


def test_a_district_rubric_decides_the_scores() -> None:
    one_to_five = Rubric(1, tuple(Level(n, f"L{n}") for n in range(1, 6)))
    check_score_range({"a": 5}, one_to_five)
    with pytest.raises(InvalidInput, match="1, 2, 3, 4, 5; check b"):
        check_score_range({"a": 1, "b": 6}, one_to_five)
    check_levels([Level(0, "Not yet"), Level(1, "Yes")])
    for bad in (
        [Level(1, "Only")],
        [Level(1, "a"), Level(1, "b")],
        [Level(2, "a"), Level(1, "b")],
        [Level(1, "Same"), Level(2, "same")],
        [Level(1, "a"), Level(11, "b")],
    ):
        with pytest.raises(InvalidInput):
            check_levels(bad)
