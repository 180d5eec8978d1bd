"""What a media file is (ffprobe), and whether it can become a classroom video.

``probe`` runs ffprobe fenced like ffmpeg (see ``formats`` and ``runner``);
``parse_probe`` turns its JSON into plain facts and is pure, so recorded
ffprobe output (e.g. of Dolby Vision phone files, which ffmpeg cannot make)
tests it without any tool. ``refusal_reason`` is the one place that decides
what cannot become a video; ``plan.decide`` and ``validate`` both use it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from chalicelib.config import Settings
from chalicelib.media import formats
from chalicelib.media.errors import MediaRejected
from chalicelib.media.runner import run_probe_tool

# Demuxers that mean "a picture", not a video (never opened now, kept for recorded output).
_IMAGE_FORMATS = ("image2", "png_pipe", "jpeg_pipe", "webp_pipe", "gif", "bmp_pipe", "tiff_pipe")
_IMAGE_CODECS = ("png", "bmp", "tiff", "webp", "gif")
# Video codecs ffmpeg decodes that phones, cameras and screen recorders write.
ACCEPTED_VIDEO_CODECS = (
    "h264",
    "hevc",
    "mpeg2video",
    "mpeg1video",
    "mpeg4",
    "msmpeg4v2",
    "msmpeg4v3",
    "h263",
    "mjpeg",
    "vp8",
    "vp9",
    "av1",
    "prores",
    "dvvideo",
    "theora",
    "wmv3",
    "vc1",
    "rawvideo",
)

CUT_OFF = "The upload was cut off before it finished. Please upload the video again."
NOT_A_VIDEO = "This file is not a video we can read."


@dataclass(frozen=True)
class DolbyVision:
    """A stream's Dolby Vision configuration record (what ffprobe reports of it)."""

    profile: int
    compatibility_id: int  # what the base layer is: 1 HDR10, 2 SDR, 4 HLG, 0 none
    base_layer: bool


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
    index: int = 0
    level: int | None = None
    field_order: str | None = None  # progressive, tt, bb, tb, bt, unknown
    color_transfer: str | None = None
    color_primaries: str | None = None
    color_space: str | None = None
    color_range: str | None = None
    sample_aspect: Fraction | None = None
    start_time_s: float | None = None
    duration_s: float | None = None
    dolby_vision: DolbyVision | None = None
    peak_luminance_nits: float | None = None  # mastering display / content light level

    @property
    def _square_width(self) -> int:
        """Stored width in square pixels (camcorders store 1440 wide for 1920, say)."""
        if self.square_pixels:
            return self.width
        return max(2, round(self.width * (self.sample_aspect or 1)))

    @property
    def square_pixels(self) -> bool:
        # Within 1 %: encoders leave ratios like 5776:5769 after resizing by a pixel.
        sar = self.sample_aspect
        return sar is None or abs(float(sar) - 1) <= 0.01

    @property
    def display_width(self) -> int:
        return self.height if self.rotation % 180 else self._square_width

    @property
    def display_height(self) -> int:
        return self._square_width if self.rotation % 180 else self.height

    @property
    def bit_depth(self) -> int:
        fmt = self.pix_fmt or ""
        for depth in (16, 14, 12, 10, 9):
            if f"p{depth}" in fmt or fmt.endswith(f"{depth}le") or fmt.endswith(f"{depth}be"):
                return depth
        return 8

    @property
    def chroma_420(self) -> bool:
        fmt = self.pix_fmt or ""
        return fmt.startswith(("yuv420p", "yuvj420p", "nv12", "p010"))

    @property
    def variable_frame_rate(self) -> bool:
        # ffprobe's r_frame_rate is the base rate; avg differs noticeably for VFR.
        if not self.avg_frame_rate or not self.real_frame_rate:
            return False
        rate, base = float(self.avg_frame_rate), float(self.real_frame_rate)
        # Interlaced streams report the field rate as their base rate.
        if self.field_order not in (None, "progressive", "unknown") and abs(base - 2 * rate) < 0.5:
            return False
        return abs(rate - base) > 0.5


@dataclass(frozen=True)
class AudioStream:
    codec: str
    channels: int
    sample_rate: int
    index: int = 0
    profile: str | None = None
    channel_layout: str | None = None
    start_time_s: float | None = None


@dataclass(frozen=True)
class MediaInfo:
    format_name: str
    duration_s: float | None
    size_bytes: int
    video: VideoStream | None
    audio: AudioStream | None
    # Audio tracks we cannot decode (e.g. a phone's spatial-audio track beside its stereo one).
    undecodable_audio: tuple[str, ...] = ()
    # Where the container's clock starts (MPEG-TS rarely at zero); what -ss counts from.
    start_time_s: float | None = None

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
    def container(self) -> formats.Container | None:
        return formats.container_for(self.format_name)


def _fraction(value: Any, separator: str = "/") -> Fraction | None:
    if not isinstance(value, str) or separator not in value:
        return None
    numerator, _, denominator = value.partition(separator)
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
    return None if math.isnan(number) or math.isinf(number) else number


def _int(value: Any) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def _tag(value: Any) -> str | None:
    return value if isinstance(value, str) and value not in ("", "unknown", "reserved") else None


def _dolby_vision(stream: dict[str, Any]) -> DolbyVision | None:
    for side_data in stream.get("side_data_list") or []:
        if side_data.get("side_data_type") == "DOVI configuration record":
            return DolbyVision(
                profile=_int(side_data.get("dv_profile")) or 0,
                compatibility_id=_int(side_data.get("dv_bl_signal_compatibility_id")) or 0,
                base_layer=bool(_int(side_data.get("bl_present_flag")) or 0),
            )
    return None


def _peak_nits(stream: dict[str, Any]) -> float | None:
    peak = None
    for side_data in stream.get("side_data_list") or []:
        kind = side_data.get("side_data_type")
        if kind == "Content light level metadata" and _float(side_data.get("max_content")):
            return _float(side_data.get("max_content"))
        if kind == "Mastering display metadata":
            value = side_data.get("max_luminance")
            ratio = _fraction(value) if isinstance(value, str) else None
            peak = float(ratio) if ratio else _float(value)
    return peak


def _decodable(stream: dict[str, Any]) -> bool:
    return _tag(stream.get("codec_name")) not in (None, "none")


def _pick_audio(streams: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The track a viewer should hear: the default one ffmpeg can decode, else the first."""
    usable = [s for s in streams if _decodable(s)]
    for stream in usable:
        if (stream.get("disposition") or {}).get("default"):
            return stream
    return usable[0] if usable else None


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
            index=int(v.get("index") or 0),
            level=_int(v.get("level")),
            field_order=_tag(v.get("field_order")),
            color_transfer=_tag(v.get("color_transfer")),
            color_primaries=_tag(v.get("color_primaries")),
            color_space=_tag(v.get("color_space")),
            color_range=_tag(v.get("color_range")),
            sample_aspect=_fraction(v.get("sample_aspect_ratio"), ":"),
            start_time_s=_float(v.get("start_time")),
            duration_s=_float(v.get("duration")),
            dolby_vision=_dolby_vision(v),
            peak_luminance_nits=_peak_nits(v),
        )
    audio = None
    chosen = _pick_audio(audio_streams)
    if chosen is not None:
        audio = AudioStream(
            codec=chosen.get("codec_name", "unknown"),
            channels=int(chosen.get("channels") or 0),
            sample_rate=int(chosen.get("sample_rate") or 0),
            index=int(chosen.get("index") or 0),
            profile=_tag(chosen.get("profile")),
            channel_layout=_tag(chosen.get("channel_layout")),
            start_time_s=_float(chosen.get("start_time")),
        )
    undecodable = tuple(
        str(s.get("codec_tag_string") or s.get("codec_name") or "unknown")
        for s in audio_streams
        if not _decodable(s)
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
        undecodable_audio=undecodable,
        start_time_s=_float(fmt.get("start_time")),
    )


# Top-level MP4/MOV box types a real file starts with.
_MP4_FIRST_BOXES = (b"ftyp", b"mdat", b"moov", b"wide", b"free", b"skip")


def _starts_like_mp4(head: bytes) -> bool:
    """A real MP4 header without its index means an interrupted upload, not junk."""
    return len(head) >= 8 and head[4:8] in _MP4_FIRST_BOXES


def probe_command(path: formats.MediaInput, settings: Settings) -> list[str]:
    return [
        settings.ffprobe_binary,
        "-hide_banner",
        "-v",
        "error",
        *formats.input_args(path),
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
    ]


def probe(path: formats.MediaInput, settings: Settings) -> MediaInfo:
    size = formats.size_of(path)
    if size == 0:
        raise MediaRejected("The file is empty (0 bytes). Please upload the video again.")
    head = formats.head_of(path)
    reason = formats.sniff(head)
    if reason is not None:
        raise MediaRejected(reason)
    result = run_probe_tool(
        probe_command(path, settings), settings, timeout_s=settings.ffprobe_timeout_s
    )
    if result.returncode != 0:
        if "moov atom not found" in result.stderr and _starts_like_mp4(head):
            raise MediaRejected(CUT_OFF)
        if "not on whitelist" in result.stderr:
            raise MediaRejected(formats.NOT_ACCEPTED_CONTAINER)
        raise MediaRejected(NOT_A_VIDEO)
    try:
        document = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise MediaRejected(NOT_A_VIDEO) from exc
    if not isinstance(document, dict):
        raise MediaRejected(NOT_A_VIDEO)
    return parse_probe(document, size)


def _format_duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def refusal_reason(info: MediaInfo, settings: Settings) -> str | None:
    """Why this cannot be a classroom video, in words a teacher understands (None: it can)."""
    format_names = info.format_name.split(",")
    video = info.video
    if any(name in _IMAGE_FORMATS for name in format_names) or (
        video is not None and video.codec in _IMAGE_CODECS and (video.frame_count or 0) <= 1
    ):
        return formats.STILL_IMAGE
    if video is None:
        if info.audio is not None or info.undecodable_audio:
            return formats.AUDIO_ONLY
        return NOT_A_VIDEO
    if info.container is None:
        return formats.NOT_ACCEPTED_CONTAINER
    if video.frame_count is not None and video.frame_count <= 1:
        return formats.STILL_IMAGE
    if video.dolby_vision is not None and not _has_compatible_base_layer(video.dolby_vision):
        return (
            f"This video uses Dolby Vision profile {video.dolby_vision.profile}, which only "
            "Dolby Vision screens can show. Please export it from your phone or camera as "
            "HDR10, HLG or standard video and upload that."
        )
    if info.audio is None and info.undecodable_audio:
        return (
            f"This video's sound is stored in a format ({', '.join(info.undecodable_audio)}) "
            "we can't convert. Please export it with standard (AAC) sound."
        )
    if info.duration_s is None or info.duration_s <= 0.05:
        return "This video has no length (its duration is 0 seconds)."
    if info.duration_s > settings.max_duration_s:
        return (
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
        return f"This video's picture size ({video.width}x{video.height}) is not one we can use."
    if video.codec not in ACCEPTED_VIDEO_CODECS:
        return f"This video is stored in a format ({video.codec}) we can't convert."
    return None


# Base-layer signals ffmpeg can show without Dolby Vision's own processing:
# 1 = HDR10 (PQ), 2 = SDR, 4 = HLG, 6 = PQ for Blu-ray. Profile 7 carries an
# HDR10 base layer whatever its id says.
_COMPATIBLE_BASE_LAYERS = (1, 2, 4, 6)


def _has_compatible_base_layer(dv: DolbyVision) -> bool:
    return dv.profile == 7 or dv.compatibility_id in _COMPATIBLE_BASE_LAYERS


def validate(info: MediaInfo, settings: Settings) -> None:
    """Refuse what cannot be a classroom video, with a reason a teacher understands."""
    reason = refusal_reason(info, settings)
    if reason is not None:
        raise MediaRejected(reason)
