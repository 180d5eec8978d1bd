"""Redaction requests and views (pydantic): what the API takes and shows."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator


class RedactionJobMessage(BaseModel):
    """A redaction queue message: make this run of the clip's redaction."""

    clip_id: str = Field(min_length=1)
    run_id: str = Field(min_length=1)
    district: str | None = None
    # A long clip's run fans out: detect this span only (its index in the run's plan),
    # or, once every span is detected, track, blur and encode (``finish``).
    segment: int | None = Field(default=None, ge=0)
    finish: bool = False


class KeepPoint(BaseModel):
    at_s: float = Field(ge=0, description="The moment of the clip the face was clicked at")
    x: float = Field(ge=0, le=1, description="Where, relative to the frame's width")
    y: float = Field(ge=0, le=1, description="Where, relative to the frame's height")


class StartRedactionRequest(BaseModel):
    keep: list[KeepPoint] = Field(
        default_factory=list,
        max_length=20,
        description="Faces to leave unblurred (the teacher): a click on each, in one frame",
    )


class Region(BaseModel):
    action: Literal["add", "remove"] = Field(
        description="add: blur here (a face the detector missed); remove: do not blur here"
    )
    from_s: float = Field(ge=0)
    to_s: float = Field(ge=0)
    x0: float = Field(ge=0, le=1)
    y0: float = Field(ge=0, le=1)
    x1: float = Field(ge=0, le=1)
    y1: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Region:
        if self.to_s < self.from_s:
            raise ValueError("to_s must not be before from_s")
        if self.x1 <= self.x0 or self.y1 <= self.y0:
            raise ValueError("a region needs x1 > x0 and y1 > y0")
        return self


class RegionsRequest(BaseModel):
    regions: list[Region] = Field(max_length=200)


class SignOffRequest(BaseModel):
    privacy_respected: bool = Field(
        description="The reviewer confirms: students' privacy is respected in this version"
    )
    run_id: str = Field(min_length=1, description="The redacted version the reviewer watched")


class KeptFaceView(BaseModel):
    at_s: float
    x: float
    y: float
    by: str = Field(description="Who chose to keep this face unblurred")
    found: bool | None = Field(description="Whether the click landed on a tracked face")


class RegionView(Region):
    by: str


class RedactionView(BaseModel):
    clip_id: str
    status: Literal["processing", "ready", "failed"]
    progress: float
    failure_reason: str | None
    run_id: str = Field(description="The version being made (or made, once ready)")
    ready_run_id: str | None = Field(description="The version that can be watched")
    keep: list[KeptFaceView]
    regions: list[RegionView]
    faces_found: int | None
    faces_kept: int | None
    unsure_at_s: list[float] = Field(
        description="Moments to check first: where the detector was least sure"
    )
    signed_off: bool = Field(description="A reviewer confirmed the version that is ready")
    signed_off_by: str | None
    signed_off_at: datetime | None
    updated_at: datetime
