"""The cost arithmetic of the bench reports."""

from __future__ import annotations

import pytest

from bench import cost


def test_lambda_cost_is_billed_wall_time_at_two_vcpus() -> None:
    # 30 s of wall time per video-minute = 1800 s per video-hour at 3538 MB.
    figures = cost.lambda_cost_per_video_hour(30.0, 50.0)
    gb = 3538 / 1024
    assert figures["billed_s_per_video_hour"] == 1800
    assert figures["x86_64"]["usd_per_video_hour"] == pytest.approx(
        1800 * gb * 0.0000166667, rel=1e-3
    )
    # The floor: 50 CPU-s per minute spread over 2 vCPUs.
    assert figures["cpu_floor_s_per_video_hour"] == 1500
    assert figures["arm64"]["usd_per_video_hour"] < figures["x86_64"]["usd_per_video_hour"]


def test_mediaconvert_prices_one_hd_and_one_sd_output_per_minute() -> None:
    assert cost.mediaconvert_per_video_hour()["usd_per_video_hour"] == pytest.approx(
        (0.015 + 0.0075) * 60
    )
