"""`make bench` end to end on tiny inputs: every row of issue 9 is measured and reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.config import PROJECT_ROOT

pytestmark = pytest.mark.integration


def test_smoke_run_measures_every_row(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    argv = [
        sys.executable,
        "-m",
        "bench",
        "--smoke",
        "--out",
        str(tmp_path),
        "--inputs",
        str(inputs),
    ]
    result = subprocess.run(
        argv,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    results = json.loads((tmp_path / "results" / "latest.json").read_text())
    rows = {row["measure"]: row for row in results["rows"]}
    # Every row measured, none pending or estimated.
    assert len(rows) == 13
    assert all(row["verdict"] in ("met", "MISSED") for row in rows.values())
    for name in (
        "comment thread read (GET /videos/{id}/comments)",
        "review-queue list (GET /review-queue)",
        "review-queue stats (GET /review-queue/stats)",
        "library search (GET /library?element=student-centered&q=wait)",
    ):
        reads = results["stack"]["reads"][name]
        assert "Scan" not in reads["large"]["operations"], name
        assert reads["large"]["items"] > reads["small"]["items"]
    assert results["stack"]["throughput"]["errors"] == 0
    # Issue 19: a rostering import, then a second one applying exactly its diff.
    assert results["stack"]["roster"]["diff_exact"] is True
    phone = results["media"]["phone"]
    # The sampled tree includes ffmpeg, so it outweighs the Python process alone.
    assert phone["peak_tree_rss_mb"] > phone["peak_python_rss_mb"]
    results_md = (tmp_path / "RESULTS.md").read_text()
    assert "MediaConvert" in results_md
    assert "30-minute recording" in (tmp_path / "FANOUT.md").read_text()
    # Issue 17: the segmented pipeline against one process, side by side.
    by_source = json.loads((tmp_path / "results" / "segments.json").read_text())["sources"]
    assert set(by_source) == {"hevc", "h264"}
    for segmented in by_source.values():
        assert segmented["segmented"]["segments"] >= 2
        assert {p["lesson_min"] for p in segmented["predictions"]} == {30, 60, 90, 180}
    assert "CPU-second overhead" in (tmp_path / "SEGMENTS.md").read_text()
    # Issue 21: face redaction's cost per minute of video, image size and cold start.
    redaction = json.loads((tmp_path / "results" / "redaction.json").read_text())
    assert redaction["cost"]["faces"] >= 6
    assert redaction["cost"]["usd_per_video_min"]["x86_64"] > 0
    assert 0 < redaction["image"]["image_mb"] < redaction["image"]["lambda_limit_mb"]
    assert redaction["cold_start"]["first_frame_s"] > 0
    assert "Face redaction: cost per minute of video" in results_md
