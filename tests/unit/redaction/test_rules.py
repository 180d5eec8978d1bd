"""Redaction's pure rules: tracks, interpolation through misses, padding, kept faces, edits."""

from __future__ import annotations

import pytest

from chalicelib.redaction import rules
from chalicelib.redaction.rules import Box, RegionEdit, Timing

TIMING = Timing.at(10)  # 10 fps: gap 10 frames, lead/tail 3 frames


def _face(x: float) -> Box:
    return Box(x, 10, x + 20, 30)


def test_sightings_join_one_track_and_a_far_box_starts_another() -> None:
    tracks = rules.build_tracks(
        [(0, [(_face(0), 0.9)]), (1, [(_face(2), 0.9), (_face(200), 0.8)])],
        max_gap_frames=TIMING.max_gap_frames,
    )
    assert [len(t.sightings) for t in tracks] == [2, 1]


def test_a_missed_frame_is_blurred_where_the_face_was_interpolated() -> None:
    (track,) = rules.build_tracks(
        [(0, [(_face(0), 0.9)]), (6, [(_face(9), 0.9)])], max_gap_frames=10
    )
    assert track.box_at(3) == (_face(4.5), 3)
    (box,) = rules.blur_boxes([track], 3, TIMING)
    (seen,) = rules.blur_boxes([track], 0, TIMING)
    assert box.x0 < _face(4.5).x0 and box.x1 > _face(4.5).x1
    assert box.height > seen.height  # padded more where the face was not seen


def test_blur_starts_before_the_first_and_ends_after_the_last_sighting() -> None:
    (track,) = rules.build_tracks([(5, [(_face(0), 0.9)]), (6, [(_face(0), 0.9)])], 10)
    assert rules.blur_boxes([track], 5 - TIMING.lead_frames, TIMING)
    assert not rules.blur_boxes([track], 5 - TIMING.lead_frames - 1, TIMING)
    assert rules.blur_boxes([track], 6 + TIMING.tail_frames, TIMING)
    assert not rules.blur_boxes([track], 6 + TIMING.tail_frames + 1, TIMING)


def test_a_track_ends_after_a_long_miss() -> None:
    tracks = rules.build_tracks([(0, [(_face(0), 0.9)]), (30, [(_face(0), 0.9)])], 10)
    assert len(tracks) == 2


def test_a_click_keeps_the_face_it_landed_on_in_every_frame() -> None:
    tracks = rules.build_tracks(
        [(f, [(_face(f), 0.9), (_face(100 + f), 0.9)]) for f in range(10)], 10
    )
    kept = rules.track_at_point(tracks, 5, 115, 20)
    assert kept is not None
    for frame in range(10):
        boxes = rules.blur_boxes(tracks, frame, TIMING, keep=frozenset({kept.track_id}))
        assert len(boxes) == 1 and boxes[0].x1 < 100
    assert rules.track_at_point(tracks, 5, 60, 90) is None


def test_a_reviewer_removes_a_false_blur_and_adds_a_missed_face() -> None:
    edits = [
        RegionEdit(rules.REMOVE, 0, 5, Box(0, 0, 0.5, 1)),
        RegionEdit(rules.ADD, 2, 3, Box(0.8, 0.8, 0.9, 0.9)),
    ]
    boxes = [Box(10, 10, 20, 20), Box(70, 10, 80, 20)]
    assert rules.apply_edits(boxes, rules.edits_at(edits, 1, 100, 100)) == [boxes[1]]
    at_two = rules.apply_edits(boxes, rules.edits_at(edits, 2.5, 100, 100))
    assert at_two == [boxes[1], Box(80, 80, 90, 90)]


def test_unsure_frames_are_the_gaps_and_low_scores_worst_first() -> None:
    tracks = rules.build_tracks(
        [(0, [(_face(0), 0.9)]), (1, [(_face(0), 0.4)]), (5, [(_face(0), 0.9)])], 10
    )
    assert rules.unsure_frames(tracks, limit=2, keep=frozenset()) == [1, 3]
    assert rules.unsure_frames(tracks, limit=2, keep=frozenset({tracks[0].track_id})) == []


@pytest.mark.parametrize(
    ("duration_s", "segment_s", "count"),
    [(30.0, 60.0, 1), (60.0, 60.0, 1), (60.5, 60.0, 2), (300.0, 60.0, 5), (10.0, 0.0, 1)],
)
def test_a_long_clip_is_detected_in_spans(duration_s: float, segment_s: float, count: int) -> None:
    assert rules.segment_count(duration_s, segment_s) == count


@pytest.mark.parametrize(("frames", "count"), [(45, 3), (9001, 5), (10, 1), (3, 7)])
def test_spans_cover_every_frame_exactly_once(frames: int, count: int) -> None:
    spans = rules.plan_segments(frames, count)
    covered = [first + i for first, length in spans for i in range(length)]
    assert covered == list(range(frames))
    assert len(spans) == min(count, frames)
    lengths = [length for _, length in spans]
    assert max(lengths) - min(lengths) <= len(spans)
