"""Object keys are derived by the server, never taken from a client.

Uploads: ``raw/{district}/{video_id}/source`` in the uploads bucket; the ingest
worker recovers the video from the key alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RAW_PREFIX = "raw/"
# Teachers' data exports in the media bucket (chalicelib/privacy/export.py).
EXPORTS_PREFIX = "exports/"
# Each video's and clip's outputs in the media bucket (renditions, HLS, posters).
VIDEOS_PREFIX = "videos/"
CLIPS_PREFIX = "clips/"
_RAW_KEY = re.compile(
    r"^raw/(?P<district>[A-Za-z0-9_-]{1,64})/(?P<video_id>[A-Za-z0-9_-]{1,64})/source$"
)


@dataclass(frozen=True, slots=True)
class RawKey:
    district: str
    video_id: str

    def __str__(self) -> str:
        return f"{RAW_PREFIX}{self.district}/{self.video_id}/source"


def raw_source_key(district: str, video_id: str) -> str:
    return str(RawKey(district, video_id))


def raw_video_prefix(district: str, video_id: str) -> str:
    """Every object (and version) of one video's upload."""
    return f"{RAW_PREFIX}{district}/{video_id}/"


def parse_raw_key(key: str) -> RawKey | None:
    match = _RAW_KEY.match(key)
    if match is None:
        return None
    return RawKey(match["district"], match["video_id"])


def video_media_prefix(video_id: str) -> str:
    return f"{VIDEOS_PREFIX}{video_id}/"


def clip_media_prefix(clip_id: str) -> str:
    """A clip's own outputs, one folder per processing attempt below it."""
    return f"{CLIPS_PREFIX}{clip_id}/"
