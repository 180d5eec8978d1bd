"""Shapes of the playback API."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from chalicelib.api.links import CarriesPlayback, PlaybackLink
from chalicelib.videos.schemas import RenditionView


class PlaybackView(CarriesPlayback):
    """Where to play from; the response also sets the cookies that grant it."""

    hls_url: PlaybackLink | None = Field(
        description="Master playlist (HLS, adaptive); null for videos processed before HLS"
    )
    renditions: list[RenditionView] = Field(
        description="Progressive MP4 (download, and playback of videos processed before HLS)"
    )
    expires_at: datetime = Field(description="When access ends unless renewed")
    renew_after_s: int = Field(description="Ask again after this many seconds to keep watching")
