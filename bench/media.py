"""Media figures: the ingest pipeline against its baselines, measured in the same run."""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.memory import run_sampled
from chalicelib.config import Settings
from chalicelib.media import renditions as rendition_tools
from chalicelib.media.probe import probe
from chalicelib.media.thumbnails import make_poster

WRAPPER = Path(__file__).with_name("ffmpeg_wrapper.sh")
_SSIM = re.compile(r"SSIM .*All:([0-9.]+)")
_PSNR = re.compile(r"PSNR .*average:([0-9.inf]+)")
_BENCH = re.compile(r"utime=([0-9.]+)s stime=([0-9.]+)s rtime=([0-9.]+)s")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_ffmpeg(*args: str) -> dict[str, float]:
    """Run ffmpeg; wall seconds and CPU seconds (user + system) it used."""
    cpu_before, started = _children_cpu(), time.perf_counter()
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", *args],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return {"wall_s": time.perf_counter() - started, "cpu_s": _children_cpu() - cpu_before}


def _stage(argv: str) -> str:
    if "libx264" in argv:
        return "encode 720p+360p (one pass, split)"
    if "tile=" in argv:
        return "storyboard (keyframes only)"
    if "-vframes 1" in argv or "-frames:v 1" in argv:
        return "poster (input seeking)"
    if "-c copy" in argv:
        return "remux (faststart)"
    return "other ffmpeg"


def _parse_ffmpeg_log(log: Path) -> list[dict[str, Any]]:
    stages: list[dict[str, Any]] = []
    if not log.exists():
        return stages
    for line in log.read_text().splitlines():
        start, end, bench, argv = [*line.split("\t"), "", "", ""][:4]
        match = _BENCH.search(bench)
        stages.append(
            {
                "stage": _stage(argv),
                "wall_s": float(end) - float(start),
                "ffmpeg_utime_s": float(match[1]) if match else None,
                "ffmpeg_stime_s": float(match[2]) if match else None,
                "ffmpeg_rtime_s": float(match[3]) if match else None,
            }
        )
    return stages


def pipeline_run(source: Path, workdir: Path, name: str, *, profile: bool) -> dict[str, Any]:
    """The whole ingest pipeline on ``source`` in a child process, memory sampled.

    With ``profile``, ffmpeg runs through the -benchmark wrapper (a few ms of
    shell per call, counted against the pipeline); without, it runs as deployed.
    """
    run_dir = workdir / name
    run_dir.mkdir(parents=True, exist_ok=True)
    ffmpeg_log = run_dir / "ffmpeg-calls.tsv"
    ffmpeg_log.unlink(missing_ok=True)
    out = run_dir / "result.json"
    env = {**os.environ, "CLASSREEL_WORK_DIR": str(run_dir / "jobs")}
    if profile:
        env |= {"CLASSREEL_FFMPEG_BINARY": str(WRAPPER), "BENCH_FFMPEG_LOG": str(ffmpeg_log)}
    tree = run_sampled(
        [sys.executable, "-m", "bench.worker_run", str(source), str(run_dir / "out"), str(out)],
        env=env,
        log=run_dir / "worker.log",
    )
    if tree.returncode != 0:
        raise RuntimeError(f"pipeline run {name} failed; see {run_dir / 'worker.log'}")
    result: dict[str, Any] = json.loads(out.read_text())
    result["peak_tree_rss_mb"] = tree.peak_rss_mb
    result["peak_python_rss_mb"] = tree.peak_python_rss_mb
    result["rss_samples"] = tree.samples
    result["stages"] = _parse_ffmpeg_log(ffmpeg_log)
    return result


def naive_single_pass(source: Path, workdir: Path) -> dict[str, float]:
    """The baseline the issue names: ``ffmpeg -i in.mp4 out.mp4`` (libx264 defaults)."""
    return timed_ffmpeg("-i", str(source), str(workdir / "naive.mp4"))


def quality(
    rendition: Path, source: Path, width: int, height: int, *, upscale: bool = False
) -> dict[str, float]:
    """SSIM and PSNR of ``rendition`` against ``source`` scaled to ``width`` x ``height``
    (the rendition's own size; with ``upscale``, a larger screen it is shown on, the
    rendition scaled up to it as a player would)."""
    shown = f"scale={width}:{height}:flags=bicubic," if upscale else ""
    graph = (
        f"[1:v]scale={width}:{height}:flags=bicubic,format=yuv420p,split[r1][r2];"
        f"[0:v]{shown}format=yuv420p,split[d1][d2];[d1][r1]ssim;[d2][r2]psnr"
    )
    started = time.perf_counter()
    result = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostdin",
            "-i",
            str(rendition),
            "-i",
            str(source),
            "-lavfi",
            graph,
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        check=True,
        text=True,
    )
    ssim, psnr = _SSIM.search(result.stderr), _PSNR.search(result.stderr)
    if ssim is None or psnr is None:
        raise RuntimeError(f"no SSIM/PSNR in ffmpeg output: {result.stderr[-500:]}")
    return {
        "ssim": float(ssim[1]),
        "psnr_db": float(psnr[1]),
        "measure_wall_s": time.perf_counter() - started,
    }


def poster_scaling(short: Path, long: Path, workdir: Path, settings: Settings) -> dict[str, Any]:
    """``make_poster`` on a short and a long file, alternated, median of ``repeats`` each."""
    times: dict[str, list[float]] = {"short": [], "long": []}
    durations = {
        "short": probe(short, settings).duration_s,
        "long": probe(long, settings).duration_s,
    }
    for _ in range(5):
        for label, path in (("short", short), ("long", long)):
            started = time.perf_counter()
            make_poster(path, workdir / f"poster-{label}.jpg", durations[label] or 0, settings)
            times[label].append(time.perf_counter() - started)
    short_s, long_s = statistics.median(times["short"]), statistics.median(times["long"])
    return {
        "short_duration_s": durations["short"],
        "long_duration_s": durations["long"],
        "short_median_s": short_s,
        "long_median_s": long_s,
        "ratio": long_s / short_s,
        "samples": times,
    }


def remux_time(source: Path, workdir: Path, settings: Settings) -> float:
    info = probe(source, settings)
    started = time.perf_counter()
    rendition_tools.remux(source, workdir / "remux-baseline.mp4", info, settings)
    return time.perf_counter() - started


def fanout_figures(source: Path, workdir: Path, settings: Settings) -> dict[str, Any]:
    """Measured parts of the segment-at-keyframes model (bench/FANOUT.md)."""
    fan = workdir / "fanout"
    fan.mkdir(parents=True, exist_ok=True)
    duration = probe(source, settings).duration_s or 0.0
    segment_s = 10
    split = timed_ffmpeg(
        "-i", str(source), "-map", "0:v", "-c", "copy", "-f", "segment",
        "-segment_time", str(segment_s), "-reset_timestamps", "1", str(fan / "seg%03d.mp4"),
    )  # fmt: skip
    segments = sorted(fan.glob("seg*.mp4"))
    first = segments[0]
    info = probe(first, settings)
    plan = [r for r in rendition_tools.plan(info) if not r.remux]
    outputs = [(r, fan / f"enc-{r.filename}") for r in plan]
    cpu_before, started = _children_cpu(), time.perf_counter()
    rendition_tools.encode(first, outputs, info, settings)
    encode = {"wall_s": time.perf_counter() - started, "cpu_s": _children_cpu() - cpu_before}
    audio = timed_ffmpeg(
        "-i", str(source), "-vn", "-map", "0:a", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
        str(fan / "audio-128k.m4a"), "-map", "0:a", "-c:a", "aac", "-b:a", "96k", "-ac", "2",
        str(fan / "audio-96k.m4a"),
    )  # fmt: skip
    listing = fan / "concat.txt"
    top = outputs[0][1]
    listing.write_text("".join(f"file '{top.resolve()}'\n" for _ in segments))
    concat = timed_ffmpeg(
        "-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(fan / "audio-128k.m4a"),
        "-map", "0:v", "-map", "1:a", "-c", "copy", "-movflags", "+faststart",
        str(fan / "joined.mp4"),
    )  # fmt: skip
    return {
        "source_duration_s": duration,
        "segment_s": segment_s,
        "segments": len(segments),
        "segment_media_s": info.duration_s,
        "split": split,
        "segment_encode": encode,
        "audio_once": audio,
        "concat_one_rendition": concat,
    }
