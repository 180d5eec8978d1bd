"""Where a lesson's files live, under its plan's prefix ``videos/{video}/{job}/``.

- ``plan.json``: the media plan every task follows;
- ``work/``: scratch (the source cut into chunks, the sound), deleted before ``ready``;
- ``hls/``: the master playlist, one folder per rung and ``audio/``, each with its
  playlist, init segment(s) and media segments;
- the download MP4, poster and storyboard beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.media.ladder import Rendition
from chalicelib.storage.keys import video_media_prefix

PLAN_DOCUMENT = "plan.json"
WORK_DIR = "work/"
DOWNLOAD = "download.mp4"
POSTER = "poster.jpg"
SPRITE = "storyboard.jpg"
VTT = "storyboard.vtt"
PLAYLIST = "index.m3u8"
AUDIO_DIR = "audio"
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_TYPE = "video/iso.segment"
INIT_TYPE = "video/mp4"


def plan_prefix(video_id: str, job_id: str) -> str:
    return f"{video_media_prefix(video_id)}{job_id}/"


def plan_key(video_id: str, job_id: str) -> str:
    return plan_prefix(video_id, job_id) + PLAN_DOCUMENT


def work_prefix(video_id: str, job_id: str) -> str:
    return plan_prefix(video_id, job_id) + WORK_DIR


def rendition_dir(label: str) -> str:
    return f"{label}/"


def segment_name(index: int) -> str:
    return f"seg_{index:05d}.m4s"


def init_name(init_id: str) -> str:
    return f"init_{init_id}.mp4"


@dataclass(frozen=True)
class LessonLayout:
    """Where a plan's HLS files live: ``{hls_prefix}{label}/...`` and the master."""

    hls_prefix: str
    renditions: Sequence[Rendition]

    def key(self, relative: str) -> str:
        return self.hls_prefix + relative


def layout_for(video_id: str, job_id: str, renditions: list[Rendition]) -> LessonLayout:
    return LessonLayout(plan_prefix(video_id, job_id) + "hls/", renditions)
