"""Face redaction's cost per minute of video, and its container image's size and cold start.

``python -m bench --redaction`` (alone, a few minutes) or part of ``make bench``. Writes
bench/results/redaction.json and bench/REDACTION_COST.md; RESULTS.md links to it.

- **Cost.** A generated 1280 x 720, 30 fps classroom scene (the top rung a clip is
  encoded at; a teacher and five students, tests/support/face_scenes.py) goes through the
  job's media steps as the worker runs them: detect on every frame (whole frame and
  224-px tiles), track, render with the teacher kept, encode the ladder. CPU seconds of
  this process and its ffmpeg children are measured per stage; the Lambda figure is a
  prediction from them at the function's size (two vCPUs): detection is one thread, so it
  bills its own CPU time; the encodes spread over both vCPUs.
- **Image.** The installed tree of the image: every distribution of
  requirements-redaction.txt as installed here (their files' sizes), chalicelib and the
  static ffmpeg; the base image is stated, not measured (no Docker on this machine).
- **Cold start.** A fresh interpreter imports the handler, builds the detector and finds
  the faces of one frame: what a new execution environment does before its first job
  (Lambda adds the image's lazy loading on top; stated).
"""

from __future__ import annotations

import json
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.cost import LAMBDA_GB_S, LAMBDA_REQUEST, TWO_VCPU_MB
from chalicelib.config import PROJECT_ROOT, Settings
from chalicelib.ingest.pipeline import produce
from chalicelib.media.probe import probe
from chalicelib.redaction.vision.detectors import MediapipeDetector
from chalicelib.redaction.vision.redact import VideoShape, analyse, render
from layers.ffmpeg import build as ffmpeg_build
from tests.support.face_scenes import Face, Scene, write_video

WIDTH, HEIGHT, FPS = 1280, 720, 30
# Lambda's function timeout (the redaction queue's, chalicelib/jobs/queues.py) and a margin.
FUNCTION_TIMEOUT_S = 900
# The function's size (infrastructure/stacks/functions.py REDACTION_MEMORY_MB): two vCPUs.
REDACTION_MEMORY_MB = TWO_VCPU_MB
# python:3.11-slim-bookworm, uncompressed, as Docker Hub lists it: stated, not measured.
BASE_IMAGE_MB = 125
LAMBDA_IMAGE_LIMIT_MB = 10 * 1024


def scene(seconds: float) -> Scene:
    frames = round(seconds * FPS)
    last = frames - 1
    return Scene(
        WIDTH, HEIGHT, FPS, frames,
        (
            Face("astronaut", (150, 150), (300, 300), (420, 290), label="teacher"),
            Face("astronaut", (64, 60), (800, 520), (840, 500), angle_deg=12, label="s1"),
            Face("cameraman", (70, 66), (1050, 260), (1000, 280), label="s2"),
            Face("astronaut", (48, 48), (640, 250), (660, 260), squash=0.65, occluded=0.3,
                 label="s3"),
            Face("lfw20", (36, 36), (980, 600), (990, 610), label="s4"),
            Face("astronaut", (40, 40), (180, 620), (200, 600), first_frame=frames // 3,
                 last_frame=last, label="s5"),
        ),
    )  # fmt: skip


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def _stage(stages: dict[str, dict[str, float]], name: str) -> Iterator[None]:
    wall, cpu = time.perf_counter(), _cpu_s()
    yield
    stages[name] = {"wall_s": time.perf_counter() - wall, "cpu_s": _cpu_s() - cpu}


def cost(work: Path, settings: Settings, seconds: float) -> dict[str, Any]:
    source = work / "scene.mp4"
    write_video(scene(seconds), source)
    shape = VideoShape(WIDTH, HEIGHT, float(FPS), round(seconds * FPS))
    stages: dict[str, dict[str, float]] = {}
    with _stage(stages, "detect and track"):
        detector = MediapipeDetector(tile_px=settings.redaction_tile_px)
        try:
            analysis = analyse(source, shape, detector, settings)
        finally:
            detector.close()
    redacted = work / "redacted.mp4"
    with _stage(stages, "render (blur) and encode"):
        render(source, redacted, analysis, settings)
    ladder = work / "ladder"
    ladder.mkdir()
    with _stage(stages, "ladder (renditions, poster, storyboard)"):
        produce(
            redacted,
            probe(redacted, settings),
            ladder,
            settings,
            on_playable=lambda _: None,
            on_progress=lambda _: None,
            checkpoint=lambda: None,
        )
    detect_cpu = stages["detect and track"]["cpu_s"]
    encode_cpu = sum(s["cpu_s"] for k, s in stages.items() if k != "detect and track")
    minutes = seconds / 60
    # Billed seconds per video-minute at two vCPUs: detection on one, encodes on both.
    billed_s = (detect_cpu + encode_cpu / 2) / minutes
    gb = REDACTION_MEMORY_MB / 1024
    return {
        "video": {"width": WIDTH, "height": HEIGHT, "fps": FPS, "seconds": seconds},
        "faces": len(analysis.tracks),
        "stages": stages,
        "ms_per_frame_detect": detect_cpu / shape.frames * 1000,
        "cpu_s_per_video_min": (detect_cpu + encode_cpu) / minutes,
        "billed_s_per_video_min": billed_s,
        "memory_mb": REDACTION_MEMORY_MB,
        "usd_per_video_min": {
            arch: billed_s * gb * price + LAMBDA_REQUEST for arch, price in LAMBDA_GB_S.items()
        },
        # One function run detects a clip this long; a longer one is detected in spans
        # of ``redaction_segment_s`` side by side, and one run then tracks, blurs and
        # encodes the whole clip (the finish).
        "longest_clip_in_one_run_s": FUNCTION_TIMEOUT_S / (billed_s / 60),
        "span_s": settings.redaction_segment_s,
        "span_detect_s": detect_cpu / seconds * settings.redaction_segment_s,
        "finish_s_per_video_min": encode_cpu / 2 / minutes,
        "longest_clip_with_spans_s": FUNCTION_TIMEOUT_S / (encode_cpu / 2 / minutes / 60),
    }


_NAME = re.compile(r"^([A-Za-z0-9_.-]+)==")


def _tree_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def image() -> dict[str, Any]:
    lock = (PROJECT_ROOT / "requirements-redaction.txt").read_text().splitlines()
    names = [m.group(1) for line in lock if (m := _NAME.match(line))]
    sizes: dict[str, float] = {}
    for name in names:
        files = metadata.distribution(name).files or []
        located = [Path(f.locate()) for f in files]
        sizes[name] = sum(p.stat().st_size for p in located if p.is_file())
    packages_mb = sum(sizes.values()) / 1e6
    app_mb = _tree_mb(PROJECT_ROOT / "chalicelib")
    ffmpeg_mb = _tree_mb(ffmpeg_build.BIN_DIR)
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:6]
    total = BASE_IMAGE_MB + packages_mb + app_mb + ffmpeg_mb
    return {
        "packages_mb": packages_mb,
        "largest_packages_mb": {name: size / 1e6 for name, size in largest},
        "chalicelib_mb": app_mb,
        "ffmpeg_mb": ffmpeg_mb,
        "base_image_mb_stated": BASE_IMAGE_MB,
        "image_mb": total,
        "lambda_limit_mb": LAMBDA_IMAGE_LIMIT_MB,
    }


_COLD = """
import json
import time
t0 = time.perf_counter()
import numpy as np
import chalicelib.redaction.handler  # noqa: F401
from chalicelib.redaction.vision.detectors import MediapipeDetector
t1 = time.perf_counter()
detector = MediapipeDetector(tile_px=224)
t2 = time.perf_counter()
detector.detect(np.zeros((720, 1280, 3), np.uint8))
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "detector_s": t2 - t1, "first_frame_s": t3 - t2}))
"""


def cold_start(runs: int = 3) -> dict[str, Any]:
    measured = []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", _COLD], capture_output=True, text=True, check=True
        ).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        figures["process_s"] = time.perf_counter() - started
        measured.append(figures)
    return {
        key: statistics.median(m[key] for m in measured)
        for key in ("import_s", "detector_s", "first_frame_s", "process_s")
    } | {"runs": runs}


def run(
    work: Path,
    settings: Settings,
    seconds: float,
    log: Callable[[str], None],
    *,
    cold_runs: int = 3,
) -> dict[str, Any]:
    log(f"redaction cost: {seconds:g} s of {WIDTH}x{HEIGHT} at {FPS} fps")
    figures = {"cost": cost(work, settings, seconds)}
    log("redaction image size and cold start")
    figures["image"] = image()
    figures["cold_start"] = cold_start(cold_runs)
    return figures


def markdown(figures: dict[str, Any], machine: dict[str, Any]) -> str:
    c, i, s = figures["cost"], figures["image"], figures["cold_start"]
    video = c["video"]
    lines = [
        "# Face redaction: cost per minute of video, image size, cold start",
        "",
        "Generated by `python -m bench --redaction` (bench/redaction.py; also part of "
        "`make bench`). Detector choice and recall: [REDACTION.md](REDACTION.md).",
        f"Machine: {machine.get('cpu_model')}, {machine.get('cores')} cores shared with "
        f"other work (load average {machine.get('loadavg_at_start')} at the start, "
        f"{machine.get('loadavg_at_end')} at the end): CPU seconds are the figure to read.",
        "",
        "## Cost per minute of video",
        "",
        f"A {video['seconds']:g} s {video['width']} x {video['height']} clip at "
        f"{video['fps']} fps with a teacher and five students ({c['faces']} tracks found), "
        "through the job's media steps:",
        "",
        "| stage | wall s | CPU s |",
        "|---|---:|---:|",
        *(
            f"| {name} | {stage['wall_s']:.1f} | {stage['cpu_s']:.1f} |"
            for name, stage in c["stages"].items()
        ),
        "",
        f"- detection: **{c['ms_per_frame_detect']:.0f} ms of CPU per frame** (whole frame "
        "+ 224-px tiles, every frame);",
        f"- **{c['cpu_s_per_video_min']:.0f} CPU-s per minute of video**; billed at "
        f"{c['memory_mb']} MB (two vCPUs; detection on one, the encodes on both): "
        f"**{c['billed_s_per_video_min']:.0f} s per minute of video**;",
        f"- predicted Lambda cost: **${c['usd_per_video_min']['x86_64']:.4f} per minute of "
        f"video** on x86_64 (us-east-1 list price; the image is x86_64 only, as the ffmpeg "
        "build is);",
        f"- one run of the function (15 min) holds a clip of about "
        f"**{c['longest_clip_in_one_run_s'] / 60:.1f} min**; a longer one is detected in "
        f"spans of {c['span_s']:g} s side by side (about {c['span_detect_s']:.0f} s each), "
        f"then one run tracks, blurs and encodes the whole clip (about "
        f"{c['finish_s_per_video_min']:.0f} s per minute of video: clips up to "
        f"~{c['longest_clip_with_spans_s'] / 60:.0f} min, beyond the 10-minute clip limit).",
        "",
        "## Image size (from the installed tree)",
        "",
        f"- Python packages of requirements-redaction.txt: **{i['packages_mb']:.0f} MB** "
        "(largest: "
        + ", ".join(f"{n} {mb:.0f} MB" for n, mb in i["largest_packages_mb"].items())
        + ");",
        f"- chalicelib {i['chalicelib_mb']:.1f} MB, static ffmpeg + ffprobe "
        f"{i['ffmpeg_mb']:.0f} MB;",
        f"- base image python:3.11-slim-bookworm ~{i['base_image_mb_stated']} MB (stated, "
        "not measured: no Docker here);",
        f"- **about {i['image_mb']:.0f} MB uncompressed**, against Lambda's "
        f"{i['lambda_limit_mb'] // 1024} GB limit for an image.",
        "",
        f"## Cold start (a fresh interpreter, median of {s['runs']})",
        "",
        f"- imports (handler, MediaPipe, OpenCV, NumPy): **{s['import_s']:.2f} s**;",
        f"- building the detector (loading its model): {s['detector_s']:.2f} s;",
        f"- the first frame's detection: {s['first_frame_s']:.2f} s;",
        f"- the whole process: {s['process_s']:.2f} s. Lambda adds pulling the image's "
        "layers on first use (lazy loading; a few seconds for an image of this size is "
        "typical, not measured here). A job of a clip runs for minutes, so a cold start is "
        "a small share of it.",
        "",
    ]
    return "\n".join(lines)


def results_section(figures: dict[str, Any]) -> str:
    """The headline for bench/RESULTS.md: cost per minute of video, and where the rest is."""
    c = figures["cost"]
    return "\n".join(
        [
            "",
            "## Face redaction: cost per minute of video",
            "",
            f"**${c['usd_per_video_min']['x86_64']:.4f} per minute of video** (720p, 30 fps, "
            f"detection on every frame: {c['ms_per_frame_detect']:.0f} ms of CPU per frame; "
            f"{c['billed_s_per_video_min']:.0f} billed seconds per minute at "
            f"{c['memory_mb']} MB), predicted from CPU seconds measured here. Stages, image "
            "size and cold start: [REDACTION_COST.md](REDACTION_COST.md) "
            "(`make bench-redaction`).",
            "",
        ]
    )
