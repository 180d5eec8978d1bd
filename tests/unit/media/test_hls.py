"""HLS pieces: segment timeline, fragmented MP4 surgery, playlists."""

from __future__ import annotations

import itertools
import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from chalicelib.media import hls

NTSC = Fraction(30000, 1001)


@pytest.mark.parametrize("fps", [Fraction(30), NTSC, Fraction(25), Fraction(24000, 1001)])
def test_segments_are_whole_keyframe_intervals_of_whole_frames(fps: Fraction) -> None:
    spans = hls.segment_spans(3 * 3600, fps, keyframe_interval_s=2)
    frames = hls.frames_per_segment(fps, 2)
    assert frames % round(fps * 2) == 0
    for span in spans[:-1]:
        assert span.duration * fps == frames
        assert 5.5 < span.duration_s < 6.5
    # Contiguous, in order, ending with the lesson.
    for before, after in itertools.pairwise(spans):
        assert before.start + before.duration == after.start
    assert spans[-1].start + spans[-1].duration == 3 * 3600
    assert [s.index for s in spans] == list(range(len(spans)))


def test_a_short_video_is_one_segment() -> None:
    (only,) = hls.segment_spans(2.5, Fraction(30), 2)
    assert only.start == 0 and only.duration_s == 2.5


@pytest.mark.parametrize("past_the_boundary_s", [0.001, 0.021, 0.033])
def test_a_remainder_shorter_than_a_frame_joins_the_segment_before(
    past_the_boundary_s: float,
) -> None:
    """On its own it would be a segment with no picture in it."""
    spans = hls.segment_spans(12 + past_the_boundary_s, Fraction(30), 2)
    assert [s.start_s for s in spans] == [0.0, 6.0]
    assert spans[-1].duration_s == pytest.approx(6 + past_the_boundary_s)


def test_a_remainder_of_a_whole_frame_is_its_own_segment() -> None:
    spans = hls.segment_spans(12 + 1 / 30, Fraction(30), 2)
    assert [s.start_s for s in spans] == [0.0, 6.0, 12.0]
    assert spans[-1].duration == Fraction(1, 30)


def _fragmented(tmp_path: Path, start: float, duration: float) -> bytes:
    target = tmp_path / f"seg-{start}.mp4"
    source = f"testsrc2=size=320x180:rate=30000/1001:duration={start + duration + 1}"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", source,
         "-ss", f"{start}", "-t", f"{duration}", "-vf", "fps=30000/1001",
         "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "60", "-keyint_min", "60",
         "-video_track_timescale", str(hls.VIDEO_TIMESCALE),
         "-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", str(target)],
        check=True,
    )  # fmt: skip
    return target.read_bytes()


def test_a_segment_splits_into_init_and_media_placed_in_the_lesson(tmp_path: Path) -> None:
    start = Fraction(6006, 1000)
    split = hls.split_segment(_fragmented(tmp_path, float(start), 6.006), start)
    assert split.init.startswith(b"\x00\x00\x00") and b"ftyp" in split.init[:8]
    assert b"moof" in split.media[:8]
    assert b"mdat" not in split.init and b"moov" not in split.media
    assert hls.timescale(split.init) == hls.VIDEO_TIMESCALE
    times = hls.decode_times(split.media)
    assert times[0] == round(start * hls.VIDEO_TIMESCALE)
    assert times == sorted(times)
    assert hls.codecs(split.init).startswith("avc1.")


def test_segments_of_one_encode_share_their_init(tmp_path: Path) -> None:
    first = hls.split_segment(_fragmented(tmp_path, 0, 2.002), Fraction(0))
    second = hls.split_segment(_fragmented(tmp_path, 2.002, 2.002), Fraction(2002, 1000))
    assert first.init_id == second.init_id


def test_not_a_fragmented_mp4_is_refused() -> None:
    with pytest.raises(hls.SegmentFormatError):
        hls.split_segment(b"\x00\x00\x00\x10ftypisom\x00\x00\x00\x00", Fraction(0))
    with pytest.raises(hls.SegmentFormatError):
        hls.split_segment(b"\x00\x00\x01\x00moov", Fraction(0))


def test_a_growing_playlist_then_the_complete_one() -> None:
    entries = [
        hls.PlaylistEntry("seg_00000.m4s", 6.006, "init_a.mp4"),
        hls.PlaylistEntry("seg_00001.m4s", 6.006, "init_a.mp4"),
        hls.PlaylistEntry("seg_00002.m4s", 1.5, "init_b.mp4"),
    ]
    growing = hls.media_playlist(entries[:2], complete=False)
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in growing and "#EXT-X-ENDLIST" not in growing
    assert growing.count("#EXT-X-MAP") == 1
    done = hls.media_playlist(entries, complete=True)
    assert done.rstrip().endswith("#EXT-X-ENDLIST")
    assert done.count('#EXT-X-MAP:URI="init_b.mp4"') == 1
    assert "#EXT-X-TARGETDURATION:7" in done


def test_the_master_playlist_names_renditions_and_the_audio_group() -> None:
    master = hls.master_playlist(
        [
            hls.Variant("720p/index.m3u8", 1280, 720, 2_600_000, "avc1.64001f,mp4a.40.2", 29.97),
            hls.Variant("360p/index.m3u8", 640, 360, 900_000, "avc1.4d401e,mp4a.40.2", 29.97),
        ],
        hls.AudioTrack("audio/index.m3u8", channels=2),
    )
    assert master.startswith("#EXTM3U\n")
    assert 'TYPE=AUDIO,GROUP-ID="audio"' in master and 'URI="audio/index.m3u8"' in master
    assert master.count("#EXT-X-STREAM-INF") == 2
    assert "RESOLUTION=1280x720" in master and 'AUDIO="audio"' in master


def _sound_track(tmp_path: Path, duration: float) -> tuple[bytes, list[bytes], list[float]]:
    """The sound as the lesson's sound task packages it: ffmpeg's HLS fMP4 muxer."""
    out = tmp_path / "audio"
    out.mkdir()
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={duration}",
         "-c:a", "aac", "-b:a", "64k", "-f", "hls", "-hls_time", "6",
         "-hls_segment_type", "fmp4", "-hls_playlist_type", "event",
         "-hls_fmp4_init_filename", "init.mp4",
         "-hls_segment_filename", str(out / "seg_%05d.m4s"), str(out / "index.m3u8")],
        check=True,
    )  # fmt: skip
    entries = hls.read_media_playlist((out / "index.m3u8").read_text())
    return (
        (out / "init.mp4").read_bytes(),
        [(out / e.uri).read_bytes() for e in entries],
        [e.duration_s for e in entries],
    )


def test_the_download_is_the_segments_joined_with_the_sound(tmp_path: Path) -> None:
    """Picture segments and the sound's, interleaved into one MP4 that plays as a file."""
    length = 2.002
    pictures = [
        hls.split_segment(_fragmented(tmp_path, i * length, length), Fraction(2002 * i, 1000))
        for i in range(3)
    ]
    audio_init, sounds, durations = _sound_track(tmp_path, 3 * length)
    pieces = [(i * length, p.media, hls.VIDEO_TRACK_ID) for i, p in enumerate(pictures)]
    at = 0.0
    for body, seconds in zip(sounds, durations, strict=True):
        pieces.append((at, body, hls.AUDIO_TRACK_ID))
        at += seconds
    target = tmp_path / "download.mp4"
    with target.open("wb") as out:
        out.write(hls.merge_inits(pictures[0].init, audio_init, 3 * length))
        for _, body, track in sorted(pieces, key=lambda piece: (piece[0], piece[2])):
            out.write(hls.fragments_for_download(body, track))
    assert target.read_bytes()[4:8] == b"ftyp" and b"moov" in target.read_bytes()[:4096]
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-show_entries",
         "format=duration:stream=codec_type,nb_read_frames", "-of", "json", str(target)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    document = json.loads(probed)
    streams = {s["codec_type"]: int(s["nb_read_frames"]) for s in document["streams"]}
    assert set(streams) == {"video", "audio"}
    assert streams["video"] == sum(hls.sample_count(p.media) for p in pictures)
    assert abs(float(document["format"]["duration"]) - 3 * length) < 0.05
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", str(target), "-f", "null", "-"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert decoded.stderr == ""


def test_a_picture_only_download_declares_its_duration(tmp_path: Path) -> None:
    picture = hls.split_segment(_fragmented(tmp_path, 0, 2.002), Fraction(0))
    init = hls.merge_inits(picture.init, None, 2.002)
    target = tmp_path / "download.mp4"
    target.write_bytes(init + hls.fragments_for_download(picture.media, hls.VIDEO_TRACK_ID))
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
         str(target)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert abs(float(probed) - 2.002) < 0.05


def test_one_encode_of_consecutive_segments_splits_at_each_segment(tmp_path: Path) -> None:
    """A chunk's segments come from one ffmpeg run: cut where each segment starts."""
    length = Fraction(2002, 1000)
    spans = [hls.SegmentSpan(5 + i, (5 + i) * length, length) for i in range(3)]
    run = _fragmented(tmp_path, float(spans[0].start), float(3 * length))
    parts = hls.split_run(run, spans)
    assert [hls.sample_count(p.media) for p in parts] == [60, 60, 60]
    assert len({p.init_id for p in parts}) == 1
    for span, part in zip(spans, parts, strict=True):
        assert hls.decode_times(part.media)[0] == round(span.start * hls.VIDEO_TIMESCALE)
    # The same segments as encoding each on its own would place.
    alone = hls.split_segment(_fragmented(tmp_path, float(spans[1].start), 2.002), spans[1].start)
    assert hls.decode_times(alone.media)[0] == hls.decode_times(parts[1].media)[0]


def test_a_run_that_stops_short_leaves_its_last_segments_empty(tmp_path: Path) -> None:
    length = Fraction(2002, 1000)
    spans = [hls.SegmentSpan(i, i * length, length) for i in range(3)]
    parts = hls.split_run(_fragmented(tmp_path, 0, 2.002), spans)
    assert [bool(p.media) for p in parts] == [True, False, False]
