"""Who is calling: identity, role and tenant, taken from verified token claims."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib.errors import Unauthenticated


class Role(StrEnum):
    TEACHER = "teacher"
    COACH = "coach"
    REVIEWER = "reviewer"
    ADMIN = "admin"


_ROLE_NAMES = frozenset(role.value for role in Role)

# Claim names follow Cognito ID tokens, so the dev issuer and Cognito produce
# tokens this module reads the same way.
GROUPS_CLAIM = "cognito:groups"
DISTRICT_CLAIM = "custom:district"
SCHOOL_CLAIM = "custom:school"
NAME_CLAIM = "name"
# Cognito ID tokens carry it when the app client reads the email scope; the dev issuer
# signs one for the demo users. Notifications mail it (chalicelib/notifications/recipients.py).
EMAIL_CLAIM = "email"


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    roles: frozenset[Role]
    district: str
    school: str | None
    name: str | None = None
    email: str | None = None

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def primary_role(self) -> Role:
        """The most privileged role, for display and audit lines."""
        for role in (Role.ADMIN, Role.REVIEWER, Role.COACH, Role.TEACHER):
            if role in self.roles:
                return role
        raise AssertionError("a principal always has at least one role")

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        user_id = claims.get("sub")
        if not isinstance(user_id, str) or not user_id:
            raise Unauthenticated("The token has no subject")
        groups = claims.get(GROUPS_CLAIM) or []
        if isinstance(groups, str):
            groups = [groups]
        roles = frozenset(Role(g) for g in groups if g in _ROLE_NAMES)
        if not roles:
            raise Unauthenticated("The token grants no ClassReel role")
        district = claims.get(DISTRICT_CLAIM)
        if not isinstance(district, str) or not district:
            raise Unauthenticated("The token names no district")
        school = claims.get(SCHOOL_CLAIM) or None
        name = claims.get(NAME_CLAIM) or None
        email = claims.get(EMAIL_CLAIM) or None
        return cls(
            user_id=user_id,
            roles=roles,
            district=district,
            school=school if isinstance(school, str) else None,
            name=name if isinstance(name, str) else None,
            email=email if isinstance(email, str) and "@" in email else None,
        )
