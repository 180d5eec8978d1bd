"""Test users and their dev tokens."""

from __future__ import annotations

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Role
from chalicelib.config import Settings


class TokenFactory:
    def __init__(self, settings: Settings) -> None:
        self._issuer = DevIssuer(settings)

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
        return self._issuer.mint(
            user_id=user_id,
            role=Role(role),
            district=district,
            school=school,
            ttl_s=ttl_s,
            now=now,
            email=email,
            name=name,
        )

    def headers(self, user_id: str, role: Role | str, **kwargs: object) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user_id, role, **kwargs)}"}  # type: ignore[arg-type]
