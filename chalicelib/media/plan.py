"""What the pipeline will do with a file: one pure decision from what was measured.

``decide`` is the only place that chooses: accept or refuse (and why), copy
the source as it is (remux) or encode it, tone-map HDR, deinterlace, mix audio
down. The ingest and clip workers follow its plan and ``classreel probe``
prints it, so what a teacher is told before uploading is what happens after.
Everything here is pure: the facts come from ``probe`` (ffprobe), the field
measurement (idet) and the ffmpeg build's abilities (``examination``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from chalicelib.config import Settings
from chalicelib.media.formats import Container
from chalicelib.media.ladder import Rendition, ladder
from chalicelib.media.probe import MediaInfo, VideoStream, refusal_reason

WEB_PROFILES = ("Baseline", "Constrained Baseline", "Main", "High")
# H.264 level 5.1 (ffprobe says 51): what browsers' hardware decoders promise.
MAX_WEB_LEVEL = 51
WEB_AAC_PROFILES = ("LC", "HE-AAC", "HE-AACv2")
WEB_SAMPLE_RATES = (44100, 48000)
# More than this between the first video and first audio sample and we encode
# (padding the late stream) rather than trust every player with an edit list.
MAX_REMUX_START_SKEW_S = 0.05

PQ = "smpte2084"
HLG = "arib-std-b67"
SDR_TRANSFERS = (None, "bt709", "smpte170m", "bt470bg", "bt470m", "iec61966-2-1", "bt2020-10")
# Nits of diffuse white in a tone-mapped picture (ffmpeg's own convention):
# HDR content above it is compressed, everything below it is kept.
SDR_WHITE_NITS = 100.0
# Phones master HDR for about this peak when a file does not say.
DEFAULT_HDR_PEAK_NITS = 1000.0


class HdrKind(StrEnum):
    PQ = "PQ (HDR10)"
    HLG = "HLG"


@dataclass(frozen=True)
class Colour:
    """The source's colour, and how it becomes 8-bit BT.709 SDR."""

    transfer: str  # zscale's name of the source transfer
    primaries: str
    matrix: str
    full_range: bool
    bit_depth: int
    hdr: HdrKind | None
    dolby_vision_profile: int | None
    peak_nits: float
    tagged: bool = True  # the source names its matrix
    hd: bool = True  # players read an untagged HD picture as BT.709, SD as BT.601

    @property
    def output_tagged(self) -> bool:
        """Whether outputs say BT.709. An untagged SD source's outputs stay untagged (and
        unconverted), so every player reads them as it read the source; anything else is
        written as BT.709 and says so, whatever size a rendition ends up."""
        return self.tagged or self.hd or self.needs_conversion

    @property
    def wide_gamut(self) -> bool:
        return self.primaries == "bt2020"

    @property
    def needs_conversion(self) -> bool:
        """More than a plain 8-bit resample: tone-mapping, gamut or bit depth."""
        return self.hdr is not None or self.wide_gamut or self.bit_depth > 8


@dataclass(frozen=True)
class FieldCounts:
    """What ffmpeg's idet filter saw (its multi-frame counts)."""

    tff: int
    bff: int
    progressive: int
    undetermined: int

    @property
    def interlaced(self) -> bool:
        # Woven frames all show one field order. Sharp synthetic or fast
        # progressive pictures fool idet both ways at random, so one order must
        # clearly outnumber progressive frames and the other order together.
        dominant, other = max(self.tff, self.bff), min(self.tff, self.bff)
        return dominant >= 10 and dominant > 2 * (self.progressive + other)

    @property
    def parity(self) -> str:
        return "tff" if self.tff >= self.bff else "bff"


@dataclass(frozen=True)
class Interlacing:
    parity: str  # "tff" or "bff"
    detected_by: str  # "stream" (its field order) or "measured" (the flag said progressive)


@dataclass(frozen=True)
class AudioPlan:
    stream_index: int
    codec: str
    source_channels: int
    output_channels: int  # 1 (mono kept) or 2
    source_rate: int
    output_rate: int

    @property
    def downmix(self) -> bool:
        return self.source_channels > 2


@dataclass(frozen=True)
class Tools:
    """What the ffmpeg build can do that the plan depends on."""

    zscale: bool = True  # libzimg: proper HDR tone-mapping


class ToneMapper(StrEnum):
    ZSCALE = "zscale + tonemap (mobius)"
    COLORSPACE = "colorspace (approximate: this ffmpeg has no zscale)"


@dataclass(frozen=True)
class MediaPlan:
    accepted: bool
    reason: str | None = None  # why refused, in the teacher's words
    container: Container | None = None
    video_stream_index: int = 0
    display: tuple[int, int] | None = None
    rotation: int = 0
    remux: bool = False
    encode_reasons: tuple[str, ...] = ()  # why the source is not copied as it is
    colour: Colour | None = None
    tone_mapper: ToneMapper | None = None
    interlacing: Interlacing | None = None
    fps: Fraction | None = None
    audio: AudioPlan | None = None
    renditions: tuple[Rendition, ...] = field(default=())

    @property
    def demuxer(self) -> str | None:
        return self.container.demuxer if self.container else None

    @property
    def encoded(self) -> tuple[Rendition, ...]:
        return tuple(r for r in self.renditions if not r.remux)


def refused(reason: str) -> MediaPlan:
    return MediaPlan(accepted=False, reason=reason)


def colour_of(video: VideoStream) -> Colour:
    dv = video.dolby_vision
    transfer = video.color_transfer
    primaries = video.color_primaries
    hdr: HdrKind | None = None
    if dv is not None and (dv.profile == 7 or dv.compatibility_id in (1, 6)):
        hdr, transfer, primaries = HdrKind.PQ, PQ, "bt2020"
    elif dv is not None and dv.compatibility_id == 4:
        hdr, transfer, primaries = HdrKind.HLG, HLG, "bt2020"
    elif transfer == PQ:
        hdr = HdrKind.PQ
    elif transfer == HLG:
        hdr = HdrKind.HLG
    matrix = video.color_space or ("bt2020nc" if primaries == "bt2020" else None)
    # Untagged: what players assume (HD is BT.709, SD is BT.601).
    hd = max(video.width, video.height) >= 1280 or min(video.width, video.height) >= 720
    default = "bt709" if hd else "smpte170m"
    if hdr is None and transfer not in SDR_TRANSFERS:
        transfer = None  # linear, gamma curves of old cameras...: read as the usual SDR curve
    return Colour(
        transfer=transfer or default,
        primaries=primaries or ("bt709" if hd else "smpte170m"),
        matrix=matrix or ("bt709" if hd else "smpte170m"),
        full_range=video.color_range == "pc" or (video.pix_fmt or "").startswith("yuvj"),
        bit_depth=video.bit_depth,
        hdr=hdr,
        dolby_vision_profile=dv.profile if dv else None,
        peak_nits=video.peak_luminance_nits or DEFAULT_HDR_PEAK_NITS,
        tagged=video.color_space is not None,
        hd=hd,
    )


def interlacing_of(video: VideoStream, fields: FieldCounts | None) -> Interlacing | None:
    """The stream's own field order when it says interlaced; else what idet measured."""
    order = video.field_order
    if order in ("tt", "tb"):
        return Interlacing("tff", "stream")
    if order in ("bb", "bt"):
        return Interlacing("bff", "stream")
    if fields is not None and fields.interlaced:
        return Interlacing(fields.parity, "measured")
    return None


def audio_plan(info: MediaInfo, settings: Settings) -> AudioPlan | None:
    audio = info.audio
    if audio is None:
        return None
    return AudioPlan(
        stream_index=audio.index,
        codec=audio.codec,
        source_channels=audio.channels,
        output_channels=1 if audio.channels == 1 else 2,
        source_rate=audio.sample_rate,
        output_rate=settings.output_audio_sample_rate,
    )


def output_fps(info: MediaInfo, settings: Settings) -> Fraction:
    rate = info.video.avg_frame_rate if info.video else None
    if rate is None and info.video is not None:
        rate = info.video.real_frame_rate
    if rate is None or rate <= 0 or float(rate) > settings.max_output_fps:
        return Fraction(settings.max_output_fps).limit_denominator(1001)
    return rate.limit_denominator(1001)


def encode_reasons(
    info: MediaInfo, colour: Colour, interlacing: Interlacing | None
) -> tuple[str, ...]:
    """Why the source cannot be copied to the web as it is (empty: it can)."""
    video = info.require_video()
    reasons: list[str] = []
    if "mp4" not in info.format_name.split(","):
        reasons.append("the container is not MP4/MOV")
    if video.codec != "h264":
        reasons.append(f"the video is {video.codec}, browsers need H.264")
    elif (video.profile or "") not in WEB_PROFILES:
        reasons.append(f"H.264 profile {video.profile or 'unknown'} is not browser-safe")
    elif video.level is not None and video.level > MAX_WEB_LEVEL:
        reasons.append("H.264 level is above 5.1")
    if colour.hdr is not None:
        reasons.append(f"HDR ({colour.hdr.value}) must be tone-mapped to SDR")
    elif colour.wide_gamut:
        reasons.append("BT.2020 colour must be converted to BT.709")
    if video.pix_fmt != "yuv420p" or colour.full_range:
        reasons.append(f"pixel format {video.pix_fmt or 'unknown'} is not 8-bit 4:2:0")
    if interlacing is not None:
        reasons.append("the picture is interlaced")
    if video.rotation:
        reasons.append(f"the picture is stored rotated by {video.rotation} degrees")
    if max(video.width, video.height) > 1920 or min(video.width, video.height) > 1080:
        reasons.append("the picture is larger than 1080p")
    if video.width % 2 or video.height % 2:
        reasons.append("the picture has odd dimensions")
    if not video.square_pixels:
        reasons.append("the pixels are not square")
    if video.variable_frame_rate:
        reasons.append("the frame rate varies")
    audio = info.audio
    if audio is not None:
        if audio.codec != "aac" or (audio.profile or "LC") not in WEB_AAC_PROFILES:
            reasons.append(f"the sound is {audio.codec}, browsers need AAC")
        if audio.channels not in (1, 2):
            reasons.append(f"the sound has {audio.channels} channels")
        if audio.sample_rate not in WEB_SAMPLE_RATES:
            reasons.append(f"the sound's sample rate is {audio.sample_rate} Hz")
        if (
            audio.start_time_s is not None
            and video.start_time_s is not None
            and abs(audio.start_time_s - video.start_time_s) > MAX_REMUX_START_SKEW_S
        ):
            reasons.append("sound and picture start at different times")
    return tuple(reasons)


def decide(
    info: MediaInfo,
    settings: Settings,
    *,
    tools: Tools,
    fields: FieldCounts | None = None,
    allow_remux: bool = True,
) -> MediaPlan:
    """The whole plan for this source. ``allow_remux=False`` for clips, which a copy
    could only cut at keyframes."""
    reason = refusal_reason(info, settings)
    if reason is not None:
        return refused(reason)
    video = info.require_video()
    colour = colour_of(video)
    interlacing = interlacing_of(video, fields)
    reasons = encode_reasons(info, colour, interlacing)
    remux = allow_remux and not reasons
    if not allow_remux:
        reasons = ("a clip is cut frame-accurately", *reasons)
    tone_mapper = None
    if colour.needs_conversion:
        tone_mapper = ToneMapper.ZSCALE if tools.zscale else ToneMapper.COLORSPACE
    display = (video.display_width, video.display_height)
    return MediaPlan(
        accepted=True,
        container=info.container,
        video_stream_index=video.index,
        display=display,
        rotation=video.rotation,
        remux=remux,
        encode_reasons=reasons,
        colour=colour,
        tone_mapper=tone_mapper,
        interlacing=interlacing,
        fps=output_fps(info, settings),
        audio=audio_plan(info, settings),
        renditions=tuple(ladder(*display, remux_top=remux)),
    )


# --- the plan as a document: the planner writes it once, every segment task reads it ----


def to_document(plan: MediaPlan) -> dict[str, Any]:
    """A JSON-safe dict that ``from_document`` turns back into the same plan."""
    document = dataclasses.asdict(plan)
    document["fps"] = f"{plan.fps.numerator}/{plan.fps.denominator}" if plan.fps else None
    return document


def from_document(document: dict[str, Any]) -> MediaPlan:
    def _optional(kind: Any, value: Any) -> Any:
        return None if value is None else kind(**value)

    colour = document.get("colour")
    if colour is not None:
        colour = Colour(**{**colour, "hdr": HdrKind(colour["hdr"]) if colour["hdr"] else None})
    container = document.get("container")
    if container is not None:
        container = Container(
            container["demuxer"],
            container["label"],
            tuple(container["extensions"]),
            tuple(container["content_types"]),
        )
    fps = document.get("fps")
    return MediaPlan(
        accepted=document["accepted"],
        reason=document.get("reason"),
        container=container,
        video_stream_index=document["video_stream_index"],
        display=tuple(document["display"]) if document.get("display") else None,
        rotation=document["rotation"],
        remux=document["remux"],
        encode_reasons=tuple(document["encode_reasons"]),
        colour=colour,
        tone_mapper=ToneMapper(document["tone_mapper"]) if document.get("tone_mapper") else None,
        interlacing=_optional(Interlacing, document.get("interlacing")),
        fps=Fraction(fps) if fps else None,
        audio=_optional(AudioPlan, document.get("audio")),
        renditions=tuple(Rendition(**r) for r in document["renditions"]),
    )
