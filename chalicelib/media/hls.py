"""HLS with fMP4 (CMAF) segments: the timeline, the segment files and the playlists.

A lesson is encoded as independent time segments (one job each, in parallel).
Each segment job makes a fragmented MP4 per rendition starting on a keyframe;
``split_segment`` turns it into the rendition's init segment (``ftyp`` +
``moov``) and one media segment (``moof`` + ``mdat`` ...), with the decode
times moved to where the segment sits in the lesson. Players stitch them
together through the playlists written here.

Segment boundaries are whole frames of the output rate and whole keyframe
intervals, so every segment starts on a keyframe of every rendition and no
frame is encoded twice or skipped between segments.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

# Apple's recommendation for VOD; a segment is also the unit of parallel work.
TARGET_SEGMENT_S = 6
VIDEO_TIMESCALE = 90_000
_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"moof", b"traf", b"mvex", b"edts"}
# Fields of a visual sample entry (ISO 14496-12) before its child boxes.
_VISUAL_ENTRY_FIELDS = 78
_AUDIO_ENTRY_FIELDS = 28


class SegmentFormatError(ValueError):
    """A segment file is not the fragmented MP4 the encoder was asked for."""


@dataclass(frozen=True)
class SegmentSpan:
    index: int
    start: Fraction  # seconds from the start of the lesson
    duration: Fraction

    @property
    def start_s(self) -> float:
        return float(self.start)

    @property
    def duration_s(self) -> float:
        return float(self.duration)


def frames_per_segment(fps: Fraction, keyframe_interval_s: int) -> int:
    """Whole keyframe intervals of whole frames, close to the target duration."""
    gop = max(1, round(fps * keyframe_interval_s))
    intervals = max(1, round(TARGET_SEGMENT_S / keyframe_interval_s))
    return gop * intervals


def segment_spans(duration_s: float, fps: Fraction, keyframe_interval_s: int) -> list[SegmentSpan]:
    """The lesson's segments, in order; the last one ends with the lesson.

    A remainder shorter than one frame joins the segment before it: on its own it would
    encode to no picture at all (a lesson whose picture starts a few milliseconds after
    its sound, as files joined with ``-c copy`` do, ends just past a boundary)."""
    length = Fraction(frames_per_segment(fps, keyframe_interval_s)) / fps
    total = Fraction(duration_s).limit_denominator(1_000_000)
    count = max(1, math.ceil(total / length))
    if count > 1 and total - (count - 1) * length < 1 / fps:
        count -= 1
    spans = []
    for index in range(count):
        start = index * length
        last = index == count - 1
        spans.append(SegmentSpan(index, start, total - start if last else length))
    return spans


# --- fragmented MP4 ----------------------------------------------------------------


@dataclass(frozen=True)
class _Box:
    kind: bytes
    start: int
    end: int
    header: int  # 8, or 16 for a 64-bit size

    @property
    def body(self) -> int:
        return self.start + self.header


def _boxes(data: bytes | bytearray, start: int = 0, end: int | None = None) -> Iterator[_Box]:
    end = len(data) if end is None else end
    offset = start
    while offset < end:
        if end - offset < 8:
            raise SegmentFormatError(f"truncated box header at byte {offset}")
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, offset + 8)
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise SegmentFormatError(f"box {kind!r} at byte {offset} overruns the file")
        yield _Box(kind, offset, offset + size, header)
        offset += size


def _find(
    data: bytes | bytearray, path: Sequence[bytes], start: int = 0, end: int | None = None
) -> list[_Box]:
    found = []
    for box in _boxes(data, start, end):
        if box.kind != path[0]:
            continue
        if len(path) == 1:
            found.append(box)
        elif box.kind in _CONTAINERS:
            found += _find(data, path[1:], box.body, box.end)
    return found


def timescale(init: bytes) -> int:
    """The first track's media timescale (``mdhd``)."""
    boxes = _find(init, [b"moov", b"trak", b"mdia", b"mdhd"])
    if not boxes:
        raise SegmentFormatError("no media header in the init segment")
    body = boxes[0].body
    version = init[body]
    offset = body + (20 if version == 1 else 12)
    (value,) = struct.unpack_from(">I", init, offset)
    return int(value)


def codecs(init: bytes) -> str:
    """The RFC 6381 codec string of the init segment's track (``avc1.64001f``, ``mp4a.40.2``)."""
    stsd = _find(init, [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsd"])
    if not stsd:
        raise SegmentFormatError("no sample description in the init segment")
    entries = list(_boxes(init, stsd[0].body + 8, stsd[0].end))
    if not entries:
        raise SegmentFormatError("an empty sample description")
    entry = entries[0]
    if entry.kind == b"avc1":
        for child in _boxes(init, entry.body + _VISUAL_ENTRY_FIELDS, entry.end):
            if child.kind == b"avcC":
                profile, compatibility, level = init[child.body + 1 : child.body + 4]
                return f"avc1.{profile:02x}{compatibility:02x}{level:02x}"
        raise SegmentFormatError("an avc1 track without its avcC configuration")
    if entry.kind == b"mp4a":
        return "mp4a.40.2"  # AAC-LC, the only audio we make
    raise SegmentFormatError(f"a track of an unexpected kind: {entry.kind!r}")


@dataclass(frozen=True)
class SplitSegment:
    init: bytes
    media: bytes

    @property
    def init_id(self) -> str:
        """Names the init segment by content: segments whose init differs get their own."""
        return hashlib.sha256(self.init).hexdigest()[:12]


def split_segment(data: bytes, start_s: Fraction) -> SplitSegment:
    """A fragmented MP4 → its init segment and its media segment placed at ``start_s``.

    The encoder starts every segment's clock at zero; the decode time of each
    fragment (``tfdt``) is moved by the segment's start, in the track's timescale.
    """
    kinds = [box.kind for box in _boxes(data)]
    if b"moov" not in kinds or b"moof" not in kinds:
        raise SegmentFormatError(f"expected a fragmented MP4, found boxes {kinds}")
    init = bytearray()
    media = bytearray()
    for box in _boxes(data):
        if box.kind in (b"ftyp", b"moov"):
            init += data[box.start : box.end]
        elif box.kind in (b"moof", b"mdat"):
            media += data[box.start : box.end]
        # mfra (random access index) and free space are not part of an HLS segment.
    offset = round(start_s * timescale(bytes(init)))
    _shift_decode_times(media, offset)
    return SplitSegment(bytes(init), bytes(media))


def split_run(data: bytes, spans: Sequence[SegmentSpan]) -> list[SplitSegment]:
    """One encode of consecutive ``spans`` (a fragment per keyframe, its clock starting at
    the first span) → one init and a media segment per span, each placed in the lesson.

    Every span starts on a keyframe (whole keyframe intervals), so each fragment falls in
    exactly one span: the one its decode time is in. A span no fragment falls in is left
    out of the result (the caller decides whether the file stopped short)."""
    kinds = [box.kind for box in _boxes(data)]
    if b"moov" not in kinds or b"moof" not in kinds:
        raise SegmentFormatError(f"expected a fragmented MP4, found boxes {kinds}")
    init = b"".join(data[b.start : b.end] for b in _boxes(data) if b.kind in (b"ftyp", b"moov"))
    scale = timescale(init)
    first = spans[0].start
    # Where each span starts on the encode's clock, in the track's timescale (half a
    # frame early, so rounding never puts a span's first fragment in the span before).
    starts = [round((span.start - first) * scale) for span in spans]
    groups: list[bytearray] = [bytearray() for _ in spans]
    current: int | None = None
    for box in _boxes(data):
        if box.kind == b"moof":
            (decode_time,) = decode_times(data[box.start : box.end])
            current = max(
                i for i, start in enumerate(starts) if start <= decode_time + scale // 100
            )
            groups[current] += data[box.start : box.end]
        elif box.kind == b"mdat" and current is not None:
            groups[current] += data[box.start : box.end]
    offset = round(first * scale)
    split = []
    for group in groups:
        if group:
            _shift_decode_times(group, offset)
        split.append(SplitSegment(init, bytes(group)))
    return split


def _shift_decode_times(media: bytearray, offset: int) -> None:
    for tfdt in _find(media, [b"moof", b"traf", b"tfdt"]):
        body = tfdt.body
        version = media[body]
        if version == 1:
            (value,) = struct.unpack_from(">Q", media, body + 4)
            struct.pack_into(">Q", media, body + 4, value + offset)
        else:
            (value,) = struct.unpack_from(">I", media, body + 4)
            if value + offset >= 2**32:
                raise SegmentFormatError("a 32-bit decode time cannot reach this far")
            struct.pack_into(">I", media, body + 4, value + offset)


def sample_count(media: bytes) -> int:
    """How many samples (frames) a media segment holds, from its track runs."""
    total = 0
    for trun in _find(media, [b"moof", b"traf", b"trun"]):
        (count,) = struct.unpack_from(">I", media, trun.body + 4)
        total += int(count)
    return total


def decode_times(media: bytes) -> list[int]:
    """Every fragment's decode time (for checks and tests)."""
    times = []
    for tfdt in _find(media, [b"moof", b"traf", b"tfdt"]):
        body = tfdt.body
        fmt = ">Q" if media[body] == 1 else ">I"
        times.append(int(struct.unpack_from(fmt, media, body + 4)[0]))
    return times


# --- playlists ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlaylistEntry:
    uri: str
    duration_s: float
    init_uri: str


def media_playlist(entries: Sequence[PlaylistEntry], *, complete: bool) -> str:
    """A rendition's playlist: an EVENT playlist that grows, VOD-complete with ENDLIST.

    A segment whose init segment differs from the one before it gets its own
    ``EXT-X-MAP``; normally every segment shares one.
    """
    target = max([TARGET_SEGMENT_S, *(math.ceil(e.duration_s) for e in entries)])
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        f"#EXT-X-PLAYLIST-TYPE:{'VOD' if complete else 'EVENT'}",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    current_map = None
    for entry in entries:
        if entry.init_uri != current_map:
            lines.append(f'#EXT-X-MAP:URI="{entry.init_uri}"')
            current_map = entry.init_uri
        lines += [f"#EXTINF:{entry.duration_s:.6f},", entry.uri]
    if complete:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def read_media_playlist(text: str) -> list[PlaylistEntry]:
    """The segments a media playlist lists (ffmpeg's, for the sound track), in order."""
    entries: list[PlaylistEntry] = []
    init_uri = ""
    duration: float | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXT-X-MAP:"):
            init_uri = line.split('URI="', 1)[1].split('"', 1)[0]
        elif line.startswith("#EXTINF:"):
            duration = float(line[len("#EXTINF:") :].split(",", 1)[0])
        elif line and not line.startswith("#") and duration is not None:
            entries.append(PlaylistEntry(line, duration, init_uri))
            duration = None
    return entries


@dataclass(frozen=True)
class Variant:
    uri: str
    width: int
    height: int
    bandwidth: int  # bits per second, peak
    codecs: str
    frame_rate: float


@dataclass(frozen=True)
class AudioTrack:
    uri: str
    channels: int


AUDIO_GROUP = "audio"


def master_playlist(variants: Sequence[Variant], audio: AudioTrack | None) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    if audio is not None:
        lines.append(
            f'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="{AUDIO_GROUP}",NAME="Classroom",LANGUAGE="und",'
            f'DEFAULT=YES,AUTOSELECT=YES,CHANNELS="{audio.channels}",URI="{audio.uri}"'
        )
    for variant in variants:
        attributes = [
            f"BANDWIDTH={variant.bandwidth}",
            f"RESOLUTION={variant.width}x{variant.height}",
            f"FRAME-RATE={variant.frame_rate:.3f}",
            f'CODECS="{variant.codecs}"',
        ]
        if audio is not None:
            attributes.append(f'AUDIO="{AUDIO_GROUP}"')
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attributes), variant.uri]
    return "\n".join(lines) + "\n"


# --- the download MP4, assembled from the segments ---------------------------------
#
# The download is one fragmented MP4 (``moov`` first, then the fragments in time
# order), made by joining the HLS segments already stored, picture and sound
# interleaved, with no decoding and no ffmpeg: a 3-hour lesson is assembled as
# it is uploaded, part by part, never whole on a worker's disk.

VIDEO_TRACK_ID = 1
AUDIO_TRACK_ID = 2
_TFHD_BASE_DATA_OFFSET = 0x000001
_TKHD_TRACK_ID = {0: 12, 1: 20}  # after version/flags and the creation/modification times
_FLAT_TRACK_ID = {0: 4, 1: 4}  # trex, tfhd: right after version/flags


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _only(data: bytes, path: Sequence[bytes], what: str) -> _Box:
    found = _find(data, path)
    if len(found) != 1:
        raise SegmentFormatError(f"expected one {what}, found {len(found)}")
    return found[0]


def _movie_timescale(init: bytes) -> int:
    mvhd = _only(init, [b"moov", b"mvhd"], "movie header")
    version = init[mvhd.body]
    (value,) = struct.unpack_from(">I", init, mvhd.body + (20 if version == 1 else 12))
    return int(value)


def _with_track_id(
    box: bytes, path: Sequence[bytes], track_id: int, offset_of: dict[int, int]
) -> bytes:
    """``box`` with the track id of every ``path`` full box inside it set to ``track_id``."""
    patched = bytearray(box)
    for found in _find(patched, path):
        version = patched[found.body]
        struct.pack_into(">I", patched, found.body + offset_of[version], track_id)
    return bytes(patched)


def merge_inits(video_init: bytes, audio_init: bytes | None, duration_s: float) -> bytes:
    """One init segment: the picture as track 1 and, with ``audio_init``, the sound as track
    2, and the whole duration declared (``mehd``) so players and ffprobe know it up front."""
    ftyp = _only(video_init, [b"ftyp"], "file type")
    moov = _only(video_init, [b"moov"], "movie")
    timescale = _movie_timescale(video_init)
    children = list(_boxes(video_init, moov.body, moov.end))
    mvhd = next(box for box in children if box.kind == b"mvhd")
    header = bytearray(video_init[mvhd.start : mvhd.end])
    struct.pack_into(">I", header, len(header) - 4, (AUDIO_TRACK_ID if audio_init else 1) + 1)
    traks = [video_init[box.start : box.end] for box in children if box.kind == b"trak"]
    trexes = [
        video_init[box.start : box.end] for box in _find(video_init, [b"moov", b"mvex", b"trex"])
    ]
    if len(traks) != 1 or len(trexes) != 1:
        raise SegmentFormatError("expected a video init segment of one track")
    if audio_init is not None:
        if _movie_timescale(audio_init) != timescale:
            raise SegmentFormatError("picture and sound init segments of different movie clocks")
        audio_trak = _only(audio_init, [b"moov", b"trak"], "sound track")
        audio_trex = _only(audio_init, [b"moov", b"mvex", b"trex"], "sound track extends")
        traks.append(
            _with_track_id(
                audio_init[audio_trak.start : audio_trak.end], [b"trak", b"tkhd"],
                AUDIO_TRACK_ID, _TKHD_TRACK_ID,
            )
        )  # fmt: skip
        trexes.append(
            _with_track_id(
                audio_init[audio_trex.start : audio_trex.end], [b"trex"],
                AUDIO_TRACK_ID, _FLAT_TRACK_ID,
            )
        )  # fmt: skip
    mehd = _box(b"mehd", struct.pack(">B3xQ", 1, round(duration_s * timescale)))
    mvex = _box(b"mvex", mehd + b"".join(trexes))
    return video_init[ftyp.start : ftyp.end] + _box(b"moov", bytes(header) + b"".join(traks) + mvex)


def fragments_for_download(media: bytes, track_id: int) -> bytes:
    """A media segment's fragments (``moof`` + ``mdat``) as track ``track_id`` of the download.

    Each fragment's data offsets count from its own ``moof``, so fragments move whole."""
    kept = bytearray()
    for box in _boxes(media):
        if box.kind in (b"moof", b"mdat"):
            kept += media[box.start : box.end]
    for tfhd in _find(kept, [b"moof", b"traf", b"tfhd"]):
        (flags,) = struct.unpack_from(">I", kept, tfhd.body)
        if flags & _TFHD_BASE_DATA_OFFSET:
            raise SegmentFormatError("a fragment placed by absolute file offsets cannot move")
        struct.pack_into(">I", kept, tfhd.body + 4, track_id)
    return bytes(kept)
