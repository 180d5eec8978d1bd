"""Clip rules that need no cloud: message parsing, length advice, measured duration."""

from __future__ import annotations

from fractions import Fraction

import pytest

from chalicelib.clips.models import ClipRecord
from chalicelib.clips.rules import TITLE_FROM_COMMENT_MAX, title_from_comment
from chalicelib.clips.schemas import ClipJob
from chalicelib.clips.service import length_warning
from chalicelib.clips.worker import measured_duration
from chalicelib.config import Settings
from chalicelib.jobs.batch import PoisonMessage, parse_model
from chalicelib.media.probe import MediaInfo, VideoStream


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"clip_id": "clp_1"}', "clp_1"),
        ('{"clip_id": ""}', None),
        ('{"clip_id": 7}', None),
        ("[1, 2]", None),
        ("not json", None),
        ('{"Records": []}', None),
    ],
)
def test_only_clip_jobs_are_parsed(body: str, expected: str | None) -> None:
    parse = parse_model(ClipJob)
    if expected is None:
        with pytest.raises(PoisonMessage):
            parse(body)
    else:
        assert parse(body).clip_id == expected


@pytest.mark.parametrize(
    ("start", "end", "warned"),
    [(0, 119, True), (0, 120, False), (30, 330, False), (0, 301, True)],
)
def test_lengths_outside_two_to_five_minutes_carry_advice(
    start: float, end: float, warned: bool
) -> None:
    clip = ClipRecord("CLIP#x", "META", start_s=start, end_s=end)
    warning = length_warning(clip, Settings())
    assert (warning is not None) is warned
    if warning:
        assert "2:00-5:00" in warning


def _info(frames: int | None, rate: Fraction, container_s: float) -> MediaInfo:
    video = VideoStream("h264", "High", "yuv420p", 640, 360, 0, rate, rate, frames)
    return MediaInfo("mp4", container_s, 1, video, None)


def test_duration_is_counted_in_frames_not_container_time() -> None:
    # AAC priming makes the container ~20 ms longer than the picture.
    assert measured_duration(_info(360, Fraction(30), 12.023)) == 12.0
    assert measured_duration(_info(None, Fraction(30), 12.023)) == 12.023


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ("Great wait time.", "Great wait time."),
        ("\n  First line counts\nnot the second", "First line counts"),
        (
            "Students explain strategies to a partner, then to the class; watch how the "
            "3/4 goes. Great",
            "Students explain strategies to a partner, then to the class; watch how the 3/4",
        ),
        ("x" * 120, "x" * 80),
        (
            "Ends on a comma just there, and then it keeps on going, for a while longer, "
            "yes indeed",
            "",
        ),
    ],
)
def test_a_title_from_a_comment_is_cut_at_a_word_boundary(body: str, title: str) -> None:
    made = title_from_comment(body)
    assert len(made) <= TITLE_FROM_COMMENT_MAX
    if title:
        assert made == title
    else:
        assert body.startswith(made)
        assert not made.endswith((",", " "))
        assert body[len(made)] in " ,"
