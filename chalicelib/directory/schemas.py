"""Shapes of the directory's API."""

from __future__ import annotations

from pydantic import BaseModel


class MeResponse(BaseModel):
    user_id: str
    name: str | None
    roles: list[str]
    district: str
    school: str | None
