"""ffmpeg filter chains for a plan: pure strings, so any encoder can reuse them.

The whole-file encoder (``renditions.encode_command``) and a segment encoder
build the same picture and sound from the same plan:

- ``video_chain(plan, width, height)``: deinterlace → constant frame rate →
  resize to the top rendition with the colour made 8-bit BT.709 SDR (HDR
  tone-mapped) → ``yuv420p``;
- ``rendition_chain(rendition)``: from that picture to one smaller rendition;
- ``audio_chain(audio)``: mono kept, more channels mixed down to stereo with
  dialogue (the centre channel) kept up front, resampled, and starting exactly
  at zero whatever the container's offsets said;
- ``video_output_args`` / ``audio_output_args``: the encoder settings, with
  BT.709 tags on every output (never the source's HDR ones).

Order matters: fields are woven back before anything mixes neighbouring lines
or drops frames, and tone-mapping runs after the resize, on a 720p picture
rather than a phone's 4K one.
"""

from __future__ import annotations

from fractions import Fraction

from chalicelib.media.ladder import Rendition
from chalicelib.media.plan import (
    SDR_WHITE_NITS,
    AudioPlan,
    Colour,
    Interlacing,
    MediaPlan,
    ToneMapper,
)

KEYFRAME_INTERVAL_S = 2
# x264 rate control per rung: quality-targeted (CRF) with a bitrate cap so a
# noisy classroom does not produce an enormous file.
RATE = {
    720: {"crf": 23, "maxrate": "2500k", "bufsize": "5000k", "profile": "high", "audio": "128k"},
    360: {"crf": 26, "maxrate": "800k", "bufsize": "1600k", "profile": "main", "audio": "96k"},
}
# Stereo from 5.1/7.1 (ATSC A/52's Lo/Ro levels): centre (where dialogue is) and
# surrounds at -3 dB into each side, LFE left out. Not normalised, so a voice
# keeps the level it had; a limiter catches the rare peak that would clip.
CENTRE_MIX = 0.707
SURROUND_MIX = 0.707
LIMIT = 0.98

# ffprobe's matrix names → the scale filter's (the filter knows fewer).
_SCALE_MATRIX = {
    "bt709": "bt709",
    "smpte170m": "smpte170m",
    "bt470bg": "bt470",
    "fcc": "fcc",
    "smpte240m": "smpte240m",
    "bt2020nc": "bt2020",
    "bt2020c": "bt2020",
}


def deinterlace(interlacing: Interlacing) -> str:
    # One progressive frame per frame (25i → 25p): the output rate stays the
    # frame rate the plan chose; bwdif keeps motion smoother than yadif.
    return f"bwdif=mode=send_frame:parity={interlacing.parity}:deint=all"


def constant_rate(fps: Fraction) -> str:
    # start_time=0: a picture that starts after the sound repeats its first
    # frame until then, so picture and sound stay together from the first frame.
    return f"fps=fps={fps.numerator}/{fps.denominator}:start_time=0"


def _zscale_source(colour: Colour) -> str:
    range_ = "full" if colour.full_range else "limited"
    return f"tin={colour.transfer}:pin={colour.primaries}:min={colour.matrix}:rin={range_}"


def colour_and_size(
    colour: Colour, tone_mapper: ToneMapper | None, width: int, height: int
) -> list[str]:
    """Resize to ``width``x``height`` and turn the colour into 8-bit BT.709 SDR."""
    if tone_mapper is ToneMapper.ZSCALE and colour.hdr is not None:
        peak = colour.peak_nits / SDR_WHITE_NITS
        return [
            # To linear light where SDR white is 1.0, at the output size.
            f"zscale=w={width}:h={height}:f=bicubic:{_zscale_source(colour)}"
            f":t=linear:npl={SDR_WHITE_NITS:g}",
            "format=gbrpf32le",
            "zscale=p=bt709",
            # mobius: linear up to near white, highlights rolled off; desat=0
            # keeps colours as saturated as they were (ffmpeg's default greys them).
            f"tonemap=tonemap=mobius:desat=0:peak={peak:.4g}",
            "zscale=t=bt709:m=bt709:r=limited",
            "format=yuv420p",
        ]
    if tone_mapper is ToneMapper.ZSCALE:
        return [
            f"zscale=w={width}:h={height}:f=bicubic:{_zscale_source(colour)}"
            ":t=bt709:p=bt709:m=bt709:r=limited",
            "format=yuv420p",
        ]
    if tone_mapper is ToneMapper.COLORSPACE:
        # Without libzimg there is no proper tone-mapper: the colorspace filter
        # converts BT.2020 primaries and matrix, reading the HDR curve as
        # BT.2020's SDR one. HLG (made to look right on SDR screens) comes out
        # close; PQ comes out flat. Our builds have zscale; this keeps another
        # build from failing outright.
        return [
            f"scale={width}:{height}:flags=bicubic",
            "format=yuv420p10le",
            "colorspace=all=bt709:iall=bt2020:range=tv:format=yuv420p",
        ]
    in_range = "full" if colour.full_range else "tv"
    # A matrix the source names is converted to BT.709; an untagged source keeps its
    # values (what it meant is what players assume, and the output says no more).
    matrix = (
        f":in_color_matrix={_SCALE_MATRIX.get(colour.matrix, 'bt709')}:out_color_matrix=bt709"
        if colour.tagged
        else ""
    )
    return [
        f"scale={width}:{height}:flags=bicubic{matrix}:in_range={in_range}:out_range=tv",
        "format=yuv420p",
    ]


def video_chain(plan: MediaPlan, width: int, height: int) -> str:
    """Source picture → the top rendition's picture (comma-separated filters)."""
    if plan.colour is None or plan.fps is None:
        raise ValueError("a refused plan has no picture to encode")
    chain: list[str] = []
    if plan.interlacing is not None:
        chain.append(deinterlace(plan.interlacing))
    chain.append(constant_rate(plan.fps))
    chain += colour_and_size(plan.colour, plan.tone_mapper, width, height)
    chain.append("setsar=1")
    return ",".join(chain)


def rendition_chain(rendition: Rendition) -> str:
    """The top rendition's picture → a smaller rendition's."""
    return f"scale={rendition.width}:{rendition.height}:flags=bicubic,setsar=1,format=yuv420p"


def audio_chain(audio: AudioPlan) -> str:
    """Source sound → browser-safe sound (comma-separated filters)."""
    layout = "mono" if audio.output_channels == 1 else "stereo"
    resample = [
        f"osr={audio.output_rate}",
        f"ochl={layout}",
        # Fill gaps and a late start with silence, drop what comes before zero:
        # the sound starts with the picture whatever edit lists or offsets said.
        "async=1",
        "first_pts=0",
    ]
    if audio.downmix:
        resample += [f"clev={CENTRE_MIX}", f"slev={SURROUND_MIX}", "lfe_mix_level=0"]
    # Float samples: the downmix is not normalised (which would quieten voices).
    chain = [
        "aresample=" + ":".join(resample),
        f"aformat=sample_fmts=fltp:sample_rates={audio.output_rate}:channel_layouts={layout}",
    ]
    if audio.downmix:
        chain.append(f"alimiter=limit={LIMIT}:level=0:latency=1")
    return ",".join(chain)


def filtergraph(plan: MediaPlan, renditions: list[Rendition]) -> tuple[str, list[str], list[str]]:
    """One decode for every rendition: the filter_complex and its video/audio output labels."""
    top = renditions[0]
    video_in = f"[0:{plan.video_stream_index}]"
    graph = [video_in + video_chain(plan, top.width, top.height)]
    video_labels = [f"[v{index}]" for index in range(len(renditions))]
    if len(renditions) > 1:
        graph[0] += f",split={len(renditions)}[v0]" + "".join(
            f"[s{index}]" for index in range(1, len(renditions))
        )
        graph += [
            f"[s{index}]{rendition_chain(rendition)}[v{index}]"
            for index, rendition in enumerate(renditions)
            if index > 0
        ]
    else:
        graph[0] += "[v0]"
    audio_labels: list[str] = []
    if plan.audio is not None:
        audio_labels = [f"[a{index}]" for index in range(len(renditions))]
        split = f",asplit={len(renditions)}" if len(renditions) > 1 else ""
        graph.append(
            f"[0:{plan.audio.stream_index}]{audio_chain(plan.audio)}{split}{''.join(audio_labels)}"
        )
    return ";".join(graph), video_labels, audio_labels


def video_output_args(
    rendition: Rendition, fps: Fraction, preset: str, *, bt709_tags: bool = True
) -> list[str]:
    rate = RATE[rendition.rung]
    gop = max(1, round(float(fps) * KEYFRAME_INTERVAL_S))
    # What the picture now is: SDR BT.709, limited range (never the source's HDR tags).
    tags = [
        "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
        "-color_range", "tv",
    ] if bt709_tags else ["-color_range", "tv"]  # fmt: skip
    return [
        "-c:v", "libx264", "-preset", preset,
        "-crf", str(rate["crf"]),
        "-maxrate", str(rate["maxrate"]), "-bufsize", str(rate["bufsize"]),
        "-profile:v", str(rate["profile"]),
        "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
        # No B-frames: a fragment's first frame is shown at its decode time, so HLS
        # segments and the sound line up without an edit list (players differ on
        # honouring one). Costs about a tenth more bits at the same quality.
        "-bf", "0",
        "-fps_mode", "cfr",
        *tags,
    ]  # fmt: skip


def audio_output_args(rendition: Rendition) -> list[str]:
    return ["-c:a", "aac", "-b:a", str(RATE[rendition.rung]["audio"])]
