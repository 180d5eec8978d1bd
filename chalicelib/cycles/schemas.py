"""What the coaching-cycle routes accept and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class OpenCycleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    goal: str = Field(min_length=3, max_length=500, description="What the teacher works toward")
    element: str = Field(min_length=1, max_length=64, description="An active framework element")
    teacher_id: str | None = Field(default=None, max_length=128, description="A coach names it")
    coach_id: str | None = Field(default=None, max_length=128, description="A teacher names it")


class AddEvidenceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    video_id: str = Field(min_length=1, max_length=64, description="One of the teacher's videos")
    comment_id: str | None = Field(default=None, max_length=64, description="A moment of it")
    note: str = Field(min_length=1, max_length=2000)


class CloseCycleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reflection: str = Field(min_length=3, max_length=10_000)


class CyclesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "closed", "all"] = "open"


class EvidenceView(BaseModel):
    video_id: str
    comment_id: str | None
    at_s: float | None
    note: str
    added_by: str
    added_at: datetime
    week: int = Field(description="The cycle's week it was added in (1, 2, …)")


class CycleView(BaseModel):
    id: str
    teacher_id: str
    coach_id: str
    element: str
    goal: str
    status: Literal["open", "closed"]
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    reflection: str | None
    evidence_count: int


class CycleDetail(CycleView):
    evidence: list[EvidenceView]


class CycleList(BaseModel):
    items: list[CycleView]
