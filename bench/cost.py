"""Lambda cost per video-hour from measured figures, beside MediaConvert's list price.

Prices are assumptions, stated with their date in RESULTS.md: us-east-1 on-demand
list prices as published by AWS (Lambda: first usage tier; MediaConvert: Basic
tier, AVC, per output minute, first volume tier). Re-check before quoting them.
"""

from __future__ import annotations

from typing import Any

PRICES_AS_OF = "2025 list prices (us-east-1), from AWS's public pricing pages; verify before use"
LAMBDA_GB_S = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
LAMBDA_REQUEST = 0.20 / 1_000_000
# Lambda gives one vCPU per 1769 MB; 3538 MB is the smallest size with two.
TWO_VCPU_MB = 3538
MEDIACONVERT_PER_OUTPUT_MINUTE = {"SD (<720p)": 0.0075, "HD (720p-1080p)": 0.015}


def lambda_cost_per_video_hour(
    wall_s_per_video_min: float, cpu_s_per_video_min: float, memory_mb: int = TWO_VCPU_MB
) -> dict[str, Any]:
    """Two estimates of billed duration at 2 vCPUs.

    ``cpu``: CPU-seconds / 2, both vCPUs busy (x264 and the split filter keep
    two cores busy on an idle machine); the figure to quote. ``wall``: the wall
    time measured here, inflated by whatever else ran on the shared machine; an
    upper bound.
    """
    gb = memory_mb / 1024
    billed_s = wall_s_per_video_min * 60
    floor_s = cpu_s_per_video_min * 60 / 2
    out: dict[str, Any] = {
        "memory_mb": memory_mb,
        "wall_s_per_video_hour": billed_s,
        "cpu_s_per_video_hour_over_2_vcpus": floor_s,
    }
    for arch, price in LAMBDA_GB_S.items():
        out[arch] = {
            "usd_per_video_hour": floor_s * gb * price + LAMBDA_REQUEST,
            "usd_per_video_hour_at_measured_wall": billed_s * gb * price + LAMBDA_REQUEST,
        }
    return out


def mediaconvert_per_video_hour() -> dict[str, Any]:
    """Same outputs: one HD (720p) and one SD (360p) AVC rendition per source minute."""
    per_minute = sum(MEDIACONVERT_PER_OUTPUT_MINUTE.values())
    return {
        "tier": "Basic, AVC, on-demand",
        "per_output_minute": MEDIACONVERT_PER_OUTPUT_MINUTE,
        "usd_per_video_hour": per_minute * 60,
        "note": "poster and storyboard would be extra frame-capture outputs; not priced here",
    }
