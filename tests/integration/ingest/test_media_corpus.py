"""Every kind of file a teacher might upload, through the public API and the real worker."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
import requests

from classreel.local.stack import LocalStack
from tests.support.api import Api, upload_sample
from tests.support.media_corpus import SAMPLES, Sample, build
from tests.support.mp4 import ffprobe, moov_before_mdat, stream
from tests.support.reliability_report import Report

pytestmark = pytest.mark.integration

READY = [s for s in SAMPLES if s.outcome == "ready"]
FAILED = [s for s in SAMPLES if s.outcome == "failed"]


@pytest.fixture(scope="module")
def uploaded(local_stack: LocalStack, teacher_api: Api, corpus_dir: Path) -> dict[str, str]:
    """Upload every sample first, so the worker processes them while tests wait."""
    return {
        sample.name: upload_sample(
            teacher_api, build(sample, corpus_dir), sample.filename, sample.content_type
        )
        for sample in SAMPLES
    }


def _download(url: str, target: Path) -> Path:
    response = requests.get(url, timeout=60)
    assert response.status_code == 200
    target.write_bytes(response.content)
    return target


@pytest.mark.parametrize("sample", FAILED, ids=lambda s: s.name)
def test_bad_files_fail_with_a_reason_a_teacher_understands(
    sample: Sample, uploaded: dict[str, str], teacher_api: Api
) -> None:
    video = teacher_api.wait_for(uploaded[sample.name])
    assert video["status"] == "failed"
    assert sample.reason in video["failure_reason"]
    assert video["renditions"] == []
    assert video["playable"] is False


@pytest.mark.parametrize("sample", READY, ids=lambda s: s.name)
def test_good_files_become_web_video(
    sample: Sample, uploaded: dict[str, str], teacher_api: Api, tmp_path: Path
) -> None:
    video = teacher_api.wait_for(uploaded[sample.name])
    assert video["status"] == "ready", video["failure_reason"]
    assert video["playable"] is True
    assert (video["width"], video["height"]) == sample.display
    assert video["has_audio"] is sample.has_audio
    assert video["duration_s"] > 1
    assert [r["label"] for r in video["renditions"]] == list(sample.labels)

    for index, rendition in enumerate(video["renditions"]):
        path = _download(rendition["url"], tmp_path / f"{rendition['label']}.mp4")
        info = ffprobe(path)
        v = stream(info, "video")
        assert v is not None
        assert v["codec_name"] == "h264"
        assert v["pix_fmt"] == "yuv420p"
        assert v["profile"] in ("High", "Main", "Constrained Baseline", "Baseline")
        # Upright: stored exactly as displayed, with no rotation left to apply.
        assert (v["width"], v["height"]) == (rendition["width"], rendition["height"])
        assert not v.get("side_data_list")
        assert v["width"] % 2 == 0 and v["height"] % 2 == 0
        # Never upscaled.
        assert min(v["width"], v["height"]) <= min(sample.display or (0, 0))
        assert moov_before_mdat(path), "moov must come first (faststart)"
        remuxed = sample.remux and index == 0
        if not remuxed:
            assert Fraction(v["avg_frame_rate"]) == Fraction(v["r_frame_rate"]), "must be CFR"
        a = stream(info, "audio")
        assert (a is not None) is sample.has_audio
        if a is not None:
            assert a["codec_name"] == "aac"


@pytest.mark.parametrize("sample", READY[:3], ids=lambda s: s.name)
def test_poster_and_storyboard(
    sample: Sample, uploaded: dict[str, str], teacher_api: Api, tmp_path: Path
) -> None:
    video = teacher_api.wait_for(uploaded[sample.name])
    poster = _download(video["poster_url"], tmp_path / "poster.jpg")
    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"
    poster_stream = stream(ffprobe(poster), "video")
    assert poster_stream is not None
    top = video["renditions"][0]
    assert (poster_stream["width"], poster_stream["height"]) == (top["width"], top["height"])

    sprite = _download(video["storyboard_url"], tmp_path / "storyboard.jpg")
    sprite_stream = stream(ffprobe(sprite), "video")
    assert sprite_stream is not None
    vtt = requests.get(video["storyboard_vtt_url"], timeout=30).text
    assert vtt.startswith("WEBVTT")
    cues = re.findall(
        r"(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)",
        vtt,
    )
    assert len(cues) >= 2
    starts = [c[0] for c in cues]
    assert starts == sorted(starts) and starts[0] == "00:00:00.000"
    for _start, _end, image, x, y, w, h in cues:
        assert image == "storyboard.jpg"
        assert int(x) + int(w) <= sprite_stream["width"]
        assert int(y) + int(h) <= sprite_stream["height"]


def test_remux_path_keeps_the_source_bitstream(
    uploaded: dict[str, str], teacher_api: Api, corpus_dir: Path, tmp_path: Path
) -> None:
    """An already-web file is copied, not re-encoded, for its top rendition."""
    sample = next(s for s in READY if s.name == "web_720p")
    video = teacher_api.wait_for(uploaded[sample.name])
    top = _download(video["renditions"][0]["url"], tmp_path / "top.mp4")
    source_stream = stream(ffprobe(build(sample, corpus_dir)), "video")
    top_stream = stream(ffprobe(top), "video")
    assert source_stream is not None and top_stream is not None
    assert top_stream["nb_frames"] == source_stream["nb_frames"]
    assert top_stream["bit_rate"] == source_stream["bit_rate"]


def test_the_worker_outlives_the_whole_batch(
    uploaded: dict[str, str],
    teacher_api: Api,
    local_stack: LocalStack,
    reliability_report: Report,
) -> None:
    """Bad files and good files went in together: every one ends as its sample says."""
    outcomes = {
        name: teacher_api.wait_for(video_id)["status"] for name, video_id in uploaded.items()
    }
    expected = {sample.name: sample.outcome for sample in SAMPLES}
    reliability_report.add(
        "media corpus in one batch",
        trials=len(SAMPLES),
        faults=len(FAILED),
        lost=sum(1 for s in READY if outcomes[s.name] != "ready"),
    )
    assert outcomes == expected
    assert local_stack.worker("runner").running()
