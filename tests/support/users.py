"""Test users and their dev tokens.

A token only names a person and their district; the directory says what they may do.
So ``token("coach-1", Role.COACH, school="school-2")`` registers coach-1 as a coach of
school-2 in the stack's directory (classreel/local/dev_sign_in.py), then signs for them:
the same meaning the suite's tests always gave it, now held where authorization reads it.
"""

from __future__ import annotations

from typing import Any

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Role
from chalicelib.config import Settings
from chalicelib.db.base import TableModel
from classreel.local.dev_sign_in import sign_in


class TokenFactory:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._issuer = DevIssuer(settings)
        # Registrations already made (per table: tests talk to several stacks in turn).
        self._registered: set[tuple[Any, ...]] = set()

    def token(
        self,
        user_id: str,
        role: Role | str,
        district: str = "district-a",
        school: str | None = "school-1",
        ttl_s: int | None = None,
        now: float | None = None,
        email: str | None = None,
        name: str | None = None,
    ) -> str:
        meta: Any = TableModel.Meta
        registration = (meta.table_name, meta.host, district, user_id, Role(role), school, email)
        if registration not in self._registered:
            token = sign_in(
                self._issuer,
                user_id=user_id,
                role=Role(role),
                district=district,
                school=school,
                name=name,
                email=email,
                ttl_s=ttl_s,
                now=now,
            )
            self._registered.add(registration)
            return token
        return self._issuer.mint(
            user_id=user_id, district=district, name=name, ttl_s=ttl_s, now=now
        )

    def headers(self, user_id: str, role: Role | str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user_id, role, **kwargs)}"}
