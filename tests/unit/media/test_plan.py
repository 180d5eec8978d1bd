"""The one decision (chalicelib/media/plan.py) from ffprobe facts: no tools, no network.

The JSON files in ffprobe/ are what ffprobe 7.0 prints (-show_format -show_streams) for
files ffmpeg cannot make: an iPhone's Dolby Vision 8.4 clip (HLG base layer, portrait, a
spatial-audio track beside the AAC one), an Android HDR10 clip with mastering metadata, a
streaming Dolby Vision profile 5 file, and an AVCHD camcorder file (1440x1080 anamorphic,
interlaced, 5.1 AC-3, starting at 1.4 s).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from chalicelib.config import Settings
from chalicelib.media.filters import filtergraph, video_chain, video_output_args
from chalicelib.media.plan import (
    FieldCounts,
    HdrKind,
    MediaPlan,
    ToneMapper,
    Tools,
    decide,
)
from chalicelib.media.probe import MediaInfo, parse_probe

SETTINGS = Settings()
RECORDED = Path(__file__).parent / "ffprobe"


def recorded(name: str) -> MediaInfo:
    document = json.loads((RECORDED / f"{name}.json").read_text())
    return parse_probe(document, int(document["format"]["size"]))


def _plan(info: MediaInfo, **kwargs: Any) -> MediaPlan:
    return decide(info, SETTINGS, tools=kwargs.pop("tools", Tools()), **kwargs)


def _video(**fields: Any) -> dict[str, Any]:
    return {
        "index": 0,
        "codec_type": "video",
        "codec_name": "h264",
        "profile": "High",
        "level": 40,
        "pix_fmt": "yuv420p",
        "width": 1920,
        "height": 1080,
        "avg_frame_rate": "30/1",
        "r_frame_rate": "30/1",
        "field_order": "progressive",
        "start_time": "0.000000",
        **fields,
    }


def _audio(**fields: Any) -> dict[str, Any]:
    return {
        "index": 1,
        "codec_type": "audio",
        "codec_name": "aac",
        "profile": "LC",
        "channels": 2,
        "sample_rate": "48000",
        "start_time": "0.000000",
        **fields,
    }


def _info(
    video: dict[str, Any] | None = None,
    audio: dict[str, Any] | None = None,
    *,
    no_audio: bool = False,
    format_name: str = "mov,mp4,m4a,3gp,3g2,mj2",
) -> MediaInfo:
    streams = [_video(**(video or {}))]
    if not no_audio:
        streams.append(_audio(**(audio or {})))
    return parse_probe(
        {"streams": streams, "format": {"format_name": format_name, "duration": "30.0"}}, 1000
    )


# --- Dolby Vision and HDR, from recorded ffprobe output ------------------------------------


def test_iphone_dolby_vision_is_tone_mapped_from_its_hlg_base_layer() -> None:
    info = recorded("iphone_dolby_vision_hlg")
    assert info.video is not None and info.video.dolby_vision is not None
    assert info.video.dolby_vision.profile == 8
    assert info.video.dolby_vision.compatibility_id == 4
    plan = _plan(info)
    assert plan.accepted and not plan.remux
    assert plan.colour is not None
    assert plan.colour.hdr is HdrKind.HLG
    assert plan.colour.dolby_vision_profile == 8
    assert plan.colour.bit_depth == 10
    assert plan.tone_mapper is ToneMapper.ZSCALE
    # Portrait phone video: rotated by the display matrix, upright in the plan.
    assert plan.rotation == 270
    assert plan.display == (1080, 1920)
    assert [r.label for r in plan.renditions] == ["720p", "360p"]
    # The AAC track is heard; the spatial-audio track ffmpeg cannot decode is skipped.
    assert plan.audio is not None and plan.audio.stream_index == 1
    assert info.undecodable_audio == ("apac",)


def test_hdr10_peak_comes_from_the_content_light_level() -> None:
    plan = _plan(recorded("android_hdr10"))
    assert plan.colour is not None
    assert plan.colour.hdr is HdrKind.PQ
    assert plan.colour.peak_nits == 1600
    chain = video_chain(plan, 1280, 720)
    assert "tin=smpte2084:pin=bt2020:min=bt2020nc" in chain
    assert "tonemap=tonemap=mobius:desat=0:peak=16" in chain
    assert chain.endswith("zscale=t=bt709:m=bt709:r=limited,format=yuv420p,setsar=1")


def test_dolby_vision_without_a_compatible_base_layer_is_refused_with_a_reason() -> None:
    plan = _plan(recorded("streaming_dolby_vision_profile5"))
    assert not plan.accepted
    assert plan.reason is not None and "Dolby Vision profile 5" in plan.reason


def test_avchd_camcorder_file_is_deinterlaced_squared_and_downmixed() -> None:
    info = recorded("camcorder_avchd")
    plan = _plan(info)
    assert plan.accepted and not plan.remux
    assert plan.container is not None and plan.container.demuxer == "mpegts"
    # 1440x1080 with 4:3 pixels is a 1920x1080 picture.
    assert plan.display == (1920, 1080)
    assert plan.interlacing is not None
    assert (plan.interlacing.parity, plan.interlacing.detected_by) == ("tff", "stream")
    # The field rate (r_frame_rate 59.94) is not mistaken for a variable frame rate.
    assert plan.fps == Fraction(30000, 1001)
    assert "the frame rate varies" not in plan.encode_reasons
    assert plan.audio is not None
    assert (plan.audio.source_channels, plan.audio.output_channels) == (6, 2)
    assert plan.audio.downmix
    assert plan.tone_mapper is None


# --- the remux fast path: only for sources that are truly web-ready ------------------------


def test_a_web_ready_source_is_copied() -> None:
    plan = _plan(_info())
    assert plan.remux
    assert plan.encode_reasons == ()
    assert plan.renditions[0].remux


@pytest.mark.parametrize(
    ("video", "audio", "reason"),
    [
        ({"color_transfer": "arib-std-b67", "color_primaries": "bt2020"}, {}, "HDR (HLG)"),
        ({"color_transfer": "smpte2084"}, {}, "HDR (PQ"),
        ({"color_primaries": "bt2020"}, {}, "BT.2020"),
        ({"pix_fmt": "yuv420p10le", "profile": "High 10"}, {}, "profile High 10"),
        ({"pix_fmt": "yuvj420p"}, {}, "not 8-bit 4:2:0"),
        ({"color_range": "pc"}, {}, "not 8-bit 4:2:0"),
        ({"pix_fmt": "yuv422p"}, {}, "not 8-bit 4:2:0"),
        ({"field_order": "tt"}, {}, "interlaced"),
        ({"profile": "High 4:4:4 Predictive"}, {}, "not browser-safe"),
        ({"level": 52}, {}, "level"),
        ({"sample_aspect_ratio": "4:3"}, {}, "not square"),
        ({}, {"channels": 6, "channel_layout": "5.1"}, "6 channels"),
        ({}, {"codec_name": "mp3"}, "browsers need AAC"),
        ({}, {"sample_rate": "22050"}, "22050 Hz"),
        ({}, {"start_time": "0.500000"}, "start at different times"),
    ],
)
def test_anything_not_web_ready_is_encoded_with_its_reason(
    video: dict[str, Any], audio: dict[str, Any], reason: str
) -> None:
    plan = _plan(_info(video, audio))
    assert plan.accepted
    assert not plan.remux
    assert any(reason in text for text in plan.encode_reasons), plan.encode_reasons


def test_a_progressive_flag_that_lies_is_caught_by_measuring() -> None:
    woven = FieldCounts(tff=3, bff=180, progressive=20, undetermined=37)
    plan = _plan(_info(), fields=woven)
    assert not plan.remux
    assert plan.interlacing is not None
    assert (plan.interlacing.parity, plan.interlacing.detected_by) == ("bff", "measured")
    assert video_chain(plan, 1280, 720).startswith("bwdif=mode=send_frame:parity=bff:deint=all,")


@pytest.mark.parametrize(
    "fields",
    [
        FieldCounts(tff=0, bff=0, progressive=240, undetermined=0),
        # Sharp synthetic pictures fool idet both ways at random: not interlacing.
        FieldCounts(tff=44, bff=49, progressive=15, undetermined=0),
        FieldCounts(tff=31, bff=0, progressive=23, undetermined=0),
        FieldCounts(tff=4, bff=0, progressive=0, undetermined=200),
    ],
)
def test_progressive_measurements_keep_the_fast_path(fields: FieldCounts) -> None:
    plan = _plan(_info(), fields=fields)
    assert plan.remux
    assert plan.interlacing is None


def test_clips_are_always_encoded() -> None:
    plan = _plan(_info(), allow_remux=False)
    assert not plan.remux
    assert plan.encode_reasons[0] == "a clip is cut frame-accurately"


# --- audio ----------------------------------------------------------------------------------


def test_mono_stays_mono_and_every_rate_becomes_48k() -> None:
    plan = _plan(_info(audio={"channels": 1, "channel_layout": "mono", "sample_rate": "8000"}))
    assert plan.audio is not None
    assert (plan.audio.output_channels, plan.audio.output_rate) == (1, 48000)
    graph, _, audio_labels = filtergraph(plan, list(plan.encoded))
    assert "ochl=mono" in graph and "osr=48000" in graph
    assert "alimiter" not in graph  # nothing to mix down
    assert len(audio_labels) == len(plan.encoded)


def test_downmix_keeps_the_centre_channel_and_starts_at_zero() -> None:
    plan = _plan(_info(audio={"channels": 6, "channel_layout": "5.1(side)"}))
    graph, _, _ = filtergraph(plan, list(plan.encoded))
    assert "ochl=stereo" in graph
    assert "clev=0.707" in graph and "lfe_mix_level=0" in graph
    assert "async=1:first_pts=0" in graph
    assert "sample_fmts=fltp" in graph  # float: no normalisation quietening the voice
    assert "alimiter=limit=0.98:level=0:latency=1" in graph


def test_sound_in_a_format_we_cannot_decode_is_refused_not_dropped() -> None:
    info = parse_probe(
        {
            "streams": [_video(), {"index": 1, "codec_type": "audio", "codec_tag_string": "apac"}],
            "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "30.0"},
        },
        1,
    )
    plan = _plan(info)
    assert not plan.accepted
    assert plan.reason is not None and "sound" in plan.reason and "apac" in plan.reason


# --- colour without HDR, and builds without zscale ------------------------------------------


def test_a_tagged_sd_matrix_is_converted_and_the_output_says_bt709() -> None:
    sd = {"width": 720, "height": 480, "codec_name": "mpeg2video", "color_space": "smpte170m"}
    plan = _plan(_info(sd))
    assert "in_color_matrix=smpte170m:out_color_matrix=bt709" in video_chain(plan, 720, 480)
    assert plan.colour is not None and plan.colour.output_tagged


def test_untagged_sd_keeps_its_values_and_says_nothing_untagged_hd_says_bt709() -> None:
    sd = _plan(_info({"width": 720, "height": 480, "codec_name": "mpeg2video"}))
    assert "color_matrix" not in video_chain(sd, 720, 480)
    assert sd.colour is not None and not sd.colour.output_tagged
    args = video_output_args(sd.encoded[0], Fraction(30), "veryfast", bt709_tags=False)
    assert "-colorspace" not in args
    # An HD source's 360p rendition is SD-sized: its BT.709 is written down.
    hd = _plan(_info({"codec_name": "hevc"}))
    assert hd.colour is not None and hd.colour.output_tagged


def test_ten_bit_sdr_is_converted_without_tone_mapping() -> None:
    plan = _plan(_info({"codec_name": "hevc", "pix_fmt": "yuv420p10le", "profile": "Main 10"}))
    assert plan.colour is not None and plan.colour.hdr is None
    chain = video_chain(plan, 1280, 720)
    assert "tonemap" not in chain
    assert "t=bt709:p=bt709:m=bt709:r=limited" in chain


def test_without_zscale_hdr_falls_back_to_the_colorspace_filter() -> None:
    info = _info({"color_transfer": "arib-std-b67", "color_primaries": "bt2020"})
    plan = _plan(info, tools=Tools(zscale=False))
    assert plan.tone_mapper is ToneMapper.COLORSPACE
    chain = video_chain(plan, 1280, 720)
    assert "zscale" not in chain
    assert "colorspace=all=bt709:iall=bt2020" in chain


def test_every_output_is_tagged_bt709_never_hdr() -> None:
    plan = _plan(recorded("android_hdr10"))
    args = video_output_args(plan.encoded[0], Fraction(30), "veryfast")
    tags = dict(zip(args[::2], args[1::2], strict=True))
    assert tags["-color_trc"] == "bt709"
    assert tags["-color_primaries"] == "bt709"
    assert tags["-colorspace"] == "bt709"


def test_refusals_come_from_the_same_decision() -> None:
    plan = _plan(_info({"width": 40, "height": 40}))
    assert not plan.accepted
    assert plan.reason is not None and "picture size" in plan.reason
    assert plan.renditions == ()
