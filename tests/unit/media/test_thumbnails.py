from __future__ import annotations

from chalicelib.config import Settings
from chalicelib.media.thumbnails import Storyboard, poster_time, storyboard_interval, storyboard_vtt


def test_poster_is_early_but_not_the_first_frame() -> None:
    settings = Settings()
    assert poster_time(600, settings) == 3.0
    assert poster_time(10, settings) == 1.0
    assert 0 < poster_time(1, settings) < 1


def test_storyboard_interval_is_a_keyframe_multiple_bounding_the_thumb_count() -> None:
    settings = Settings()
    assert storyboard_interval(60, settings, 2) == 2
    assert storyboard_interval(1800, settings, 2) == 18
    assert 1800 / storyboard_interval(1800, settings, 2) <= settings.storyboard_max_thumbs


def test_vtt_cues_tile_the_sprite() -> None:
    board = Storyboard(columns=2, rows=2, thumb_width=160, thumb_height=90, times=(0.0, 2.0, 4.0))
    vtt = storyboard_vtt(board, "storyboard.jpg", 5.5)
    assert vtt.splitlines()[:5] == [
        "WEBVTT",
        "",
        "00:00:00.000 --> 00:00:02.000",
        "storyboard.jpg#xywh=0,0,160,90",
        "",
    ]
    assert "00:00:02.000 --> 00:00:04.000\nstoryboard.jpg#xywh=160,0,160,90" in vtt
    assert "00:00:04.000 --> 00:00:05.500\nstoryboard.jpg#xywh=0,90,160,90" in vtt
