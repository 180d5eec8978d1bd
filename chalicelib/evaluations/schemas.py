"""What the evaluation routes accept and answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CreateEvaluationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    scores: dict[str, int] = Field(min_length=1, description="element id → 1..4")
    summary: str = Field(min_length=1, max_length=10_000)
    evidence: list[str] = Field(
        default_factory=list, max_length=100, description="Comment ids on this video"
    )


class UpdateEvaluationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    scores: dict[str, int] | None = Field(default=None, min_length=1)
    summary: str | None = Field(default=None, min_length=1, max_length=10_000)
    evidence: list[str] | None = Field(default=None, max_length=100)


class AcknowledgeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    response: str | None = Field(default=None, max_length=10_000)


class EvaluationView(BaseModel):
    id: str
    video_id: str
    evaluator_id: str
    evaluator_name: str | None
    scores: dict[str, int]
    summary: str
    evidence: list[str]
    status: str
    released_at: datetime | None
    teacher_response: str | None
    acknowledged_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EvaluationList(BaseModel):
    items: list[EvaluationView]
