"""Which containers we accept, decided from the bytes, and how ffmpeg may open them.

Uploaded bytes are hostile until proven otherwise. ffmpeg/ffprobe are only
ever allowed to open a local file (``-protocol_whitelist file``) with one of
the demuxers below (``-format_whitelist``, and ``-f`` once we know which), so
no playlist, concat script or nested reference can make them read another
file or reach the network, whatever a future ffmpeg build enables by default.
Before ffprobe sees a file at all, :func:`sniff` recognises the things people
upload by mistake (playlists, photos, audio, documents) so the teacher gets a
specific reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Container:
    demuxer: str  # ffmpeg's short name, for -f and the whitelist
    label: str  # what a teacher would call it
    extensions: tuple[str, ...]  # names cameras and phones give such files (a hint, never a gate)
    content_types: tuple[str, ...]  # what browsers and phones declare for them


# Everything we accept: ffmpeg decodes it and we can turn it into web video.
ACCEPTED_CONTAINERS: tuple[Container, ...] = (
    Container(
        "mov",
        "MP4/MOV",
        ("mp4", "mov", "m4v", "3gp", "3g2"),
        ("video/mp4", "video/quicktime", "video/x-m4v", "video/3gpp", "video/3gpp2"),
    ),
    Container(
        "mpegts",
        "MPEG-TS/AVCHD",
        ("mts", "m2ts", "ts", "m2t"),
        ("video/mp2t", "video/vnd.dlna.mpeg-tts", "video/avchd-stream"),
    ),
    Container(
        "matroska",
        "Matroska/WebM",
        ("mkv", "webm"),
        ("video/x-matroska", "video/matroska", "video/webm"),
    ),
    Container("avi", "AVI", ("avi",), ("video/x-msvideo", "video/avi", "video/msvideo")),
    Container(
        "mpeg",
        "MPEG-PS",
        ("mpg", "mpeg", "vob", "mod", "tod"),
        ("video/mpeg", "video/x-mpeg", "video/mp2p"),
    ),
)
ACCEPTED_DEMUXERS = tuple(container.demuxer for container in ACCEPTED_CONTAINERS)
FORMAT_WHITELIST = ",".join(ACCEPTED_DEMUXERS)
# Nothing but local files: no http(s), no concat:, subfile:, data:, crypto: (a
# RemoteSource allows the one HTTP(S) object it names).
PROTOCOL_WHITELIST = "file"

NOT_ACCEPTED_CONTAINER = (
    "This file is not in a video format we accept. Please upload the video as recorded "
    "(MP4, MOV, MTS/M2TS, MKV, WebM, AVI or MPG)."
)
PLAYLIST = (
    "This file is a playlist that points to other files, not a video. Please upload the "
    "video file itself."
)
STILL_IMAGE = "This file is a still image, not a video."
AUDIO_ONLY = "This file has no video track (it looks like an audio recording)."
DOCUMENT = "This file is a document or an archive, not a video."


def container_for(format_name: str) -> Container | None:
    """The accepted container ffprobe's ``format_name`` names (``mov,mp4,m4a,...``), if any."""
    names = set(format_name.split(","))
    for container in ACCEPTED_CONTAINERS:
        if container.demuxer in names:
            return container
    return None


@dataclass(frozen=True)
class RemoteSource:
    """An upload read where it lies: a presigned GET of that one object, which ffmpeg reads
    with ranged requests (a chunk task reads its own span, not the whole lesson).

    The URL is one we signed for one object, never one taken from a file. ffmpeg may then
    speak HTTP(S) for this input only; the format whitelist is the same as for a local
    file, and none of its demuxers opens a reference to another resource.
    """

    url: str
    size_bytes: int
    head: bytes  # the object's first SNIFF_BYTES, for :func:`sniff`

    @property
    def protocols(self) -> str:
        # https needs tls and tcp under it; plain http is the local twin's S3 on loopback.
        return "https,tls,tcp" if self.url.startswith("https://") else "http,tcp"


# What ffmpeg/ffprobe may read an upload from: a file on the worker's disk, or the object.
MediaInput = Path | RemoteSource


def size_of(source: MediaInput) -> int:
    return source.size_bytes if isinstance(source, RemoteSource) else source.stat().st_size


def head_of(source: MediaInput) -> bytes:
    return source.head if isinstance(source, RemoteSource) else read_head(source)


def input_args(source: MediaInput, demuxer: str | None = None) -> list[str]:
    """ffmpeg/ffprobe input options, then the input itself, locked to a local file (or to
    the one object a :class:`RemoteSource` names).

    ``demuxer`` forces the container ffprobe identified (ffmpeg then never
    guesses again); without it, only the accepted demuxers may be chosen.
    """
    forced = ["-f", demuxer] if demuxer else []
    if isinstance(source, RemoteSource):
        protocols, target = source.protocols, source.url
    else:
        # "file:" so a name with a colon can never be read as another protocol.
        protocols, target = PROTOCOL_WHITELIST, f"file:{source.resolve()}"
    return [
        "-protocol_whitelist",
        protocols,
        "-format_whitelist",
        FORMAT_WHITELIST,
        *forced,
        "-i",
        target,
    ]


SNIFF_BYTES = 64 * 1024

# (magic at offset 0, reason)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", STILL_IMAGE),
    (b"\xff\xd8\xff", STILL_IMAGE),
    (b"GIF87a", STILL_IMAGE),
    (b"GIF89a", STILL_IMAGE),
    (b"BM", STILL_IMAGE),
    (b"II*\x00", STILL_IMAGE),
    (b"MM\x00*", STILL_IMAGE),
    (b"fLaC", AUDIO_ONLY),
    (b"#!AMR", AUDIO_ONLY),
    (b"%PDF", DOCUMENT),
    (b"PK\x03\x04", DOCUMENT),
    (b"\xd0\xcf\x11\xe0", DOCUMENT),
)
_RIFF_KINDS = {b"WAVE": AUDIO_ONLY, b"WEBP": STILL_IMAGE}
# ISO-BMFF brands of still pictures (HEIC/AVIF photos share MP4's box structure).
_IMAGE_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis")
_MP4_BOXES = (b"mdat", b"moov", b"free", b"skip", b"wide", b"pnot")
_PLAYLIST_MARKERS = (b"#EXTM3U", b"ffconcat version", b"[playlist]", b"<?xml", b"<smil", b"<MPD")


def _skip_id3(head: bytes) -> bytes:
    """ffmpeg skips ID3v2 tags before guessing a format, so a playlist can hide behind one."""
    while len(head) >= 10 and head[:3] == b"ID3":
        size = 0
        for byte in head[6:10]:
            size = (size << 7) | (byte & 0x7F)
        footer = 10 if head[5] & 0x10 else 0
        head = head[10 + size + footer :]
    return head


def sniff(head: bytes) -> str | None:
    """Why these first bytes cannot be a video we accept, or None if ffprobe should look."""
    body = _skip_id3(head)
    text = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if any(text.startswith(marker) for marker in _PLAYLIST_MARKERS) or (
        b"#EXT-X-" in text[:4096] or b"#EXTINF" in text[:4096]
    ):
        return PLAYLIST
    if body[4:8] == b"ftyp":
        return STILL_IMAGE if body[8:12] in _IMAGE_BRANDS else None
    if body[4:8] in _MP4_BOXES:
        return None  # an MP4 whose first box size happens to spell a magic number
    if body is not head:
        return AUDIO_ONLY  # an ID3 tag in front of anything but a playlist: an MP3
    for magic, reason in _MAGIC:
        if body.startswith(magic):
            return reason
    if body[:4] == b"RIFF" and body[8:12] in _RIFF_KINDS:
        return _RIFF_KINDS[body[8:12]]
    if _is_text(body[:4096]):
        return DOCUMENT
    return None


def _is_text(sample: bytes) -> bool:
    """Plain text (notes, HTML, a script): printable bytes only. Media is never all text."""
    if len(sample) < 16:
        return False
    try:
        decoded = sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in decoded)


def read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES)
