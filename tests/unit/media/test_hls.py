"""HLS pieces: segment timeline, fragmented MP4 surgery, playlists."""

from __future__ import annotations

import itertools
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
