"""Poster frame and storyboard sprite (+ WebVTT) from a finished rendition.

Both read the small, upright, keyframe-regular rendition rather than the
source: the poster seeks on the input (``-ss`` before ``-i``, so cost does not
grow with length) and the storyboard decodes keyframes only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from chalicelib.config import Settings
from chalicelib.media import formats
from chalicelib.media.runner import run_ffmpeg, timeout_for

_PTS = re.compile(r"\bpts_time:\s*([0-9.]+)")


@dataclass(frozen=True)
class Storyboard:
    columns: int
    rows: int
    thumb_width: int
    thumb_height: int
    times: tuple[float, ...]


def _our_rendition(path: Path, **options: object) -> Any:
    """Our own MP4, opened with the same fences as an upload (it is only ever a local MP4)."""
    return ffmpeg.input(
        f"file:{path.resolve()}",
        f="mov",
        protocol_whitelist=formats.PROTOCOL_WHITELIST,
        format_whitelist="mov",
        **options,
    )


def poster_time(duration_s: float, settings: Settings) -> float:
    """Early in the clip but past the first frames (often a hand over the lens)."""
    return round(min(settings.poster_at_s, duration_s / 10), 3)


def make_poster(rendition: Path, target: Path, duration_s: float, settings: Settings) -> None:
    command = (
        _our_rendition(rendition, ss=poster_time(duration_s, settings))
        .output(str(target), vframes=1, **{"q:v": 3})
        .global_args("-hide_banner", "-nostdin", "-y")
    )
    run_ffmpeg(command.compile(cmd=settings.ffmpeg_binary), settings, timeout_s=60)


def storyboard_interval(duration_s: float, settings: Settings, keyframe_interval_s: float) -> float:
    """Seconds between thumbnails: a multiple of the keyframe interval, ≤ max thumbs."""
    wanted = duration_s / settings.storyboard_max_thumbs
    return max(1, math.ceil(wanted / keyframe_interval_s)) * keyframe_interval_s


def make_storyboard(
    rendition: Path,
    sprite: Path,
    *,
    width: int,
    height: int,
    duration_s: float,
    keyframe_interval_s: float,
    settings: Settings,
) -> Storyboard:
    interval = storyboard_interval(duration_s, settings, keyframe_interval_s)
    expected = max(1, math.ceil(duration_s / interval))
    columns = min(settings.storyboard_columns, expected)
    rows = math.ceil(expected / columns)
    thumb_w = settings.storyboard_thumb_width
    thumb_h = max(2, round(thumb_w * height / width / 2) * 2)
    # Pick the first keyframe at or after each interval mark; a little slack so
    # a keyframe at 1.999 s counts for the 2 s mark.
    select = f"isnan(prev_selected_t)+gte(t-prev_selected_t,{interval - 0.05:.3f})"
    command = (
        _our_rendition(rendition, skip_frame="nokey")
        .video.filter("select", select)
        .filter("showinfo")
        .filter("scale", thumb_w, thumb_h)
        .filter("tile", f"{columns}x{rows}")
        .output(str(sprite), vframes=1, fps_mode="vfr", **{"q:v": 4})
        .global_args("-hide_banner", "-nostdin", "-y")
    )
    result = run_ffmpeg(
        command.compile(cmd=settings.ffmpeg_binary),
        settings,
        timeout_s=timeout_for(duration_s, settings) / 4 + 60,
    )
    times = tuple(float(match) for match in _PTS.findall(result.stderr))[: columns * rows]
    return Storyboard(columns, rows, thumb_w, thumb_h, times or (0.0,))


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def storyboard_vtt(board: Storyboard, sprite_url: str, duration_s: float) -> str:
    """WebVTT with one cue per thumbnail: ``sprite.jpg#xywh=x,y,w,h``."""
    lines = ["WEBVTT", ""]
    for index, start in enumerate(board.times):
        end = board.times[index + 1] if index + 1 < len(board.times) else duration_s
        if end <= start:
            end = start + 0.001
        x = (index % board.columns) * board.thumb_width
        y = (index // board.columns) * board.thumb_height
        lines += [
            f"{_timestamp(start)} --> {_timestamp(end)}",
            f"{sprite_url}#xywh={x},{y},{board.thumb_width},{board.thumb_height}",
            "",
        ]
    return "\n".join(lines)
