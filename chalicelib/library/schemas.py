"""Request and response shapes of the library API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.links import CarriesPlayback, PlaybackLink
from chalicelib.videos.schemas import RenditionView


class LibraryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    element: str | None = Field(default=None, max_length=64, description="A framework element id")
    q: str | None = Field(
        default=None, max_length=200, description="Words in the title, note or tagged comments"
    )
    school: str | None = Field(default=None, max_length=128)
    cursor: str | None = None
    limit: int = Field(default=20, ge=1, le=100)


class MatchView(BaseModel):
    element: str
    start_s: float = Field(description="Seconds into the clip where the element is shown")
    end_s: float
    body: str | None = Field(description="The tagged comment, when the moment comes from one")
    comment_id: str | None


class LibraryItemView(CarriesPlayback):
    clip_id: str
    video_id: str
    title: str
    school: str | None
    elements: list[str]
    note: str | None
    description: str | None
    duration_s: float
    poster_url: PlaybackLink | None
    storyboard_vtt_url: PlaybackLink | None
    renditions: list[RenditionView]
    matches: list[MatchView] = Field(description="Jump targets, for the element searched for")
    redacted: bool = Field(
        default=False,
        description="Published with students' faces blurred (a reviewer signed the redacted "
        "version off); the library has no other version of it",
    )
    published_at: datetime


class LibraryPage(BaseModel):
    items: list[LibraryItemView]
    next_cursor: str | None
