"""Segment-parallel encoding (issue 17): per-segment cost, and CPU overhead against one process.

Both pipelines run on the same long source in one run, one after the other:

- **one process**: the whole source encoded to every rung in one ffmpeg
  (``renditions.encode``, the single-invocation pipeline's encoder), video only
  so the comparison is picture against picture;
- **segmented**: what the lesson's tasks run, without S3 and DynamoDB (the
  local-stack figures cover those): cut the source into chunks (streams
  copied), encode every segment of every chunk for every rung in one decode
  (``segments.encode_segment``) and split it into HLS segments, package the
  sound once, join the top rung into the download MP4.

Parallel segments cannot beat one process on 2 cores, so this measures what
does not depend on the core count (CPU-seconds, per segment) and predicts the
Lambda figures from them (``predict``), with every assumption named in
bench/SEGMENTS.md.

The long source is a short chunk encoded once and joined to itself with
``-c copy`` (minutes of picture for seconds of work). Its picture is a test
pattern with temporal noise (bench/inputs.py), a stand-in for a phone's 1080p.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.inputs import generate, join_copies
from bench.media import _children_cpu
from chalicelib.config import Settings
from chalicelib.ingest.planning import chunks_of, encoded_renditions, spans_of
from chalicelib.media import hls, segments
from chalicelib.media.examination import examine
from chalicelib.media.probe import probe
from chalicelib.media.renditions import encode

# Lambda figures the predictions rest on (assumptions, stated in the report).
LAMBDA_VCPU_PER_MB = 1 / 1769
LAMBDA_MAX_VCPUS = 6
X86_GB_S = 0.0000166667
ARM_GB_S = 0.0000133334
LAMBDA_REQUEST = 0.20 / 1_000_000


@dataclasses.dataclass(frozen=True)
class Assumptions:
    """What is not measured here, for the Lambda predictions."""

    memory_mb: int = 10240  # DeploymentConfig.ingest_memory_mb: 6 vCPUs
    concurrency: int = 10  # DeploymentConfig.ingest_max_concurrency
    # x264 on 6 vCPUs does not use all six fully on 6 s of 720p+360p.
    parallel_efficiency: float = 0.6
    # One Lambda vCPU does as much as one core of this machine.
    vcpu_vs_core: float = 1.0
    # Per task: invocation, claim/lease writes, chunk download, segment uploads.
    task_overhead_s: float = 1.5
    # S3 → Lambda read rate for the source (the ingest job downloads it whole).
    s3_read_mb_s: float = 80.0

    @property
    def vcpus(self) -> float:
        return min(LAMBDA_MAX_VCPUS, self.memory_mb * LAMBDA_VCPU_PER_MB)


def _timed(call: Callable[[], object]) -> dict[str, float]:
    """Wall seconds, ffmpeg's CPU-seconds (children) and this process's own CPU-seconds."""
    children, own, started = _children_cpu(), time.process_time(), time.perf_counter()
    call()
    return {
        "wall_s": time.perf_counter() - started,
        "cpu_s": _children_cpu() - children,
        "python_cpu_s": time.process_time() - own,
    }


def _total(parts: list[dict[str, float]]) -> dict[str, float]:
    return {key: sum(part[key] for part in parts) for key in ("wall_s", "cpu_s", "python_cpu_s")}


@dataclasses.dataclass(frozen=True)
class SourceKind:
    label: str
    hevc: bool
    bitrate: str


# What phones record at 1080p30: HEVC by default on an iPhone, H.264 elsewhere.
SOURCE_KINDS = {
    "hevc": SourceKind("1080p30 HEVC (hvc1) ~8 Mbit/s, GOP 2 s, AAC 48 kHz stereo", True, "8M"),
    "h264": SourceKind("1080p30 H.264 High ~16 Mbit/s, GOP 2 s, AAC 48 kHz stereo", False, "16M"),
}


def make_source(directory: Path, chunk_s: float, copies: int, kind: str) -> Path:
    """A phone-like source ``chunk_s * copies`` long: one chunk encoded, then copies joined."""
    spec = SOURCE_KINDS[kind]
    directory.mkdir(parents=True, exist_ok=True)
    chunk = directory / f"lesson-chunk-1080p-{kind}-{chunk_s:g}s.mp4"
    if not chunk.exists():
        generate(
            chunk,
            size="1920x1080",
            duration_s=chunk_s,
            bitrate=spec.bitrate,
            faststart=False,
            hevc=spec.hevc,
        )
    source = directory / f"lesson-1080p-{kind}-{chunk_s:g}s-x{copies}.mp4"
    if not source.exists():
        join_copies(chunk, copies, source, faststart=False)
    return source


def one_process(source: Path, work: Path, settings: Settings) -> dict[str, Any]:
    exam = examine(source, settings, allow_remux=False)
    picture = dataclasses.replace(exam.plan, audio=None)
    outputs = [(r, work / f"whole-{r.label}.mp4") for r in encoded_renditions(exam)]
    timing = _timed(lambda: encode(source, outputs, exam.info, settings, media_plan=picture))
    return {**timing, "renditions": [r.label for r, _ in outputs]}


def segmented(source: Path, work: Path, settings: Settings) -> dict[str, Any]:
    exam = examine(source, settings, allow_remux=False)
    plan = exam.plan
    spans = spans_of(exam)
    chunks = chunks_of(spans, settings.segments_per_chunk)
    renditions = encoded_renditions(exam)
    source_start = exam.info.start_time_s or 0.0
    cuts, encodes, splits = [], [], []
    empty_tails: list[dict[str, float]] = []
    top_init: bytes | None = None
    top_media = work / "top-media.bin"
    with top_media.open("wb") as joined:
        for chunk in chunks:
            path = work / f"chunk_{chunk.index:05d}.mkv"
            cut = partial(
                segments.cut_chunk, source, path, chunk.start_s, chunk.end_s, plan, settings
            )
            cuts.append(_timed(cut))
            chunk_start = float(probe(path, settings).start_time_s or 0.0) - source_start
            for span in chunk.spans:
                outputs = [(r, work / f"{r.label}-{span.index:05d}.mp4") for r in renditions]
                encoded = _timed(
                    partial(
                        segments.encode_segment, path, chunk_start, span, plan, outputs, settings
                    )
                )
                encodes.append({"index": span.index, "media_s": span.duration_s, **encoded})
                started = time.process_time()
                for index, (_, output) in enumerate(outputs):
                    try:
                        split = hls.split_segment(output.read_bytes(), span.start)
                    except hls.SegmentFormatError:
                        # A last span shorter than a frame holds no picture (see
                        # SEGMENTS.md): counted, not published.
                        if span.index != len(spans) - 1:
                            raise
                        if index == 0:
                            empty_tails.append({"index": span.index, "media_s": span.duration_s})
                        output.unlink()
                        continue
                    if index == 0:
                        top_init = top_init or split.init
                        joined.write(split.media)
                    output.unlink()
                splits.append(time.process_time() - started)
            path.unlink()
    sound = work / "sound"
    sound.mkdir(exist_ok=True)
    track = work / "audio.mkv"
    extract = package = None
    if plan.audio is not None:
        audio, duration = plan.audio, exam.info.duration_s or 0.0
        # The ingest job copies the sound out; the sound task packages it as HLS.
        extract = _timed(lambda: segments.extract_audio(source, track, plan, duration, settings))
        package = _timed(lambda: segments.package_audio(track, sound, audio, duration, settings))
    top = work / "top.mp4"
    top.write_bytes((top_init or b"") + top_media.read_bytes())
    download = _timed(
        lambda: segments.make_download_mp4(
            top,
            sound / segments.AUDIO_INIT if plan.audio else None,
            work / "download.mp4",
            exam.info.duration_s or 0.0,
            settings,
        )
    )
    walls = [e["wall_s"] for e in encodes]
    cpus = [e["cpu_s"] for e in encodes]
    media = [e["media_s"] for e in encodes]
    return {
        "renditions": [r.label for r in renditions],
        "segments": len(spans),
        "chunks": len(chunks),
        "segments_per_chunk": settings.segments_per_chunk,
        "segment_media_s": statistics.median(media),
        "cut": _total(cuts),
        "encode": _total(encodes),
        "split_python_cpu_s": sum(splits),
        "audio_extract": extract,
        "audio_package": package,
        "audio_copied": plan.audio is not None and segments.audio_copyable(plan.audio),
        "download_mp4": download,
        "per_segment": {
            "wall_s_median": statistics.median(walls),
            "wall_s_p90": _quantile(walls, 0.9),
            "cpu_s_median": statistics.median(cpus),
            "cpu_s_p90": _quantile(cpus, 0.9),
            "cpu_s_per_media_s": sum(cpus) / sum(media),
            "first_wall_s": walls[0],
            "first_cpu_s": cpus[0],
        },
        "empty_tail_spans": empty_tails,
        "segments_detail": encodes,
    }


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def overhead(single: dict[str, Any], seg: dict[str, Any]) -> dict[str, float]:
    """CPU-seconds of the segmented pipeline over the one-process encode, as a fraction."""
    encode_cpu = seg["encode"]["cpu_s"]
    everything = (
        encode_cpu
        + seg["cut"]["cpu_s"]
        + seg["split_python_cpu_s"]
        + sum(seg[k]["cpu_s"] for k in ("audio_extract", "audio_package") if seg[k])
        + seg["download_mp4"]["cpu_s"]
    )
    return {
        "encode_only": encode_cpu / single["cpu_s"] - 1,
        "whole_pipeline": everything / single["cpu_s"] - 1,
        "segmented_cpu_s": everything,
        "one_process_cpu_s": single["cpu_s"],
    }


def predict(
    measured: dict[str, Any], source_mb_per_min: float, lesson_min: float, a: Assumptions
) -> dict[str, Any]:
    """Time to playable and ready, and cost, of a ``lesson_min`` lesson on Lambda.

    Measured, per media second: segment encode CPU, chunk cut CPU/wall, sound,
    download join. Assumed: ``a`` (vCPUs, efficiency, overheads, S3 rate).
    """
    seg = measured["segmented"]
    media_s = lesson_min * 60
    segment_s = seg["segment_media_s"]
    n_segments = math.ceil(media_s / segment_s)
    n_chunks = math.ceil(n_segments / seg["segments_per_chunk"])
    measured_media_s = seg["segments"] * segment_s
    speed = a.vcpus * a.parallel_efficiency * a.vcpu_vs_core
    # A chunk task: its segments' CPU spread over the function's vCPUs, plus its overhead.
    segment_cpu = seg["per_segment"]["cpu_s_per_media_s"] * segment_s
    segment_wall = segment_cpu / speed
    task_s = seg["segments_per_chunk"] * segment_wall + a.task_overhead_s
    # The ingest job: download the source, then cut chunk after chunk (copy: one core).
    download_s = source_mb_per_min * lesson_min / a.s3_read_mb_s
    cut_per_chunk_s = seg["cut"]["wall_s"] / seg["chunks"]
    cut_s = cut_per_chunk_s * n_chunks
    waves = math.ceil(n_chunks / a.concurrency)
    # Chunks are sent as they are cut; the encode waves overlap the cutting.
    encode_done_s = max(cut_s, waves * task_s) + cut_per_chunk_s
    per_media_s = media_s / measured_media_s
    extract_s = (seg["audio_extract"]["wall_s"] if seg["audio_extract"] else 0.0) * per_media_s
    sound_s = (seg["audio_package"]["wall_s"] if seg["audio_package"] else 0.0) * per_media_s
    join_s = seg["download_mp4"]["wall_s"] * per_media_s + a.task_overhead_s
    # Playable: the first segment of every rung and the start of the sound. The
    # ingest job copies the sound out right after cutting chunk 0.
    first_segment_s = a.task_overhead_s + segment_wall
    sound_starts_s = extract_s + a.task_overhead_s + hls.TARGET_SEGMENT_S * sound_s / media_s
    playable_s = download_s + cut_per_chunk_s + max(first_segment_s, sound_starts_s)
    ready_s = download_s + max(encode_done_s + extract_s, extract_s + sound_s) + join_s
    gb = a.memory_mb / 1024
    billed_s = (
        (download_s + cut_s + extract_s)  # ingest
        + n_chunks * task_s
        + sound_s
        + join_s
    )
    requests = n_chunks + 3
    return {
        "lesson_min": lesson_min,
        "segments": n_segments,
        "chunk_tasks": n_chunks,
        "waves": waves,
        "chunk_task_s": task_s,
        "download_s": download_s,
        "cut_s": cut_s,
        "time_to_playable_s": playable_s,
        "time_to_ready_s": ready_s,
        "billed_gb_s": billed_s * gb,
        "usd_per_video_hour_x86_64": (billed_s * gb * X86_GB_S + requests * LAMBDA_REQUEST)
        * 60
        / lesson_min,
        "usd_per_video_hour_arm64": (billed_s * gb * ARM_GB_S + requests * LAMBDA_REQUEST)
        * 60
        / lesson_min,
    }


def predict_one_invocation(
    measured: dict[str, Any], source_mb_per_min: float, lesson_min: float, a: Assumptions
) -> dict[str, Any]:
    """The same lesson encoded by one function in one ffmpeg, under the same assumptions."""
    single = measured["one_process"]
    media_s = lesson_min * 60
    speed = a.vcpus * a.parallel_efficiency * a.vcpu_vs_core
    download_s = source_mb_per_min * lesson_min / a.s3_read_mb_s
    encode_s = single["cpu_s"] / measured["source"]["duration_s"] * media_s / speed
    wall_s = download_s + encode_s + a.task_overhead_s
    gb = a.memory_mb / 1024
    return {
        "lesson_min": lesson_min,
        "time_to_ready_s": wall_s,
        "usd_per_video_hour_x86_64": (wall_s * gb * X86_GB_S + LAMBDA_REQUEST) * 60 / lesson_min,
        "usd_per_video_hour_arm64": (wall_s * gb * ARM_GB_S + LAMBDA_REQUEST) * 60 / lesson_min,
    }


def ffmpeg_version(settings: Settings) -> str:
    result = subprocess.run(
        [settings.ffmpeg_binary, "-version"], capture_output=True, text=True, check=True
    )
    return result.stdout.splitlines()[0]


def run(
    inputs: Path, work: Path, settings: Settings, chunk_s: float, copies: int, kind: str
) -> dict[str, Any]:
    source = make_source(inputs, chunk_s, copies, kind)
    info = probe(source, settings)
    size_mb = source.stat().st_size / 1e6
    duration = info.duration_s or chunk_s * copies
    single_dir, seg_dir = work / "one-process", work / "segmented"
    single_dir.mkdir(parents=True, exist_ok=True)
    seg_dir.mkdir(parents=True, exist_ok=True)
    single = one_process(source, single_dir, settings)
    seg = segmented(source, seg_dir, settings)
    measured: dict[str, Any] = {
        "source": {
            "path": str(source),
            "duration_s": duration,
            "size_mb": size_mb,
            "made_from": f"{chunk_s:g} s chunk joined {copies}x with -c copy",
            "video": SOURCE_KINDS[kind].label,
        },
        "ffmpeg": ffmpeg_version(settings),
        "x264_preset": settings.x264_preset,
        "one_process": single,
        "segmented": seg,
    }
    measured["overhead"] = overhead(single, seg)
    source_mb_per_min = size_mb / (duration / 60)
    assumptions = Assumptions()
    measured["assumptions"] = {**dataclasses.asdict(assumptions), "vcpus": assumptions.vcpus}
    measured["predictions"] = [
        predict(measured, source_mb_per_min, minutes, assumptions) for minutes in (30, 60, 90)
    ]
    measured["one_invocation_60"] = predict_one_invocation(
        measured, source_mb_per_min, 60, assumptions
    )
    measured["predictions_at_concurrency_60"] = predict(
        measured, source_mb_per_min, 60, dataclasses.replace(assumptions, concurrency=60)
    )
    return measured


def markdown(figures: dict[str, Any], machine: dict[str, Any]) -> str:
    """bench/SEGMENTS.md from one run's figures (every source kind measured)."""
    first = next(iter(figures["sources"].values()))
    lines = [
        "# Segment-parallel encoding: measured on 2 cores, predicted for Lambda",
        "",
        "Generated by `python -m bench --segments` (also part of `make bench`) from one run; "
        "figures in bench/results/segments.json. Issue 17's benchmark section.",
        "",
        "## Machine",
        "",
        f"- {machine['cpu_model']}, {machine['cores']} cores, shared with other engineers' "
        f"work (load average {machine['loadavg_at_start'][0]:.1f} at start, "
        f"{machine.get('loadavg_at_end', [0])[0]:.1f} at end): wall times are inflated and "
        "noisy; CPU-seconds are the figures to compare, and they move by a few points "
        "between runs under such load",
        f"- {first['ffmpeg']}, x264 preset `{first['x264_preset']}`; {machine['date']}",
        "",
    ]
    for kind, measured in figures["sources"].items():
        lines += _source_markdown(kind, measured)
    return "\n".join(lines)


def _source_markdown(kind: str, m: dict[str, Any]) -> list[str]:
    single, seg, over = m["one_process"], m["segmented"], m["overhead"]
    per = seg["per_segment"]
    src = m["source"]
    minutes = src["duration_s"] / 60
    a = m["assumptions"]

    def audio(key: str) -> str:
        part = seg[key]
        return f"{part['wall_s']:.2f} | {part['cpu_s']:.2f}" if part else "- | -"

    lines = [
        f"## {kind.upper()} source",
        "",
        f"{src['video']}; {src['duration_s']:.0f} s ({src['size_mb']:.0f} MB), made from a "
        f"{src['made_from']}. Renditions: {', '.join(seg['renditions'])} (the ladder for a "
        "1080p source).",
        "",
        "### Measured, side by side",
        "",
        "| | wall s | CPU s |",
        "|---|---|---|",
        f"| one process: whole source, every rung, one ffmpeg (video only) | "
        f"{single['wall_s']:.1f} | {single['cpu_s']:.1f} |",
        f"| segmented: cut into {seg['chunks']} chunks (copy) | {seg['cut']['wall_s']:.2f} | "
        f"{seg['cut']['cpu_s']:.2f} |",
        f"| segmented: {seg['segments']} segments x every rung (one ffmpeg each) | "
        f"{seg['encode']['wall_s']:.1f} | {seg['encode']['cpu_s']:.1f} |",
        f"| segmented: splitting into HLS segments (Python) | - | "
        f"{seg['split_python_cpu_s']:.2f} |",
        f"| segmented: sound copied out of the source | {audio('audio_extract')} |",
        f"| segmented: sound packaged as HLS ({'copied' if seg['audio_copied'] else 'AAC'}) | "
        f"{audio('audio_package')} |",
        f"| segmented: download MP4 joined from the segments (copy) | "
        f"{seg['download_mp4']['wall_s']:.2f} | {seg['download_mp4']['cpu_s']:.2f} |",
        "",
        "Per segment (median segment "
        f"{seg['segment_media_s']:.2f} s of media, every rung in one decode): wall "
        f"{per['wall_s_median']:.2f} s median / {per['wall_s_p90']:.2f} s p90, CPU "
        f"{per['cpu_s_median']:.2f} s median / {per['cpu_s_p90']:.2f} s p90; "
        f"{per['cpu_s_per_media_s']:.2f} CPU-s per media second "
        f"({per['cpu_s_per_media_s'] * 60:.0f} CPU-s per video-minute). "
        f"One-process encode: {single['cpu_s'] / src['duration_s'] * 60:.0f} CPU-s per "
        "video-minute.",
        "",
        f"**CPU-second overhead of the segmented pipeline: {over['encode_only']:+.1%} for the "
        f"picture encode alone, {over['whole_pipeline']:+.1%} for everything it runs** "
        f"({over['segmented_cpu_s']:.1f} against {over['one_process_cpu_s']:.1f} CPU-s; "
        "issue 17's target: at most +15 %). The one-process side encodes no sound here; "
        "the single-invocation pipeline also encodes AAC per rung, which the segmented "
        "one copies instead. The extra is "
        f"{(seg['encode']['cpu_s'] - single['cpu_s']) / seg['segments']:.2f} CPU-s per "
        "segment, most likely a cost of each ffmpeg run (process start, decoder and "
        "encoder set-up, x264's lookahead filling anew), paid once per segment today; "
        "encoding a chunk's segments in one ffmpeg run and splitting its output at the "
        "keyframes would pay it once per chunk (not measured here).",
        "",
        *_empty_tail_note(seg),
        "Parallel segments cannot beat one process on 2 cores, so no wall-time speed-up is "
        f"claimed here ({src['duration_s']:.0f} s of source: one process "
        f"{single['wall_s']:.0f} s, segments one after another {seg['encode']['wall_s']:.0f} s).",
        "",
        "### Predicted for Lambda",
        "",
        "Measured inputs: CPU-s per media second of the segment encode, cut wall time per "
        "chunk, sound copy/packaging and download join per media second, source MB per "
        "minute. Assumed (not measurable here):",
        "",
        f"- a segment function of {a['memory_mb']} MB = {a['vcpus']:.1f} vCPUs, one vCPU as "
        f"fast as one core here (x{a['vcpu_vs_core']:g}), x264 using them at "
        f"{a['parallel_efficiency']:.0%} efficiency on a 6 s segment;",
        f"- {a['task_overhead_s']:g} s per task for invocation, lease writes, chunk download "
        "and segment uploads;",
        f"- the ingest job downloads the source at {a['s3_read_mb_s']:g} MB/s before it cuts;",
        f"- at most {a['concurrency']} segment functions at once (`ingestMaxConcurrency`, "
        "the deployed default), and a last row at 60;",
        "- list prices (us-east-1, x86_64 $0.0000166667 and arm64 $0.0000133334 per GB-s, "
        "$0.20 per million requests); verify before quoting.",
        "",
        "| lesson | segments / chunk tasks | waves | source download s | time to playable s "
        "| time to ready s | USD per video-hour x86_64 / arm64 |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = [(f"{p['lesson_min']:g} min", p) for p in m["predictions"]]
    at60 = m["predictions_at_concurrency_60"]
    rows.append((f"{at60['lesson_min']:g} min, concurrency 60", at60))
    for label, p in rows:
        lines.append(
            f"| {label} | {p['segments']} / {p['chunk_tasks']} | {p['waves']} | "
            f"{p['download_s']:.0f} | {p['time_to_playable_s']:.0f} | "
            f"{p['time_to_ready_s']:.0f} | ${p['usd_per_video_hour_x86_64']:.3f} / "
            f"${p['usd_per_video_hour_arm64']:.3f} |"
        )
    p60 = next(p for p in m["predictions"] if p["lesson_min"] == 60)
    one = m["one_invocation_60"]
    lines += [
        f"| 60 min, one invocation, one ffmpeg (picture only) | - | - | "
        f"{p60['download_s']:.0f} | = ready | {one['time_to_ready_s']:.0f} | "
        f"${one['usd_per_video_hour_x86_64']:.3f} / ${one['usd_per_video_hour_arm64']:.3f} |",
        "",
        "Reading it: a chunk task is "
        f"{p60['chunk_task_s']:.1f} s ({seg['segments_per_chunk']} segments); time to ready "
        "is the source download, then the encode waves (overlapping the cut) or the sound, "
        "whichever is longer, then the download MP4. "
        f"For a 60-minute lesson the prediction is {p60['time_to_ready_s']:.0f} s to ready "
        f"at concurrency {a['concurrency']} (issue 17 asks for at most 120 s); the whole-source "
        f"download ({p60['download_s']:.0f} s) is paid before any picture is cut, and at the "
        "deployed concurrency the waves add up. Raising the concurrency shortens the waves; "
        "the download and the serial cut stay. Reading chunks straight from S3 with ranged "
        "GETs (ffmpeg over a presigned URL) instead of downloading the source whole would "
        "take the download off the critical path and keep a 3-hour source (about "
        f"{src['size_mb'] / minutes * 180 / 1000:.0f} GB at this bitrate) clear of Lambda's "
        "10 GB /tmp: not done yet.",
        "",
    ]
    return lines


def _empty_tail_note(seg: dict[str, Any]) -> list[str]:
    if not seg["empty_tail_spans"]:
        return []
    tails = ", ".join(f"{t['media_s'] * 1000:.0f} ms" for t in seg["empty_tail_spans"])
    return [
        f"Found on the way: the plan's last span ({tails}) is shorter than a frame and "
        "encodes to no picture. The joined source's picture starts that much after its "
        "sound (AAC priming), and `picture_end_s` adds the offset while the spans start at "
        "0. The lesson pipeline treats a segment without picture as a cut-off upload, so "
        "such a source would fail; the bench counts the span (in the figures above) and "
        "moves on.",
        "",
    ]
