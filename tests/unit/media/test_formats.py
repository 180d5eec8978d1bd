"""Containers by content, and the fences every ffmpeg/ffprobe input gets (no tools run)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from chalicelib.config import Settings
from chalicelib.media import formats, segments
from chalicelib.media.examination import idet_command
from chalicelib.media.plan import Tools, decide
from chalicelib.media.probe import MediaInfo, parse_probe, probe_command
from chalicelib.media.renditions import encode_command, plan, remux_command

ID3 = b"ID3\x04\x00\x00" + bytes([0, 0, 2, 1]) + b"\x00" * 257  # a 257-byte tag


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:4.0,\nhttp://127.0.0.1:9/a.ts\n", formats.PLAYLIST),
        (b"\xef\xbb\xbf#EXTM3U\n", formats.PLAYLIST),
        (b"  \n#EXTINF:10,\nsegment0.ts\n", formats.PLAYLIST),
        (b"ffconcat version 1.0\nfile http://127.0.0.1:9/x.mp4\n", formats.PLAYLIST),
        # ffmpeg skips an ID3 tag before guessing: a playlist can hide behind one.
        (ID3 + b"#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/a.ts\n", formats.PLAYLIST),
        (ID3 + b"\xff\xfb\x90\x00" + b"\x00" * 100, formats.AUDIO_ONLY),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, formats.STILL_IMAGE),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, formats.STILL_IMAGE),
        (b"RIFF\x00\x01\x00\x00WEBPVP8 " + b"\x00" * 100, formats.STILL_IMAGE),
        (struct.pack(">I", 24) + b"ftypheic" + b"\x00" * 100, formats.STILL_IMAGE),
        (b"RIFF\x00\x01\x00\x00WAVEfmt " + b"\x00" * 100, formats.AUDIO_ONLY),
        (b"%PDF-1.7\n" + b"\x00" * 100, formats.DOCUMENT),
        (b"Lesson notes for Tuesday: fractions and decimals.\n", formats.DOCUMENT),
    ],
)
def test_what_is_not_a_video_is_named_from_its_first_bytes(head: bytes, reason: str) -> None:
    assert formats.sniff(head) == reason


@pytest.mark.parametrize(
    "head",
    [
        struct.pack(">I", 32) + b"ftypisom" + b"\x00" * 100,  # MP4
        struct.pack(">I", 20) + b"ftypqt  " + b"\x00" * 100,  # MOV
        b"\x47\x40\x00\x10" + b"\xff" * 184,  # MPEG-TS
        b"\x1a\x45\xdf\xa3" + b"\x00" * 100,  # Matroska/WebM
        b"RIFF\x00\x01\x00\x00AVI LIST" + b"\x00" * 100,  # AVI
        b"\x00\x00\x01\xba" + b"\x44" * 100,  # MPEG-PS
        # An MP4 whose first box (mdat, 1.1 GB) has a size spelling "BM" (a bitmap's magic).
        b"BM\x00\x00mdat" + b"\x00" * 100,
    ],
)
def test_videos_go_on_to_ffprobe(head: bytes) -> None:
    assert formats.sniff(head) is None


@pytest.mark.parametrize(
    ("format_name", "demuxer"),
    [
        ("mov,mp4,m4a,3gp,3g2,mj2", "mov"),
        ("mpegts", "mpegts"),
        ("matroska,webm", "matroska"),
        ("avi", "avi"),
        ("mpeg", "mpeg"),
        ("hls", None),
        ("concat", None),
        ("image2", None),
    ],
)
def test_containers_are_accepted_by_demuxer(format_name: str, demuxer: str | None) -> None:
    container = formats.container_for(format_name)
    assert (container.demuxer if container else None) == demuxer


REMOTE = formats.RemoteSource(
    "https://uploads.s3.amazonaws.com/raw/d/v/source?X-Amz-Signature=x", 1, b""
)
LOCAL_TWIN = formats.RemoteSource(
    "http://127.0.0.1:5000/uploads/raw/d/v/source?X-Amz-Signature=x", 1, b""
)


def _fenced(argv: list[str], demuxer: str | None, source: formats.MediaInput | None = None) -> None:
    """Every input is a local file (or the one object a RemoteSource names) read by an
    accepted demuxer, nothing else."""
    if isinstance(source, formats.RemoteSource):
        at = argv.index(source.url)
        protocols = source.protocols
        assert protocols in ("https,tls,tcp", "http,tcp")
    else:
        at = next(i for i, arg in enumerate(argv) if arg.startswith("file:"))
        protocols = "file"
    options = argv[:at]
    assert options[-1] == "-i"
    assert options[options.index("-protocol_whitelist") + 1] == protocols
    assert options[options.index("-format_whitelist") + 1] == "mov,mpegts,matroska,avi,mpeg"
    if demuxer:
        assert options[options.index("-f") + 1] == demuxer
    assert argv.count("-i") == 1


def _camcorder_info() -> MediaInfo:
    return parse_probe(
        {
            "streams": [
                {
                    "index": 0,
                    "codec_type": "video",
                    "codec_name": "mpeg2video",
                    "width": 1440,
                    "height": 1080,
                    "pix_fmt": "yuv420p",
                    "avg_frame_rate": "25/1",
                    "r_frame_rate": "25/1",
                },
                {"index": 1, "codec_type": "audio", "codec_name": "mp2", "channels": 2},
            ],
            "format": {"format_name": "mpegts", "duration": "20.0"},
        },
        1,
    )


def test_every_command_that_reads_an_upload_is_fenced(tmp_path: Path) -> None:
    settings = Settings()
    source = tmp_path / "source"
    info = _camcorder_info()
    _fenced(probe_command(source, settings), None)
    _fenced(idet_command(source, info, settings), "mpegts")
    outputs = [(r, tmp_path / r.filename) for r in plan(info)]
    _fenced(encode_command(source, outputs, info, settings), "mpegts")
    _fenced(remux_command(source, tmp_path / "o.mp4", info, settings), "mpegts")
    media_plan = decide(info, settings, tools=Tools(zscale=True), fields=None)
    assert media_plan.accepted and media_plan.audio is not None
    target = tmp_path / "chunk.mkv"
    # The lesson's tasks read the upload where it lies, or from the worker's disk.
    for upload in (source, REMOTE, LOCAL_TWIN):
        _fenced(probe_command(upload, settings), None, upload)
        _fenced(idet_command(upload, info, settings), "mpegts", upload)
        _fenced(
            segments.cut_chunk_command(upload, target, 0, 6, media_plan, settings), "mpegts", upload
        )
        _fenced(
            segments.package_audio_command(
                upload, tmp_path, media_plan.audio, settings, demuxer="mpegts"
            ),
            "mpegts",
            upload,
        )
        _fenced(remux_command(upload, tmp_path / "o.mp4", info, settings), "mpegts", upload)


def test_a_remote_source_speaks_https_only_to_the_object_it_names() -> None:
    assert REMOTE.protocols == "https,tls,tcp"
    args = formats.input_args(REMOTE, "mov")
    assert args[-1] == REMOTE.url and "file" not in args[args.index("-protocol_whitelist") + 1]
    assert LOCAL_TWIN.protocols == "http,tcp"


def test_a_name_with_a_colon_is_never_read_as_a_protocol(tmp_path: Path) -> None:
    args = formats.input_args(tmp_path / "http:evil")
    assert args[-1] == f"file:{tmp_path}/http:evil"
