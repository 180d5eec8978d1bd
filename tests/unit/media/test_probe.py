from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from chalicelib.config import Settings
from chalicelib.media.errors import MediaRejected
from chalicelib.media.plan import Tools, decide
from chalicelib.media.probe import MediaInfo, parse_probe, validate

SETTINGS = Settings()


def _doc(video: dict[str, Any] | None = None, audio: bool = True, **fmt: Any) -> dict[str, Any]:
    streams: list[dict[str, Any]] = []
    if video is not None:
        streams.append(
            {
                "codec_type": "video",
                "codec_name": "h264",
                "profile": "High",
                "pix_fmt": "yuv420p",
                "width": 1920,
                "height": 1080,
                "avg_frame_rate": "30/1",
                "r_frame_rate": "30/1",
                "nb_frames": "900",
                **video,
            }
        )
    if audio:
        streams.append(
            {"codec_type": "audio", "codec_name": "aac", "channels": 2, "sample_rate": "48000"}
        )
    return {
        "streams": streams,
        "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "30.0", **fmt},
    }


def _info(video: dict[str, Any] | None = None, **kwargs: Any) -> MediaInfo:
    return parse_probe(_doc(video if video is not None else {}, **kwargs), 1000)


def _web_ready(info: MediaInfo) -> bool:
    return decide(info, SETTINGS, tools=Tools()).remux


def test_phone_rotation_from_display_matrix_swaps_display_size() -> None:
    info = _info({"side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}]})
    assert info.video is not None
    assert info.video.rotation == 270
    assert (info.video.display_width, info.video.display_height) == (1080, 1920)
    assert not _web_ready(info)


def test_legacy_rotate_tag_is_read() -> None:
    info = _info({"tags": {"rotate": "90"}})
    assert info.video is not None and info.video.rotation == 90


def test_web_ready_needs_h264_yuv420p_aac_upright_cfr_and_at_most_1080p() -> None:
    assert _web_ready(_info())
    assert _web_ready(_info(audio=False))
    assert not _web_ready(_info({"codec_name": "hevc"}))
    assert not _web_ready(_info({"pix_fmt": "yuv422p"}))
    assert not _web_ready(_info({"width": 3840, "height": 2160}))
    assert not _web_ready(_info({"avg_frame_rate": "20/1"}))  # variable frame rate
    assert not _web_ready(parse_probe(_doc({}, format_name="matroska,webm"), 1))


def test_vfr_detection_and_rates() -> None:
    info = _info({"avg_frame_rate": "15/1", "r_frame_rate": "30/1"})
    assert info.video is not None and info.video.variable_frame_rate
    assert info.video.avg_frame_rate == Fraction(15)
    assert info.fps == 15.0


def test_cover_art_is_not_a_video_stream() -> None:
    info = parse_probe(
        {
            "streams": [
                {
                    "codec_type": "video",
                    "codec_name": "mjpeg",
                    "width": 500,
                    "height": 500,
                    "disposition": {"attached_pic": 1},
                },
                {"codec_type": "audio", "codec_name": "mp3"},
            ],
            "format": {"format_name": "mp3", "duration": "120"},
        },
        1,
    )
    assert info.video is None
    with pytest.raises(MediaRejected, match="no video track"):
        validate(info, SETTINGS)


@pytest.mark.parametrize(
    ("info", "phrase"),
    [
        (parse_probe({"streams": [], "format": {"format_name": "png_pipe"}}, 1), "still image"),
        (_info({"nb_frames": "1"}), "still image"),
        (parse_probe({"streams": [], "format": {"format_name": "mp3"}}, 1), "not a video"),
        (parse_probe(_doc({}, duration="0.0"), 1), "no length"),
        (parse_probe(_doc({}, duration="N/A"), 1), "no length"),
        (parse_probe(_doc({}, duration=str(3 * 3600 + 1)), 1), "the limit is 3h 00m"),
        (parse_probe(_doc({}, duration="1000000000"), 1), "the limit is"),
        (_info({"width": 64, "height": 64}), "picture size (64x64)"),
        (_info({"width": 9000, "height": 5000}), "picture size"),
        (_info({"width": 1920, "height": 200}), "picture size"),
    ],
)
def test_validation_refuses_with_a_human_reason(info: MediaInfo, phrase: str) -> None:
    with pytest.raises(MediaRejected) as raised:
        validate(info, SETTINGS)
    assert phrase in raised.value.reason


def test_a_normal_video_passes() -> None:
    validate(_info(), SETTINGS)
