"""The arithmetic of the segmented-pipeline report: overhead and Lambda predictions."""

from __future__ import annotations

from typing import Any

import pytest

from bench.segments import Assumptions, overhead, predict


def _timing(wall: float, cpu: float) -> dict[str, float]:
    return {"wall_s": wall, "cpu_s": cpu, "python_cpu_s": 0.0}


def _measured() -> dict[str, Any]:
    # 120 s of media: 20 segments of 6 s in 5 chunks (1, 5, 5, 5, 4), 1 CPU-s per media second.
    return {
        "source": {"duration_s": 120.0},
        "one_process": _timing(60.0, 100.0),
        "segmented": {
            "segments": 20,
            "chunks": 5,
            "segments_per_chunk": 5,
            "segment_media_s": 6.0,
            "cut": _timing(0.4, 0.2),
            "encode": _timing(70.0, 120.0),
            "split_python_cpu_s": 0.5,
            "audio_package": _timing(0.2, 0.1),
            "download_mp4": {"wall_s": 0.3, "cpu_s": 0.0, "python_cpu_s": 0.1},
            "top_rung_mb_per_media_s": 0.25,
            "per_chunk": {"cpu_s_per_media_s": 1.0},
        },
    }


def test_overhead_counts_everything_the_segmented_pipeline_runs() -> None:
    measured = _measured()
    found = overhead(measured["one_process"], measured["segmented"])
    assert found["encode_only"] == pytest.approx(0.2)
    assert found["segmented_cpu_s"] == pytest.approx(120.0 + 0.2 + 0.5 + 0.1 + 0.1)
    assert found["whole_pipeline"] == pytest.approx(0.209)


def test_a_lesson_is_cut_into_chunk_tasks_run_in_waves_at_the_concurrency() -> None:
    a = Assumptions(memory_mb=10240, concurrency=10, parallel_efficiency=0.5, task_overhead_s=1.0)
    found = predict(_measured(), source_mb_per_min=120.0, lesson_min=60, a=a)
    assert found["segments"] == 600
    assert found["chunk_tasks"] == 1 + 120  # the first chunk is one segment
    assert found["waves"] == 12
    # 5 segments x 6 CPU-s over (5.79 vCPUs x 0.5), plus the task's overhead, its own
    # span of the upload read at the S3 rate, and its cut.
    read_s = 30 * 2.0 / a.s3_read_mb_s
    assert found["chunk_task_s"] == pytest.approx(
        5 * 6 / (a.vcpus * 0.5) + 1.0 + read_s + 30 * 0.4 / 120
    )
    # No task downloads the lesson: planning is seconds, the sound reads it once.
    assert found["plan_s"] == pytest.approx(1.0 + 121 * a.send_s)
    assert found["sound_task_s"] == pytest.approx(1.0 + 60 * 120 / a.s3_read_mb_s)
    assert found["time_to_playable_s"] < found["time_to_ready_s"]
    # Playable waits for one segment, whatever the length.
    three_hours = predict(_measured(), 120.0, 180, a)
    assert three_hours["time_to_playable_s"] == pytest.approx(found["time_to_playable_s"], rel=0.1)
    # More functions at once: fewer waves, sooner ready, the same bill.
    wider = predict(_measured(), 120.0, 60, Assumptions(concurrency=60))
    narrow = predict(_measured(), 120.0, 60, Assumptions(concurrency=10))
    assert wider["time_to_ready_s"] < narrow["time_to_ready_s"]
    assert wider["usd_per_video_hour_x86_64"] == pytest.approx(narrow["usd_per_video_hour_x86_64"])
