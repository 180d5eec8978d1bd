"""How media work fails: for good (tell the teacher why) or for now (retry)."""

from __future__ import annotations


class MediaRejected(Exception):
    """The file cannot become a video. ``reason`` is shown to the teacher as is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MediaToolCrashed(Exception):
    """ffmpeg/ffprobe died abnormally (signal, out of memory): worth retrying."""
