"""The cost arithmetic of the bench reports."""

from __future__ import annotations

import pytest

from bench import cost


def test_lambda_cost_spreads_cpu_seconds_over_two_vcpus() -> None:
    figures = cost.lambda_cost_per_video_hour(30.0, 50.0)
    gb = 3538 / 1024
    # 50 CPU-s per video-minute over 2 vCPUs: 1500 s billed per video-hour at 3538 MB.
    assert figures["cpu_s_per_video_hour_over_2_vcpus"] == 1500
    assert figures["x86_64"]["usd_per_video_hour"] == pytest.approx(
        1500 * gb * 0.0000166667, rel=1e-3
    )
    # The measured wall time (30 s per video-minute) is the upper bound.
    assert figures["wall_s_per_video_hour"] == 1800
    assert figures["arm64"]["usd_per_video_hour"] < figures["x86_64"]["usd_per_video_hour"]


def test_mediaconvert_prices_one_hd_and_one_sd_output_per_minute() -> None:
    assert cost.mediaconvert_per_video_hour()["usd_per_video_hour"] == pytest.approx(
        (0.015 + 0.0075) * 60
    )
