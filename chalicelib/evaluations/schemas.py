"""What the evaluation routes accept and answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CreateEvaluationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    scores: dict[str, int] = Field(
        min_length=1, description="element id → a level of the rubric (GET /evaluations/rubric)"
    )
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
    rubric_version: int = Field(description="The rubric it was scored on (?version= reads it)")
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


class LevelView(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    score: int
    label: str = Field(min_length=1, max_length=80)


class RubricView(BaseModel):
    version: int = Field(description="0 is the built-in 1-4 rubric")
    levels: list[LevelView]
    updated_by: str | None


class RubricQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=0)


class PutRubricRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    levels: list[LevelView] = Field(description="2 to 10 levels, scores rising (e.g. 1-4, 1-5)")
    version: int = Field(ge=0, description="The version you read; a stale one gets 409")
