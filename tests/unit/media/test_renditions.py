from __future__ import annotations

from pathlib import Path

import pytest

from chalicelib.config import Settings
from chalicelib.media.probe import MediaInfo, parse_probe
from chalicelib.media.renditions import Trim, encode_command, output_fps, plan, remux_command


def _info(
    w: int,
    h: int,
    *,
    codec: str = "h264",
    rotation: int = 0,
    fps: str = "30/1",
    fmt: str = "mov,mp4,m4a,3gp,3g2,mj2",
    audio: bool = True,
) -> MediaInfo:
    streams = [
        {
            "codec_type": "video",
            "codec_name": codec,
            "profile": "High",
            "pix_fmt": "yuv420p",
            "width": w,
            "height": h,
            "avg_frame_rate": fps,
            "r_frame_rate": fps,
            "side_data_list": [{"rotation": rotation}] if rotation else [],
        }
    ]
    if audio:
        streams.append(
            {
                "codec_type": "audio",
                "codec_name": "aac",
                "index": 1,
                "channels": 2,
                "sample_rate": "48000",
            }
        )
    return parse_probe({"streams": streams, "format": {"format_name": fmt, "duration": "60"}}, 1)


def _labels(info: MediaInfo) -> list[tuple[str, int, int, bool]]:
    return [(r.label, r.width, r.height, r.remux) for r in plan(info)]


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (_info(3840, 2160, codec="hevc"), [("720p", 1280, 720, False), ("360p", 640, 360, False)]),
        (
            _info(1920, 1080),
            [("1080p", 1920, 1080, True), ("720p", 1280, 720, False), ("360p", 640, 360, False)],
        ),
        (_info(1280, 720), [("720p", 1280, 720, True), ("360p", 640, 360, False)]),
        # Portrait phone video: labelled by the short side, stays upright.
        (
            _info(1920, 1080, codec="hevc", rotation=90),
            [("720p", 720, 1280, False), ("360p", 360, 640, False)],
        ),
        # Never upscaled: a small source keeps its size (made even).
        (_info(481, 271, codec="mpeg4"), [("270p", 480, 270, False)]),
        (
            _info(640, 480, codec="vp9", fmt="matroska,webm"),
            [("480p", 640, 480, False), ("360p", 480, 360, False)],
        ),
        (_info(640, 360), [("360p", 640, 360, True)]),
    ],
)
def test_ladder(info: MediaInfo, expected: list[tuple[str, int, int, bool]]) -> None:
    assert _labels(info) == expected


def test_output_fps_is_constant_and_capped() -> None:
    settings = Settings()
    assert output_fps(_info(1280, 720, fps="60/1"), settings) == 30
    assert str(output_fps(_info(1280, 720, fps="30000/1001"), settings)) == "30000/1001"
    assert output_fps(_info(1280, 720, fps="0/0"), settings) == 30


def test_encode_command_is_one_decode_split_into_every_rendition(tmp_path: Path) -> None:
    settings = Settings()
    info = _info(1920, 1080, codec="hevc")
    outputs = [(r, tmp_path / r.filename) for r in plan(info)]
    argv = encode_command(tmp_path / "in", outputs, info, settings)
    joined = " ".join(argv)
    assert argv.count("-i") == 1
    assert "split=2" in joined
    assert joined.count("libx264") == 2
    assert joined.count("+faststart") == 2
    assert "fps=fps=30/1:start_time=0" in joined
    assert "-map_metadata -1" in joined  # no phone GPS or device tags in outputs
    assert "-sc_threshold 0" in joined


def test_no_audio_maps_no_audio(tmp_path: Path) -> None:
    info = _info(1280, 720, codec="hevc", audio=False)
    argv = encode_command(tmp_path / "in", [(plan(info)[0], tmp_path / "a.mp4")], info, Settings())
    assert "aac" not in argv
    assert "-c" in remux_command(tmp_path / "in", tmp_path / "o.mp4", info, Settings())


def test_clips_never_remux_because_a_copy_could_only_cut_at_keyframes() -> None:
    web_ready = _info(1920, 1080)
    assert plan(web_ready)[0].remux
    clip_plan = plan(web_ready, allow_remux=False)
    assert [(r.label, r.remux) for r in clip_plan] == [("720p", False), ("360p", False)]


def test_a_trim_seeks_the_input_and_bounds_its_length() -> None:
    info = _info(1280, 720)
    outputs = [(r, Path(f"/tmp/{r.filename}")) for r in plan(info, allow_remux=False)]
    argv = encode_command(
        Path("/tmp/in.mp4"), outputs, info, Settings(), Trim(start_s=7.3, duration_s=12.0)
    )
    source = argv.index("file:/tmp/in.mp4")
    # Input options (before -i): decode from the keyframe before 7.3 s, drop frames to it.
    assert argv[:source].index("-ss") < argv[:source].index("-i")
    assert argv[argv.index("-ss") : argv.index("-ss") + 4] == ["-ss", "7.300", "-t", "12.000"]
    assert "-c" not in argv  # re-encoded, never stream-copied
