"""Who opens, reads and works on a coaching cycle."""

from __future__ import annotations

import pytest

from chalicelib.auth.principal import Role
from chalicelib.cycles import rules
from chalicelib.cycles.models import CycleRecord, CycleStatus
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.support.principals import person

COACH = person("coach", Role.COACH)
TEACHER = person("teacher")


def cycle(status: CycleStatus = CycleStatus.OPEN) -> CycleRecord:
    return CycleRecord(
        *CycleRecord.key("cy_1"),
        cycle_id="cy_1",
        district=TEACHER.district,
        teacher_id="teacher",
        coach_id="coach",
        element="collaborative",
        goal="Wait time",
        status=status,
        opened_by="coach",
    )


def test_a_coach_names_the_teacher_and_a_teacher_the_coach() -> None:
    assert rules.participants(COACH, "teacher", None) == ("teacher", "coach")
    assert rules.participants(TEACHER, None, "coach") == ("teacher", "coach")
    with pytest.raises(InvalidInput):
        rules.participants(COACH, None, "someone")
    with pytest.raises(InvalidInput):
        rules.participants(TEACHER, None, "teacher")
    with pytest.raises(Forbidden):
        rules.participants(person("reviewer", Role.REVIEWER, school=None), "teacher", None)


def test_only_its_people_work_on_an_open_cycle_and_admins_may_read_it() -> None:
    rules.require_open_participant(TEACHER, cycle())
    rules.require_visible(person("admin", Role.ADMIN, school=None), cycle())
    with pytest.raises(Forbidden):
        rules.require_open_participant(person("admin", Role.ADMIN, school=None), cycle())
    with pytest.raises(NotFound):
        rules.require_visible(person("other-coach", Role.COACH), cycle())
    with pytest.raises(NotFound):
        rules.require_visible(person("coach", Role.COACH, district="elsewhere"), cycle())
    with pytest.raises(Conflict):
        rules.require_open_participant(COACH, cycle(CycleStatus.CLOSED))
