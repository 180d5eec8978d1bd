"""Every kind of file a teacher might upload, through the public API and the real worker."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import requests

from chalicelib.auth.principal import Role
from chalicelib.config import Settings
from chalicelib.media import formats
from chalicelib.media.examination import examine
from chalicelib.media.ladder import ladder
from classreel.local.stack import LocalStack
from tests.support import measure
from tests.support.api import Api, upload_sample
from tests.support.hls import mirror, open_playback, remux_to_mp4
from tests.support.media_corpus import FLASHES_S, SAMPLES, Sample, build, build_original
from tests.support.mp4 import ffprobe, moov_before_mdat, stream
from tests.support.reliability_report import Report
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration

READY = [s for s in SAMPLES if s.outcome == "ready"]
FAILED = [s for s in SAMPLES if s.outcome == "failed"]
HDR = [s for s in READY if "hdr" in s.tags]
INTERLACED = [s for s in READY if "interlaced" in s.tags]
SYNC = [s for s in READY if "sync" in s.tags]
# HDR shown on an ordinary screen after tone-mapping keeps its colours: average
# saturation within this fraction of the SDR original's (an untouched HLG file
# shown as SDR measured about 40 % of it).
SATURATION_TOLERANCE = 0.25
BRIGHTNESS_TOLERANCE = 0.15
HDR_TRANSFERS = {"iphone_hlg": "arib-std-b67", "android_hdr10": "smpte2084"}
SYNC_TOLERANCE_S = 0.040
# Every sample is uploaded at once and the worker takes them in its own order, so the first
# test may wait for most of the corpus: on a loaded 2-core machine that is minutes. A deadline
# for a stuck video, never a speed check (pytest's own timeout is 600 s).
CORPUS_WAIT_S = 540


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
    video = teacher_api.wait_for(uploaded[sample.name], CORPUS_WAIT_S)
    assert video["status"] == "failed"
    assert sample.reason in video["failure_reason"]
    assert video["renditions"] == []
    assert video["playable"] is False


@pytest.mark.parametrize("sample", READY, ids=lambda s: s.name)
def test_good_files_become_web_video(
    sample: Sample, uploaded: dict[str, str], teacher_api: Api, tmp_path: Path
) -> None:
    video = teacher_api.wait_for(uploaded[sample.name], CORPUS_WAIT_S)
    assert video["status"] == "ready", video["failure_reason"]
    assert video["playable"] is True
    assert (video["width"], video["height"]) == sample.display
    assert video["has_audio"] is sample.has_audio
    assert video["duration_s"] > 1
    # One progressive MP4 to download: the source copied when it is web-ready,
    # else the top rung encoded; playback streams the encoded ladder (HLS).
    assert [r["label"] for r in video["renditions"]] == [sample.labels[0]]
    _check_stream(sample, video, teacher_api, tmp_path)

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
            if sample.channels is not None:
                assert a["channels"] == sample.channels
            if not remuxed:
                assert a["sample_rate"] == "48000"
        # SDR BT.709 (or untagged), never the source's HDR tags.
        assert v.get("color_transfer", "bt709") in ("bt709", "unknown")
        assert v.get("color_primaries", "bt709") in ("bt709", "unknown")


def _check_stream(sample: Sample, video: dict[str, Any], api: Api, tmp_path: Path) -> None:
    """The adaptive stream: every encoded rung, upright, CFR, SDR, with the sound."""
    assert video["hls"] is True
    view = open_playback(api, str(video["id"]))
    copy = mirror(api, str(view["hls_url"]), tmp_path / "hls")
    assert sample.display is not None
    expected = ladder(*sample.display, remux_top=False)
    assert list(copy.variants) == [r.label for r in expected]
    assert (copy.audio is not None) is sample.has_audio
    for rendition in expected:
        info = ffprobe(copy.variants[rendition.label])
        v = stream(info, "video")
        assert v is not None
        assert (v["codec_name"], v["pix_fmt"]) == ("h264", "yuv420p")
        assert (v["width"], v["height"]) == (rendition.width, rendition.height)
        assert v.get("color_transfer", "bt709") in ("bt709", "unknown")
        assert v.get("field_order", "progressive") == "progressive"


@pytest.mark.parametrize("sample", HDR, ids=lambda s: s.name)
def test_hdr_comes_out_sdr_with_the_colours_of_the_original(
    sample: Sample, uploaded: dict[str, str], teacher_api: Api, corpus_dir: Path, tmp_path: Path
) -> None:
    # The sample really is what a phone records, so nothing below can pass vacuously.
    source = stream(ffprobe(build(sample, corpus_dir)), "video")
    assert source is not None
    assert (source["pix_fmt"], source["color_primaries"], source["color_transfer"]) == (
        "yuv420p10le",
        "bt2020",
        HDR_TRANSFERS[sample.name],
    )
    video = teacher_api.wait_for(uploaded[sample.name], CORPUS_WAIT_S)
    assert video["status"] == "ready", video["failure_reason"]
    top = _download(video["renditions"][0]["url"], tmp_path / "top.mp4")
    v = stream(ffprobe(top), "video")
    assert v is not None
    assert (v["pix_fmt"], v["color_transfer"], v["color_primaries"]) == (
        "yuv420p",
        "bt709",
        "bt709",
    )
    sdr = build_original(sample, corpus_dir)
    original, shown = measure.average_saturation(sdr), measure.average_saturation(top)
    assert abs(shown - original) <= SATURATION_TOLERANCE * original, (shown, original)
    # Neither dimmed nor blown out: the room's brightness too.
    original_luma, shown_luma = measure.average_luma(sdr), measure.average_luma(top)
    assert abs(shown_luma - original_luma) <= BRIGHTNESS_TOLERANCE * original_luma, (
        shown_luma,
        original_luma,
    )
    # Shown untouched (HDR read as SDR) it would be far off: the measure can tell.
    washed_out = measure.average_saturation(build(sample, corpus_dir))
    assert abs(washed_out - original) > SATURATION_TOLERANCE * original, (washed_out, original)


@pytest.mark.parametrize("sample", INTERLACED, ids=lambda s: s.name)
def test_interlaced_sources_come_out_progressive(
    sample: Sample, uploaded: dict[str, str], teacher_api: Api, corpus_dir: Path, tmp_path: Path
) -> None:
    woven_in, _ = measure.woven_frames(build(sample, corpus_dir))
    assert woven_in > 0, "the sample must be interlaced to test anything"
    video = teacher_api.wait_for(uploaded[sample.name], CORPUS_WAIT_S)
    assert video["status"] == "ready", video["failure_reason"]
    for rendition in video["renditions"]:
        path = _download(rendition["url"], tmp_path / f"{rendition['label']}.mp4")
        woven, progressive = measure.woven_frames(path)
        assert woven <= 0.1 * (woven + progressive), (rendition["label"], woven, progressive)
        v = stream(ffprobe(path), "video")
        assert v is not None and v.get("field_order", "progressive") == "progressive"
    # What the player streams, every rung: measured, not only flagged.
    view = open_playback(teacher_api, str(video["id"]))
    copy = mirror(teacher_api, str(view["hls_url"]), tmp_path / "hls")
    assert copy.variants
    for label, playlist in copy.variants.items():
        woven, progressive = measure.woven_frames(playlist)
        assert progressive > 0, label
        assert woven <= 0.1 * (woven + progressive), (label, woven, progressive)


@pytest.mark.parametrize("sample", SYNC, ids=lambda s: s.name)
def test_picture_and_sound_stay_in_sync(
    sample: Sample, uploaded: dict[str, str], teacher_api: Api, tmp_path: Path
) -> None:
    """Flashes and beeps together in the source (by its edit list or stream offsets) are
    together in what the viewer gets, at the times they were meant to be."""
    video = teacher_api.wait_for(uploaded[sample.name], CORPUS_WAIT_S)
    assert video["status"] == "ready", video["failure_reason"]
    top = _download(video["renditions"][0]["url"], tmp_path / "top.mp4")
    # The stream is encoded even when the download is the source copied (a web-ready
    # sample): what a player shows is measured on its own.
    view = open_playback(teacher_api, str(video["id"]))
    copy = mirror(teacher_api, str(view["hls_url"]), tmp_path / "hls")
    top_rung = next(iter(copy.variants.values()))
    streamed = remux_to_mp4(top_rung, copy.audio, tmp_path / "streamed.mp4")
    for watched in (top, streamed):
        flashes = measure.flash_times(watched)
        beeps = measure.beep_times(watched)[: len(FLASHES_S)]
        assert len(flashes) == len(FLASHES_S) == len(beeps), (watched.name, flashes, beeps)
        for meant, flash, beep in zip(FLASHES_S, flashes, beeps, strict=True):
            assert abs(flash - beep) <= SYNC_TOLERANCE_S, (watched.name, flash, beep)
            assert abs(flash - meant) <= SYNC_TOLERANCE_S, (watched.name, flash, meant)


def test_surround_becomes_stereo_with_the_dialogue_audible(
    uploaded: dict[str, str], teacher_api: Api, corpus_dir: Path, tmp_path: Path
) -> None:
    sample = next(s for s in READY if s.name == "surround_51")
    video = teacher_api.wait_for(uploaded[sample.name], CORPUS_WAIT_S)
    top = _download(video["renditions"][0]["url"], tmp_path / "top.mp4")
    a = stream(ffprobe(top), "audio")
    assert a is not None and a["channels"] == 2
    voice = "bandpass=f=300:width_type=q:w=5"  # the centre channel's 300 Hz "dialogue"
    source_voice = measure.mean_volume_db(build(sample, corpus_dir), f"pan=mono|c0=FC,{voice}")
    # ffmpeg's default downmix would put it 10.7 dB lower when normalised; ATSC's -3 dB is kept.
    assert measure.mean_volume_db(top, voice) >= source_voice - 4.0


@pytest.mark.parametrize("sample", READY, ids=lambda s: s.name)
def test_classreel_probe_said_what_the_worker_did(
    sample: Sample, uploaded: dict[str, str], teacher_api: Api, corpus_dir: Path
) -> None:
    plan = examine(build(sample, corpus_dir), Settings()).plan
    video = teacher_api.wait_for(uploaded[sample.name], CORPUS_WAIT_S)
    assert plan.accepted
    assert [r["label"] for r in video["renditions"]] == [plan.renditions[0].label]
    assert plan.remux is sample.remux


def _probe_cli(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`classreel probe` as a teacher runs it: no stack, no token, only the file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}
    return subprocess.run(
        [sys.executable, "-m", "classreel.cli.main", "probe", *args, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_classreel_probe_explains_a_file_in_words(corpus_dir: Path) -> None:
    sample = next(s for s in READY if s.name == "camcorder_avchd")
    result = _probe_cli(build(sample, corpus_dir))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{build(sample, corpus_dir).name}: accepted (MPEG-TS/AVCHD, h264")
    assert "  video:       transcoded to 720p, 360p" in lines
    assert "  interlacing: tff (from the stream) -> deinterlaced" in lines
    assert any(
        line.startswith("  audio:       6 channels -> stereo (dialogue kept)") for line in lines
    ), lines
    assert "  colour:      SDR, kept" in lines


def test_classreel_probe_refuses_with_the_reason_and_status_1(corpus_dir: Path) -> None:
    sample = next(s for s in FAILED if s.name == "audio_only")
    path = build(sample, corpus_dir)
    result = _probe_cli(path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{path.name}: refused",
        f"  why: {formats.AUDIO_ONLY}",
    ]
    assert sample.reason in formats.AUDIO_ONLY
    as_json = _probe_cli(path, "--json")
    assert as_json.returncode == 1
    facts = json.loads(as_json.stdout)
    assert (facts["accepted"], facts["action"]) == (False, None)
    assert sample.reason in facts["reason"]


@pytest.mark.parametrize(("name", "hdr"), [("iphone_hlg", "HLG"), ("android_hdr10", "PQ (HDR10)")])
def test_classreel_probe_json_shows_the_tone_map(corpus_dir: Path, name: str, hdr: str) -> None:
    sample = next(s for s in HDR if s.name == name)
    result = _probe_cli(build(sample, corpus_dir), "--json")
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["action"] == "transcode"
    assert facts["tone_map"]["from"] == hdr
    assert facts["tone_map"]["to"] == "SDR BT.709 8-bit"
    assert facts["source"]["video"]["pixel_format"] == "yuv420p10le"
    assert facts["source"]["video"]["primaries"] == "bt2020"


def test_classreel_probe_json_shows_the_rotation(corpus_dir: Path) -> None:
    sample = next(s for s in READY if s.name == "portrait")
    result = _probe_cli(build(sample, corpus_dir), "--json")
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["rotation"] in (90, 270, -90)
    assert (facts["renditions"][0]["width"], facts["renditions"][0]["height"]) == (720, 1280)
    text = _probe_cli(build(sample, corpus_dir)).stdout
    assert f"  rotation:    stored rotated {facts['rotation']} degrees -> made upright" in text


def test_a_camcorder_file_through_the_cli(
    local_stack: LocalStack, tokens: TokenFactory, corpus_dir: Path, tmp_path: Path
) -> None:
    """MPEG-TS named as the camera names it (00001.MTS), probed by `classreel probe`, then
    uploaded by `classreel upload` (which declares video/mp2t from the name; the worker
    decides by the bytes, tested with browsers' empty type in the corpus): ready."""
    sample = next(s for s in READY if s.name == "camcorder_avchd")
    camcorder = tmp_path / sample.filename
    camcorder.write_bytes(build(sample, corpus_dir).read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}
    env.update(
        CLASSREEL_API=local_stack.api_url,
        CLASSREEL_TOKEN=tokens.token("teacher-camcorder", Role.TEACHER),
        XDG_STATE_HOME=str(tmp_path / "state"),
    )

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "classreel.cli.main", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    probed = cli("probe", "--json", str(camcorder))
    assert probed.returncode == 0, probed.stderr
    plan = json.loads(probed.stdout)
    assert (plan["accepted"], plan["container"], plan["action"]) == (
        True,
        "MPEG-TS/AVCHD",
        "transcode",
    )
    assert plan["deinterlace"] == {"parity": "tff", "detected_by": "stream"}
    assert plan["audio"]["downmix"] is True

    uploaded = cli("upload", str(camcorder), "--wait", "--json", "--quiet")
    assert uploaded.returncode == 0, uploaded.stderr
    video = json.loads(uploaded.stdout)
    assert video["status"] == "ready"
    assert (video["width"], video["height"]) == (1920, 1080)
    assert [r["label"] for r in video["renditions"]] == [plan["renditions"][0]["label"]]


@pytest.mark.parametrize("sample", READY[:3], ids=lambda s: s.name)
def test_poster_and_storyboard(
    sample: Sample, uploaded: dict[str, str], teacher_api: Api, tmp_path: Path
) -> None:
    video = teacher_api.wait_for(uploaded[sample.name], CORPUS_WAIT_S)
    poster = _download(video["poster_url"], tmp_path / "poster.jpg")
    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"
    poster_stream = stream(ffprobe(poster), "video")
    assert poster_stream is not None
    assert sample.display is not None
    top = ladder(*sample.display, remux_top=False)[0]  # the stream's top rung
    assert (poster_stream["width"], poster_stream["height"]) == (top.width, top.height)

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
    video = teacher_api.wait_for(uploaded[sample.name], CORPUS_WAIT_S)
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
        name: teacher_api.wait_for(video_id, CORPUS_WAIT_S)["status"]
        for name, video_id in uploaded.items()
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
