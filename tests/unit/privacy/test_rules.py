"""Retention, one video at a time, and the safeguards' rules (who flags, who holds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.auth.principal import Role
from chalicelib.errors import Forbidden, InvalidInput
from chalicelib.privacy.rules import (
    DELETE_RENDITIONS,
    DELETE_SOURCE,
    check_legal_hold,
    students_flag_role,
    video_plan,
)
from tests.support.principals import person, video

READY = datetime(2025, 1, 1, tzinfo=UTC)


def _plan(days_since_ready: float, in_library: bool = False, **fields: Any) -> Any:
    asked: list[bool] = []

    def library() -> bool:
        asked.append(True)
        return in_library

    plan = video_plan(
        video(ready_at=READY, **fields),
        source_days=30,
        renditions_days=365,
        as_of=READY + timedelta(days=days_since_ready),
        in_library=library,
    )
    return plan, bool(asked)


def test_nothing_is_due_before_its_period() -> None:
    plan, asked = _plan(29)
    assert plan.steps == []
    assert not asked, "the library is only asked when the renditions are due"


def test_the_source_goes_first_then_the_playable_files() -> None:
    plan, _ = _plan(31)
    assert [(s.action, s.due_at) for s in plan.steps] == [
        (DELETE_SOURCE, READY + timedelta(days=30))
    ]
    plan, _ = _plan(400)
    assert [s.action for s in plan.steps] == [DELETE_SOURCE, DELETE_RENDITIONS]


def test_what_is_already_gone_is_not_due_again() -> None:
    plan, _ = _plan(400, source_deleted_at=READY + timedelta(days=30))
    assert [s.action for s in plan.steps] == [DELETE_RENDITIONS]


def test_a_clip_in_the_library_keeps_the_playable_files() -> None:
    plan, asked = _plan(400, in_library=True)
    assert asked and plan.kept_for_library
    assert [s.action for s in plan.steps] == [DELETE_SOURCE]


def test_a_legal_hold_keeps_everything() -> None:
    plan, _ = _plan(400, legal_hold=True)
    assert plan.steps == []
    assert plan.held


def test_without_ready_at_the_creation_date_counts() -> None:
    plan = video_plan(
        video(created_at=READY),
        source_days=1,
        renditions_days=None,
        as_of=READY + timedelta(days=2),
        in_library=lambda: False,
    )
    assert [s.action for s in plan.steps] == [DELETE_SOURCE]


COACH = person("coach", Role.COACH)
ADMIN = person("admin", Role.ADMIN, school=None)
TEACHER = person("teacher")


def test_the_owner_a_coach_or_an_admin_flags_students_without_consent() -> None:
    assert students_flag_role(TEACHER, video(), True, is_coach=False) is Role.TEACHER
    assert students_flag_role(COACH, video(), True, is_coach=True) is Role.COACH
    assert students_flag_role(ADMIN, video(), True, is_coach=False) is Role.ADMIN
    with pytest.raises(Forbidden):
        students_flag_role(person("friend"), video(), True, is_coach=False)


def test_a_flag_a_coach_set_is_not_cleared_by_the_teacher_alone() -> None:
    flagged = video(
        contains_students_without_consent=True,
        students_flag_set_by="coach",
        students_flag_set_by_role="coach",
    )
    with pytest.raises(Forbidden) as refused:
        students_flag_role(TEACHER, flagged, False, is_coach=False)
    assert refused.value.field == "contains_students_without_consent"
    assert students_flag_role(COACH, flagged, False, is_coach=True) is Role.COACH
    assert students_flag_role(ADMIN, flagged, False, is_coach=False) is Role.ADMIN
    # Her own flag the teacher clears herself.
    own = video(
        contains_students_without_consent=True,
        students_flag_set_by="teacher",
        students_flag_set_by_role="teacher",
    )
    students_flag_role(TEACHER, own, False, is_coach=False)


def test_only_an_admin_holds_and_says_why() -> None:
    check_legal_hold(ADMIN, True, "litigation")
    check_legal_hold(ADMIN, False, None)
    with pytest.raises(InvalidInput):
        check_legal_hold(ADMIN, True, None)
    with pytest.raises(Forbidden):
        check_legal_hold(TEACHER, False, None)
