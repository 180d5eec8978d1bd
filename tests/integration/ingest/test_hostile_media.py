"""Hostile media: playlists and concat scripts uploaded as video/mp4 must not make ffmpeg
reach anything. Their segment URLs point at a canary HTTP server on 127.0.0.1 (a free
port, stopped by the test); each file is refused with a reason and the canary hears
nothing. Only loopback is ever addressed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from chalicelib.config import Settings
from chalicelib.media import formats
from chalicelib.media.probe import MediaInfo, parse_probe, probe_command
from chalicelib.media.renditions import remux_command
from chalicelib.media.runner import run_probe_tool
from tests.support.api import Api, upload_sample
from tests.support.reliability_report import Report

pytestmark = pytest.mark.integration


@dataclass
class Canary:
    port: int
    paths: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    heard: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # a media tool fetching a segment
            heard.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Canary(server.server_address[1], heard)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def hls_playlist(canary: Canary) -> bytes:
    return (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
        f"#EXTINF:2.0,\n{canary.url('hls/seg0.ts')}\n"
        f"#EXTINF:2.0,\n{canary.url('hls/seg1.ts')}\n#EXT-X-ENDLIST\n"
    ).encode()


def ffconcat_script(canary: Canary) -> bytes:
    return (
        "ffconcat version 1.0\n"
        f"file '{canary.url('concat/a.mp4')}'\n"
        "file 'subfile,,start,0,end,4096,,:/etc/passwd'\n"
    ).encode()


def playlist_behind_id3(canary: Canary) -> bytes:
    """A playlist inside a file that starts as an MP3's ID3 tag: ffmpeg's format probe
    skips ID3 tags, so it would see the playlist, not an MP3."""
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0, 100]) + b"\x00" * 100
    return tag + hls_playlist(canary)


HOSTILE: dict[str, Callable[[Canary], bytes]] = {
    "hls_playlist": hls_playlist,
    "ffconcat_script": ffconcat_script,
    "playlist_behind_id3": playlist_behind_id3,
}


# The names such files really have: ffmpeg would then take them for what they are.
NATURAL_NAMES = {
    "hls_playlist": "lesson.m3u8",
    "ffconcat_script": "lesson.ffconcat",
    "playlist_behind_id3": "lesson.m3u8",
}


@pytest.fixture(scope="module")
def hostile_files(canary: Canary, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for name, make in HOSTILE.items():
        (folder / name).mkdir()
        files[name] = folder / name / NATURAL_NAMES[name]
        files[name].write_bytes(make(canary))
    return files


def test_the_canary_hears_a_tool_that_is_not_fenced(
    hostile_files: dict[str, Path], canary: Canary
) -> None:
    """Control: the same ffprobe allowed http (as another build or option might) fetches
    the playlist's segments from the canary. So silence below means the fences held."""
    settings = Settings()
    before = len(canary.paths)
    run_probe_tool(
        [
            settings.ffprobe_binary, "-v", "error", "-protocol_whitelist", "file,http,tcp",
            str(hostile_files["hls_playlist"]),
        ],
        settings,
        timeout_s=60,
    )  # fmt: skip
    assert any(path.startswith("/hls/") for path in canary.paths[before:])
    canary.paths.clear()


@pytest.mark.parametrize("name", HOSTILE)
def test_the_tools_themselves_refuse_to_open_them(
    name: str, hostile_files: dict[str, Path], canary: Canary, tmp_path: Path
) -> None:
    """Beneath the byte sniffing: ffprobe with our fences refuses by its format allow-list,
    and ffmpeg told it is an MP4 finds no MP4, so neither reaches the canary."""
    settings = Settings()
    path = hostile_files[name]
    probed = run_probe_tool(probe_command(path, settings), settings, timeout_s=60)
    assert probed.returncode != 0
    assert "not on whitelist" in probed.stderr, probed.stderr
    remuxed = run_probe_tool(
        remux_command(path, tmp_path / "out.mp4", _any_mp4_info(), settings),
        settings,
        timeout_s=60,
    )
    assert remuxed.returncode != 0
    assert canary.paths == []


@pytest.mark.parametrize("name", HOSTILE)
def test_uploaded_as_video_mp4_they_are_refused_and_reach_nothing(
    name: str,
    hostile_files: dict[str, Path],
    canary: Canary,
    teacher_api: Api,
    reliability_report: Report,
) -> None:
    video_id = upload_sample(teacher_api, hostile_files[name], "lesson.mp4", "video/mp4")
    video = teacher_api.wait_for(video_id)
    assert video["status"] == "failed"
    assert video["failure_reason"] == formats.PLAYLIST
    assert video["renditions"] == []
    assert canary.paths == []
    reliability_report.add("hostile media uploaded as video/mp4", trials=1, faults=1)


def _any_mp4_info() -> MediaInfo:
    """What ffmpeg would be told if something upstream had believed the name."""
    return parse_probe(
        {
            "streams": [
                {
                    "index": 0,
                    "codec_type": "video",
                    "codec_name": "h264",
                    "width": 640,
                    "height": 360,
                    "avg_frame_rate": "30/1",
                    "r_frame_rate": "30/1",
                    "pix_fmt": "yuv420p",
                }
            ],
            "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "3.0"},
        },
        1,
    )
