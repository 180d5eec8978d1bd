"""Web renditions: which ones to make, and the ffmpeg commands that make them.

Renditions are named by their short side (720p, 360p) so portrait phone video
gets the same quality as landscape. Never upscaled; dimensions are even (H.264
4:2:0 needs that); output is constant frame rate, upright (ffmpeg's autorotate
applies the phone's display matrix), with the moov atom first (faststart).
All encoded renditions come from one decode through a split filter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg

from chalicelib.config import Settings
from chalicelib.media.probe import MediaInfo
from chalicelib.media.runner import ProgressCallback, run_ffmpeg, timeout_for

LADDER = (720, 360)
# x264 rate control per rung: quality-targeted (CRF) with a bitrate cap so a
# noisy classroom does not produce an enormous file.
_RATE = {
    720: {"crf": 23, "maxrate": "2500k", "bufsize": "5000k", "profile": "high", "audio": "128k"},
    360: {"crf": 26, "maxrate": "800k", "bufsize": "1600k", "profile": "main", "audio": "96k"},
}
KEYFRAME_INTERVAL_S = 2


@dataclass(frozen=True)
class Rendition:
    label: str  # "720p", "360p", or the source's own rung for smaller or remuxed sources
    width: int
    height: int
    rung: int  # rate-control rung used when encoding
    remux: bool = False

    @property
    def filename(self) -> str:
        return f"{self.label}.mp4"

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)


def _even(value: float) -> int:
    return max(2, math.floor(value / 2) * 2)


def _scaled(display_w: int, display_h: int, short_target: int) -> tuple[int, int]:
    short = min(display_w, display_h)
    factor = short_target / short
    if display_w <= display_h:
        return _even(short_target), _even(display_h * factor)
    return _even(display_w * factor), _even(short_target)


@dataclass(frozen=True)
class Trim:
    """A clip's span of its source. Cut by decoding, so it need not start on a keyframe."""

    start_s: float
    duration_s: float


def plan(info: MediaInfo, *, allow_remux: bool = True) -> list[Rendition]:
    """The renditions for this source, top first.

    ``allow_remux=False`` for clips: copying streams could only cut at keyframes.
    """
    video = info.require_video()
    width, height = video.display_width, video.display_height
    short = min(width, height)
    renditions: list[Rendition] = []
    if allow_remux and info.is_web_ready:
        renditions.append(Rendition(f"{short}p", width, height, rung=720, remux=True))
    for target in LADDER:
        if renditions and renditions[-1].short_side <= target:
            continue
        if short >= target:
            w, h = _scaled(width, height, target)
            renditions.append(Rendition(f"{target}p", w, h, rung=target))
        elif not renditions:
            # A small source: one rendition at its own size (made even).
            w, h = _even(width), _even(height)
            renditions.append(Rendition(f"{min(w, h)}p", w, h, rung=target))
    return renditions


def output_fps(info: MediaInfo, settings: Settings) -> Fraction:
    rate = info.video.avg_frame_rate if info.video else None
    if rate is None or rate <= 0 or float(rate) > settings.max_output_fps:
        return Fraction(settings.max_output_fps).limit_denominator(1001)
    return rate.limit_denominator(1001)


def encode_command(
    source: Path,
    outputs: list[tuple[Rendition, Path]],
    info: MediaInfo,
    settings: Settings,
    trim: Trim | None = None,
) -> list[str]:
    fps = output_fps(info, settings)
    gop = max(1, round(float(fps) * KEYFRAME_INTERVAL_S))
    # -ss/-t on the input while transcoding: ffmpeg decodes from the keyframe
    # before the in-point and drops frames until it, so the cut is exact.
    window = {"ss": f"{trim.start_s:.3f}", "t": f"{trim.duration_s:.3f}"} if trim else {}
    stream = ffmpeg.input(str(source), **window)
    video = stream.video.filter("fps", fps=f"{fps.numerator}/{fps.denominator}")
    branches = video.filter_multi_output("split", len(outputs)) if len(outputs) > 1 else None
    nodes = []
    for index, (rendition, path) in enumerate(outputs):
        branch = branches[index] if branches is not None else video
        scaled = (
            branch.filter("scale", rendition.width, rendition.height, flags="bicubic")
            .filter("setsar", 1)
            .filter("format", "yuv420p")
        )
        rate = _RATE[rendition.rung]
        streams: list[Any] = [scaled]
        kwargs: dict[str, Any] = {
            "vcodec": "libx264",
            "preset": settings.x264_preset,
            "crf": rate["crf"],
            "maxrate": rate["maxrate"],
            "bufsize": rate["bufsize"],
            "profile:v": rate["profile"],
            "g": gop,
            "keyint_min": gop,
            "sc_threshold": 0,
            "fps_mode": "cfr",
            "movflags": "+faststart",
            "map_metadata": -1,
        }
        if info.has_audio:
            streams.append(stream.audio)
            kwargs.update({"acodec": "aac", "audio_bitrate": rate["audio"], "ac": 2})
        nodes.append(ffmpeg.output(*streams, str(path), **kwargs))
    command = ffmpeg.merge_outputs(*nodes).global_args("-hide_banner", "-nostdin", "-y")
    argv: list[str] = command.compile(cmd=settings.ffmpeg_binary)
    return argv


def remux_command(source: Path, target: Path, info: MediaInfo, settings: Settings) -> list[str]:
    stream = ffmpeg.input(str(source))
    streams: list[Any] = [stream.video]
    if info.has_audio:
        streams.append(stream.audio)
    command = ffmpeg.output(
        *streams, str(target), c="copy", movflags="+faststart", map_metadata=-1
    ).global_args("-hide_banner", "-nostdin", "-y")
    argv: list[str] = command.compile(cmd=settings.ffmpeg_binary)
    return argv


def remux(source: Path, target: Path, info: MediaInfo, settings: Settings) -> None:
    # Copying streams costs I/O only; a generous fixed budget plus duration.
    run_ffmpeg(
        remux_command(source, target, info, settings),
        settings,
        timeout_s=timeout_for(info.duration_s, settings) / 4 + 60,
    )


def encode(
    source: Path,
    outputs: list[tuple[Rendition, Path]],
    info: MediaInfo,
    settings: Settings,
    on_progress: ProgressCallback | None = None,
    trim: Trim | None = None,
) -> None:
    duration = trim.duration_s if trim else info.duration_s
    run_ffmpeg(
        encode_command(source, outputs, info, settings, trim),
        settings,
        timeout_s=timeout_for(duration, settings),
        duration_s=duration,
        on_progress=on_progress,
    )
