"""Request and response shapes of the review-queue API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.clips.schemas import ClipView

Status = Literal["pending", "in_review", "approved", "rejected", "unpublished", "withdrawn"]


class NominateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(min_length=1, max_length=5000, description="Why this is a good example")
    elements: list[str] = Field(
        min_length=1, max_length=10, description="Framework elements the clip shows"
    )


class ApproveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    checklist: dict[str, bool] = Field(
        description="Every QC criterion (GET /review-queue/checklist) must be confirmed true"
    )
    checklist_version: int | None = Field(
        default=None, ge=0, description="The version you read; 409 if the district changed it"
    )
    note: str | None = Field(default=None, max_length=5000)


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(
        min_length=3, max_length=5000, description="Shown to the nominator, who may renominate"
    )


class UnpublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=5000)


class QueueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status = "pending"
    element: str | None = Field(default=None, max_length=64)
    school: str | None = Field(default=None, max_length=128)
    cursor: str | None = None
    limit: int = Field(default=25, ge=1, le=100)


class TransitionView(BaseModel):
    at: datetime
    by: str
    by_name: str | None = Field(default=None, description="Their name, when the token gave one")
    by_role: str
    from_status: str | None
    to_status: str
    note: str | None


class RecordingView(BaseModel):
    """Who is in the recording and whether it may be in the library, for a reviewer."""

    teacher_id: str
    teacher_name: str | None
    school: str | None
    consent_to_library: bool = Field(description="The teacher agreed to share it in the library")
    contains_students_without_consent: bool
    legal_hold: bool
    privacy: str = Field(description="Consent and privacy in plain words")


class ReviewItemView(BaseModel):
    id: str
    clip_id: str
    video_id: str
    school: str | None
    title: str
    note: str
    elements: list[str]
    status: Status
    nominated_by: str
    nominated_by_name: str | None = None
    submitted_at: datetime
    age_s: float = Field(description="Seconds since it was submitted")
    claimed_by: str | None = Field(description="Set while a live claim holds the item")
    claim_expires_at: datetime | None
    decided_by: str | None
    decided_by_name: str | None = None
    decided_at: datetime | None
    decision_age_s: float | None = Field(
        default=None, description="Seconds from nomination to decision (the clock stops)"
    )
    checklist: dict[str, bool] | None
    checklist_version: int | None = Field(description="The QC checklist version it confirmed")
    decision_note: str | None
    reject_reason: str | None
    unpublish_reason: str | None
    history: list[TransitionView] = Field(description="Every transition: who, when, from → to")
    clip: ClipView | None = Field(description="The clip (absent if it has been deleted)")
    recording: RecordingView | None = Field(
        default=None, description="The source recording's teacher, consent and privacy"
    )


class ReviewItemPage(BaseModel):
    items: list[ReviewItemView]
    next_cursor: str | None


class CriterionView(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_]{0,63}$", description="Stable, in approvals")
    label: str = Field(min_length=3, max_length=300)


class ChecklistView(BaseModel):
    version: int = Field(description="0 is the built-in checklist")
    items: list[CriterionView]
    updated_by: str | None


class ChecklistQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=0, description="An earlier version")


class PutChecklistRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    items: list[CriterionView] = Field(min_length=1, max_length=20)
    version: int = Field(ge=0, description="The version you read; a stale one gets 409")

    @field_validator("items")
    @classmethod
    def _unique_keys(cls, items: list[CriterionView]) -> list[CriterionView]:
        keys = [item.key for item in items]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"criterion keys must be unique; repeated: {', '.join(repeated)}")
        return items


class ReviewStats(BaseModel):
    by_status: dict[str, int] = Field(description="pending, in_review, approved, rejected, …")
    oldest_pending_age_s: float | None
    median_decision_s_30d: float | None = Field(
        description="Median seconds from nomination to decision, decisions of the last 30 days"
    )
    decisions_30d: int
    by_element: dict[str, dict[str, int]] = Field(description="element → status → count")
    by_reviewer: dict[str, dict[str, int]] = Field(description="reviewer → decision → count")
