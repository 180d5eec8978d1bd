"""Request and response shapes of the clips API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.api.links import CarriesPlayback, PlaybackLink
from chalicelib.videos.schemas import RenditionView


class CreateClipRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    start_s: float | None = Field(default=None, ge=0, description="In-point, seconds")
    end_s: float | None = Field(default=None, gt=0, description="Out-point, seconds")
    title: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Required unless promoting a comment (its body becomes the title)",
    )
    tags: list[str] | None = Field(default=None, max_length=20)
    from_comment_id: str | None = Field(
        default=None,
        description="Promote this range comment: its range, tags and body become the clip's",
    )

    @model_validator(mode="after")
    def _span_or_comment(self) -> CreateClipRequest:
        if self.from_comment_id is None:
            if self.start_s is None or self.end_s is None:
                raise ValueError("send start_s and end_s, or from_comment_id")
            if self.title is None:
                raise ValueError("a clip needs a title")
        if self.start_s is not None and self.end_s is not None and self.end_s <= self.start_s:
            raise ValueError("end_s must be after start_s")
        return self


class RetrimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    start_s: float = Field(ge=0, description="In-point in the source video, seconds")
    end_s: float = Field(gt=0, description="Out-point in the source video, seconds")
    title: str | None = Field(
        default=None, min_length=1, max_length=200, description="Default: the clip's title"
    )
    tags: list[str] | None = Field(
        default=None, max_length=20, description="Default: the clip's tags"
    )

    @model_validator(mode="after")
    def _ordered(self) -> RetrimRequest:
        if self.end_s <= self.start_s:
            raise ValueError("end_s must be after start_s")
        return self


class ReviewRef(BaseModel):
    id: str
    status: str
    reason: str | None = Field(default=None, description="Why it was rejected or unpublished")


class ClipView(CarriesPlayback):
    id: str
    video_id: str
    title: str
    description: str | None
    school: str | None
    owner_id: str = Field(description="The teacher in the recording")
    created_by: str
    start_s: float = Field(description="In-point in the source video")
    end_s: float
    duration_s: float = Field(description="Measured once ready, else the requested length")
    tags: list[str]
    status: Literal["processing", "ready", "failed"]
    progress: float
    failure_reason: str | None
    warning: str | None = Field(description="e.g. the length is outside the suggested 2-5 min")
    renditions: list[RenditionView]
    hls: bool = Field(
        default=False, description="Streams adaptively: POST /clips/{id}/playback gives access"
    )
    redacted: bool = Field(
        default=False,
        description="Students' faces are blurred in the media shown to you (its redacted "
        "version: you may not watch the recording itself); no media until one is ready",
    )
    poster_url: PlaybackLink | None
    storyboard_url: PlaybackLink | None
    storyboard_vtt_url: PlaybackLink | None
    review: ReviewRef | None
    published: bool
    revision_of: str | None = Field(
        default=None, description="The clip this one is a new cut of (POST /clips/{id}/retrim)"
    )
    created_at: datetime
    updated_at: datetime


class ClipList(BaseModel):
    items: list[ClipView]


class ClipJob(BaseModel):
    """A clip queue message: cut this clip."""

    clip_id: str = Field(min_length=1)
    # For the district's fair share of the queue (chalicelib/jobs/fairness.py); jobs sent
    # before it was added have none and run uncounted.
    district: str | None = None
