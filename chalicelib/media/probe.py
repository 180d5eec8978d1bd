"""What a media file is (ffprobe), and whether it can become a classroom video."""

from __future__ import annotations

import json
import math
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from chalicelib.config import Settings
from chalicelib.media.errors import MediaRejected, MediaToolCrashed

# Demuxers that mean "a picture", not a video.
_IMAGE_FORMATS = ("image2", "png_pipe", "jpeg_pipe", "webp_pipe", "gif", "bmp_pipe", "tiff_pipe")
_IMAGE_CODECS = ("png", "bmp", "tiff", "webp", "gif")
WEB_PROFILES = ("Baseline", "Constrained Baseline", "Main", "High")

CUT_OFF = "The upload was cut off before it finished. Please upload the video again."
NOT_A_VIDEO = "This file is not a video we can read."


@dataclass(frozen=True)
class VideoStream:
    codec: str
    profile: str | None
    pix_fmt: str | None
    width: int
    height: int
    rotation: int
    avg_frame_rate: Fraction | None
    real_frame_rate: Fraction | None
    frame_count: int | None

    @property
    def display_width(self) -> int:
        return self.height if self.rotation % 180 else self.width

    @property
    def display_height(self) -> int:
        return self.width if self.rotation % 180 else self.height

    @property
    def variable_frame_rate(self) -> bool:
        # ffprobe's r_frame_rate is the base rate; avg differs noticeably for VFR.
        if not self.avg_frame_rate or not self.real_frame_rate:
            return False
        return abs(float(self.avg_frame_rate) - float(self.real_frame_rate)) > 0.5


@dataclass(frozen=True)
class AudioStream:
    codec: str
    channels: int
    sample_rate: int


@dataclass(frozen=True)
class MediaInfo:
    format_name: str
    duration_s: float | None
    size_bytes: int
    video: VideoStream | None
    audio: AudioStream | None

    def require_video(self) -> VideoStream:
        if self.video is None:
            raise MediaRejected(NOT_A_VIDEO)
        return self.video

    @property
    def has_audio(self) -> bool:
        return self.audio is not None

    @property
    def fps(self) -> float | None:
        if self.video is None or not self.video.avg_frame_rate:
            return None
        return float(self.video.avg_frame_rate)

    @property
    def is_web_ready(self) -> bool:
        """Playable in every browser as is: H.264 yuv420p (+ AAC), upright, ≤ 1080p, CFR, MP4."""
        video = self.video
        if video is None:
            return False
        return (
            video.codec == "h264"
            and video.pix_fmt == "yuv420p"
            and (video.profile or "") in WEB_PROFILES
            and video.rotation == 0
            and max(video.width, video.height) <= 1920
            and min(video.width, video.height) <= 1080
            and video.width % 2 == 0
            and video.height % 2 == 0
            and not video.variable_frame_rate
            and (self.audio is None or self.audio.codec == "aac")
            and "mp4" in self.format_name.split(",")
        )


def _fraction(value: Any) -> Fraction | None:
    if not isinstance(value, str) or "/" not in value:
        return None
    numerator, _, denominator = value.partition("/")
    try:
        if int(denominator) == 0 or int(numerator) == 0:
            return None
        return Fraction(int(numerator), int(denominator))
    except ValueError:
        return None


def _rotation(stream: dict[str, Any]) -> int:
    for side_data in stream.get("side_data_list") or []:
        if "rotation" in side_data:
            return round(float(side_data["rotation"])) % 360
    rotate = (stream.get("tags") or {}).get("rotate")
    return int(rotate) % 360 if rotate and str(rotate).lstrip("-").isdigit() else 0


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def parse_probe(document: dict[str, Any], size_bytes: int) -> MediaInfo:
    streams = document.get("streams") or []
    video_streams = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    audio_streams = [s for s in streams if s.get("codec_type") == "audio"]
    video = None
    if video_streams:
        v = video_streams[0]
        frames = v.get("nb_frames")
        video = VideoStream(
            codec=v.get("codec_name", "unknown"),
            profile=v.get("profile"),
            pix_fmt=v.get("pix_fmt"),
            width=int(v.get("width") or 0),
            height=int(v.get("height") or 0),
            rotation=_rotation(v),
            avg_frame_rate=_fraction(v.get("avg_frame_rate")),
            real_frame_rate=_fraction(v.get("r_frame_rate")),
            frame_count=int(frames) if str(frames or "").isdigit() else None,
        )
    audio = None
    if audio_streams:
        a = audio_streams[0]
        audio = AudioStream(
            codec=a.get("codec_name", "unknown"),
            channels=int(a.get("channels") or 0),
            sample_rate=int(a.get("sample_rate") or 0),
        )
    fmt = document.get("format") or {}
    duration = _float(fmt.get("duration"))
    if duration is None and video_streams:
        duration = _float(video_streams[0].get("duration"))
    return MediaInfo(
        format_name=fmt.get("format_name", "unknown"),
        duration_s=duration,
        size_bytes=size_bytes,
        video=video,
        audio=audio,
    )


# Top-level MP4/MOV box types a real file starts with.
_MP4_FIRST_BOXES = (b"ftyp", b"mdat", b"moov", b"wide", b"free", b"skip")


def _starts_like_mp4(path: Path) -> bool:
    """A real MP4 header without its index means an interrupted upload, not junk."""
    with path.open("rb") as handle:
        head = handle.read(8)
    return len(head) == 8 and head[4:8] in _MP4_FIRST_BOXES


def probe(path: Path, settings: Settings) -> MediaInfo:
    size = path.stat().st_size
    if size == 0:
        raise MediaRejected("The file is empty (0 bytes). Please upload the video again.")
    argv = [
        settings.ffprobe_binary,
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        str(path),
    ]
    try:
        result = subprocess.run(argv, capture_output=True, timeout=120, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MediaRejected(
            "This file could not be read in reasonable time; it may be damaged."
        ) from exc
    if result.returncode < 0:
        raise MediaToolCrashed(f"ffprobe died with signal {-result.returncode}")
    stderr = result.stderr.decode(errors="replace")
    if result.returncode != 0:
        if "moov atom not found" in stderr and _starts_like_mp4(path):
            raise MediaRejected(CUT_OFF)
        raise MediaRejected(NOT_A_VIDEO)
    try:
        document = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise MediaRejected(NOT_A_VIDEO) from exc
    return parse_probe(document, size)


def _format_duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def validate(info: MediaInfo, settings: Settings) -> None:
    """Refuse what cannot be a classroom video, with a reason a teacher understands."""
    format_names = info.format_name.split(",")
    video = info.video
    if any(name in _IMAGE_FORMATS for name in format_names) or (
        video is not None and video.codec in _IMAGE_CODECS and (video.frame_count or 0) <= 1
    ):
        raise MediaRejected("This file is a still image, not a video.")
    if video is None:
        if info.audio is not None:
            raise MediaRejected("This file has no video track (it looks like an audio recording).")
        raise MediaRejected(NOT_A_VIDEO)
    if video.frame_count is not None and video.frame_count <= 1:
        raise MediaRejected("This file is a still image, not a video.")
    if info.duration_s is None or info.duration_s <= 0.05:
        raise MediaRejected("This video has no length (its duration is 0 seconds).")
    if info.duration_s > settings.max_duration_s:
        raise MediaRejected(
            f"This video is {_format_duration(info.duration_s)} long; the limit is "
            f"{_format_duration(settings.max_duration_s)}. Please trim it and upload again."
        )
    short_side = min(video.width, video.height)
    long_side = max(video.width, video.height)
    if (
        short_side < settings.min_short_side_px
        or long_side > settings.max_long_side_px
        or long_side / short_side > settings.max_aspect_ratio
    ):
        raise MediaRejected(
            f"This video's picture size ({video.width}x{video.height}) is not one we can use."
        )
