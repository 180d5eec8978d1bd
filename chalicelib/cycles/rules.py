"""Who takes part in a cycle and what they may do: pure functions."""

from __future__ import annotations

from chalicelib.auth.principal import Principal, Role
from chalicelib.cycles.models import CycleRecord, CycleStatus
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound


def participants(
    principal: Principal, teacher_id: str | None, coach_id: str | None
) -> tuple[str, str]:
    """(teacher, coach) of a new cycle: a coach opens one with a teacher, a teacher with a coach."""
    if not principal.has_role(Role.COACH, Role.TEACHER):
        raise Forbidden("Coaching cycles are opened by a coach or a teacher")
    if principal.has_role(Role.COACH) and teacher_id:
        pair = (teacher_id, principal.user_id)
    elif principal.has_role(Role.TEACHER) and coach_id:
        pair = (principal.user_id, coach_id)
    else:
        raise InvalidInput(
            "A coach names the teacher (teacher_id); a teacher names the coach (coach_id)",
            field="teacher_id" if principal.has_role(Role.COACH) else "coach_id",
        )
    if pair[0] == pair[1]:
        raise InvalidInput("A cycle is between a teacher and someone else", field="teacher_id")
    return pair


def is_participant(principal: Principal, cycle: CycleRecord) -> bool:
    return principal.user_id in (cycle.teacher_id, cycle.coach_id)


def require_visible(principal: Principal, cycle: CycleRecord) -> None:
    """Its teacher and coach, and the district's admins; anyone else: it does not exist."""
    if cycle.district != principal.district:
        raise NotFound("Coaching cycle not found")
    if not is_participant(principal, cycle) and not principal.has_role(Role.ADMIN):
        raise NotFound("Coaching cycle not found")


def require_open_participant(principal: Principal, cycle: CycleRecord) -> None:
    require_visible(principal, cycle)
    if not is_participant(principal, cycle):
        raise Forbidden("Only the cycle's teacher and coach work on it")
    if cycle.status is not CycleStatus.OPEN:
        raise Conflict("This coaching cycle is closed", field="status")
