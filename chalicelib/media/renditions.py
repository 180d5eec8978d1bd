"""Web renditions: the ffmpeg commands that make them from a plan.

All encoded renditions come from one decode through a split filter (the
chains are in ``filters``); the output is constant frame rate, upright
(ffmpeg's autorotate applies the phone's display matrix), SDR BT.709, with the
moov atom first (faststart) and no phone metadata. A web-ready source is copied
instead (remux), which the plan allows only when nothing about it needs fixing.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from chalicelib.config import Settings, get_settings
from chalicelib.media import filters, formats
from chalicelib.media.errors import MediaRejected
from chalicelib.media.filters import KEYFRAME_INTERVAL_S
from chalicelib.media.ladder import LADDER, Rendition
from chalicelib.media.plan import MediaPlan, Tools, decide
from chalicelib.media.plan import output_fps as _output_fps
from chalicelib.media.probe import NOT_A_VIDEO, MediaInfo
from chalicelib.media.runner import ProgressCallback, run_ffmpeg, timeout_for

__all__ = ["KEYFRAME_INTERVAL_S", "LADDER", "Rendition", "Trim", "encode", "plan", "remux"]


@dataclass(frozen=True)
class Trim:
    """A clip's span of its source. Cut by decoding, so it need not start on a keyframe."""

    start_s: float
    duration_s: float


def _static_plan(info: MediaInfo, allow_remux: bool) -> MediaPlan:
    """A plan from ffprobe's facts alone (no field measurement), for callers without one."""
    return decide(info, get_settings(), tools=Tools(), allow_remux=allow_remux)


def plan(info: MediaInfo, *, allow_remux: bool = True) -> list[Rendition]:
    """The renditions for this source, top first (see ``plan.decide`` for the whole plan)."""
    media_plan = _static_plan(info, allow_remux)
    if not media_plan.accepted:
        info.require_video()
    return list(media_plan.renditions)


def output_fps(info: MediaInfo, settings: Settings) -> Fraction:
    return _output_fps(info, settings)


def _input(source: Path, media_plan: MediaPlan, trim: Trim | None) -> list[str]:
    # -ss/-t on the input while transcoding: ffmpeg decodes from the keyframe
    # before the in-point and drops frames until it, so the cut is exact.
    window = ["-ss", f"{trim.start_s:.3f}", "-t", f"{trim.duration_s:.3f}"] if trim else []
    return [*window, *formats.input_args(source, media_plan.demuxer)]


def encode_command(
    source: Path,
    outputs: list[tuple[Rendition, Path]],
    info: MediaInfo,
    settings: Settings,
    trim: Trim | None = None,
    media_plan: MediaPlan | None = None,
) -> list[str]:
    media_plan = media_plan or _static_plan(info, allow_remux=trim is None)
    if not media_plan.accepted or media_plan.fps is None:
        raise MediaRejected(media_plan.reason or NOT_A_VIDEO)
    renditions = [rendition for rendition, _ in outputs]
    graph, video_labels, audio_labels = filters.filtergraph(media_plan, renditions)
    argv = [
        settings.ffmpeg_binary, "-hide_banner", "-nostdin", "-y",
        *_input(source, media_plan, trim),
        "-filter_complex", graph,
    ]  # fmt: skip
    for index, (rendition, path) in enumerate(outputs):
        argv += ["-map", video_labels[index]]
        argv += filters.video_output_args(
            rendition,
            media_plan.fps,
            settings.x264_preset,
            bt709_tags=media_plan.colour is None or media_plan.colour.output_tagged,
        )
        if audio_labels:
            argv += ["-map", audio_labels[index], *filters.audio_output_args(rendition)]
        argv += ["-movflags", "+faststart", "-map_metadata", "-1", "-map_chapters", "-1"]
        argv.append(str(path))
    return argv


def remux_command(
    source: formats.MediaInput,
    target: Path,
    info: MediaInfo,
    settings: Settings,
    media_plan: MediaPlan | None = None,
) -> list[str]:
    media_plan = media_plan or _static_plan(info, allow_remux=True)
    maps = ["-map", f"0:{media_plan.video_stream_index}"]
    if media_plan.audio is not None:
        maps += ["-map", f"0:{media_plan.audio.stream_index}"]
    return [
        settings.ffmpeg_binary, "-hide_banner", "-nostdin", "-y",
        *formats.input_args(source, media_plan.demuxer),
        *maps, "-c", "copy", "-movflags", "+faststart",
        "-map_metadata", "-1", "-map_chapters", "-1",
        str(target),
    ]  # fmt: skip


def remux(
    source: formats.MediaInput,
    target: Path,
    info: MediaInfo,
    settings: Settings,
    media_plan: MediaPlan | None = None,
) -> None:
    # Copying streams costs I/O only; a generous fixed budget plus duration.
    run_ffmpeg(
        remux_command(source, target, info, settings, media_plan),
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
    media_plan: MediaPlan | None = None,
) -> None:
    duration = trim.duration_s if trim else info.duration_s
    run_ffmpeg(
        encode_command(source, outputs, info, settings, trim, media_plan),
        settings,
        timeout_s=timeout_for(duration, settings),
        duration_s=duration,
        on_progress=on_progress,
    )
