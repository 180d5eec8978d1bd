"""Whole lessons through the local stack, as a teacher uploads them (issue 17's benchmarks).

One stack, one run, side by side:

- a 1080p HEVC phone recording of 1 minute and of 10 minutes (a 30 s chunk encoded once,
  joined to itself with ``-c copy``), each uploaded with ``classreel upload --wait``: upload
  complete → ``playable`` and → ``ready`` as the CLI reports them;
- the same 10-minute file encoded by the single-invocation encoder (one ffmpeg, every rung):
  the single-pass time-to-ready that time-to-playable is compared with;
- the naive ``ffmpeg -i in out.mp4`` on the 1-minute phone file and on a 1-minute already-web
  file, against the segmented pipeline's time-to-ready of the same files, with the SSIM of
  every rendition a viewer can stream;
- at the end of the 10-minute recording: the last flash against the last beep (A/V sync),
  and the frames of the stream against the source's (duration within one frame).

Every chunk carries a white flash and a 1 kHz beep together at ``FLASH_AT_S``, so the last
copy's flash and beep show whether picture and sound drifted over ten minutes.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.inputs import join_copies
from bench.media import quality, timed_ffmpeg
from bench.segments import _timed
from chalicelib.auth.principal import Role
from chalicelib.config import Settings
from chalicelib.media import hls
from chalicelib.media.examination import examine
from chalicelib.media.renditions import encode
from classreel.local.stack import LocalStack, StackOptions
from tests.support.api import Api
from tests.support.hls import mirror, open_playback
from tests.support.users import TokenFactory

CHUNK_S = 30.0
FPS = 30
FLASH_AT_S = 25.0
_PLAYABLE = re.compile(r"playable after ([0-9.]+) s")
_READY = re.compile(r": (ready|failed) after ([0-9.]+) s")
_YAVG = re.compile(r"pts_time:([0-9.]+).*?lavfi\.signalstats\.YAVG=([0-9.]+)", re.S)
_SILENCE_END = re.compile(r"silence_end: ([0-9.]+)")


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)


def make_chunk(path: Path, *, hevc: bool) -> Path:
    """30 s of 1080p30 with temporal noise (real encoding cost), a flash and a beep."""
    if path.exists():
        return path
    flash = f"between(t,{FLASH_AT_S},{FLASH_AT_S + 0.066:.3f})"
    beep = f"between(t,{FLASH_AT_S},{FLASH_AT_S + 0.08:.3f})"
    video = (
        f"testsrc2=size=1920x1080:rate={FPS}:duration={CHUNK_S},noise=alls=10:allf=t+u,"
        f"drawbox=c=white:t=fill:enable='{flash}'"
    )
    audio = f"aevalsrc='if({beep},0.5*sin(2*PI*1000*t),0)':s=48000:d={CHUNK_S}"
    if hevc:  # an iPhone's default: HEVC ~8 Mbit/s, moov at the end
        codec = ["-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1",
                 "-x265-params", "log-level=error", "-b:v", "8M", "-maxrate", "8M",
                 "-bufsize", "8M"]  # fmt: skip
    else:  # already web video: H.264 High 8-bit, faststart
        codec = ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-b:v", "8M",
                 "-maxrate", "8M", "-bufsize", "8M", "-movflags", "+faststart"]  # fmt: skip
    _ffmpeg(
        "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio, *codec, "-g", "60",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ac", "2", str(path),
    )  # fmt: skip
    return path


def make_lesson(directory: Path, minutes: float, *, hevc: bool = True) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    kind = "hevc" if hevc else "web"
    chunk = make_chunk(directory / f"lesson-chunk-{kind}-1080p.mp4", hevc=hevc)
    copies = round(minutes * 60 / CHUNK_S)
    target = directory / f"lesson-{kind}-1080p-{minutes:g}min.mp4"
    if not target.exists():
        join_copies(chunk, copies, target, faststart=not hevc)
    return target


def upload_with_cli(stack: LocalStack, token: str, path: Path, state: Path) -> dict[str, Any]:
    """``classreel upload --wait`` as a teacher runs it; what it said, and when."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}
    env.update(CLASSREEL_API=stack.api_url, CLASSREEL_TOKEN=token, XDG_STATE_HOME=str(state))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "classreel.cli.main", "upload", str(path), "--wait",
         "--quiet", "--timeout", "3600"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    playable = _PLAYABLE.search(result.stderr)
    ready = _READY.search(result.stdout)
    video_id = result.stdout.split()[1].rstrip(":") if result.stdout.startswith("video ") else ""
    return {
        "file": path.name,
        "video_id": video_id,
        "status": ready.group(1) if ready else "unknown",
        "upload_complete_to_playable_s": float(playable.group(1)) if playable else None,
        "upload_complete_to_ready_s": float(ready.group(2)) if ready else None,
        "cli_wall_s": time.perf_counter() - started,
        "stderr_tail": result.stderr[-400:] if result.returncode else "",
    }


def single_pass(source: Path, work: Path, settings: Settings) -> dict[str, Any]:
    """The single-invocation encoder on the whole file: every rung (and the sound), one ffmpeg."""
    exam = examine(source, settings, allow_remux=False)
    outputs = [(r, work / f"single-{r.label}.mp4") for r in exam.plan.renditions if not r.remux]
    timing = _timed(lambda: encode(source, outputs, exam.info, settings, media_plan=exam.plan))
    for _, path in outputs:
        path.unlink(missing_ok=True)
    return {**timing, "renditions": [r.label for r, _ in outputs]}


def streamed_renditions(api: Api, video_id: str, folder: Path) -> dict[str, Path]:
    """Each rendition as a viewer streams it (HLS), joined into one file per rung."""
    view = open_playback(api, video_id)
    copy = mirror(api, str(view["hls_url"]), folder, lambda: open_playback(api, video_id))
    joined = {}
    for label, playlist in copy.variants.items():
        entries = hls.read_media_playlist(playlist.read_text())
        target = folder / f"{label}.mp4"
        with target.open("wb") as out:
            out.write((playlist.parent / entries[0].init_uri).read_bytes())
            for entry in entries:
                out.write((playlist.parent / entry.uri).read_bytes())
        joined[label] = target
    if copy.audio is not None:
        entries = hls.read_media_playlist(copy.audio.read_text())
        target = folder / "audio.mp4"
        with target.open("wb") as out:
            out.write((copy.audio.parent / entries[0].init_uri).read_bytes())
            for entry in entries:
                out.write((copy.audio.parent / entry.uri).read_bytes())
        joined["audio"] = target
    return joined


def _frames(path: Path) -> int:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets",
         "-show_entries", "stream=nb_read_packets", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return int(json.loads(out)["streams"][0]["nb_read_packets"])


def last_flash_and_beep(picture: Path, sound: Path, duration_s: float) -> dict[str, float]:
    """The last copy's flash (picture) and beep (sound), on the lesson's clock."""
    start = max(0.0, duration_s - CHUNK_S - 2)
    pictures = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-ss", f"{start}", "-copyts", "-i", str(picture),
         "-an", "-vf", "signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG",
         "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    flashes = [float(t) for t, y in _YAVG.findall(pictures) if float(y) > 200]
    sounds = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-ss", f"{start}", "-copyts", "-i", str(sound),
         "-vn", "-af", "silencedetect=noise=-35dB:duration=0.2", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    beeps = [float(t) for t in _SILENCE_END.findall(sounds)]
    meant = (round(duration_s / CHUNK_S) - 1) * CHUNK_S + FLASH_AT_S
    flash = next((t for t in flashes if abs(t - meant) < 1), float("nan"))
    beep = next((t for t in beeps if abs(t - meant) < 1), float("nan"))
    return {"meant_s": meant, "flash_s": flash, "beep_s": beep, "offset_s": flash - beep}


def _ladder_encode(source: Path, work: Path, rungs: tuple[int, ...]) -> dict[str, Any]:
    """One decode to every rung in ``rungs``, with the pipeline's x264 settings (the 1080p
    rung as the 720p one, at twice its peak rate): CPU-s and bytes."""
    rates = {1080: ("23", "5000k"), 720: ("23", "2500k"), 360: ("26", "800k")}
    labels = [f"[v{rung}]" for rung in rungs]
    graph = (
        f"[0:v]split={len(rungs)}"
        + "".join(f"[s{r}]" for r in rungs)
        + ";"
        + ";".join(f"[s{r}]scale=-2:{r}[v{r}]" for r in rungs)
    )
    args = ["-i", str(source), "-filter_complex", graph]
    outputs = {}
    for rung, label in zip(rungs, labels, strict=True):
        crf, peak = rates[rung]
        target = work / f"ladder-{'-'.join(map(str, rungs))}-{rung}p.mp4"
        bufsize = f"{2 * int(peak[:-1])}k"
        args += ["-map", label, "-c:v", "libx264", "-preset", "veryfast", "-crf", crf,
                 "-maxrate", peak, "-bufsize", bufsize, "-bf", "0", "-g", "60",
                 "-keyint_min", "60", "-sc_threshold", "0", "-an", str(target)]  # fmt: skip
        outputs[rung] = target
    timing = timed_ffmpeg(*args)
    return {**timing, "bytes": {r: p.stat().st_size for r, p in outputs.items()}, "paths": outputs}


def rung_1080p(chunk: Path, work: Path) -> dict[str, Any]:
    """What a 1080p rung would cost and give, on 30 s of the phone source."""
    today = _ladder_encode(chunk, work, (720, 360))
    more = _ladder_encode(chunk, work, (1080, 720, 360))
    # What a coach sees full screen on a 1080p display: each top rung against the source.
    shown_720 = quality(today["paths"][720], chunk, 1920, 1080, upscale=True)
    shown_1080 = quality(more["paths"][1080], chunk, 1920, 1080)
    for paths in (today["paths"], more["paths"]):
        for path in paths.values():
            path.unlink(missing_ok=True)
    return {
        "cpu_s_720_360": today["cpu_s"],
        "cpu_s_1080_720_360": more["cpu_s"],
        "bytes_720_360": sum(today["bytes"].values()),
        "bytes_1080_720_360": sum(more["bytes"].values()),
        "bytes_720": today["bytes"][720],
        "bytes_1080": more["bytes"][1080],
        "ssim_720_upscaled_to_1080": shown_720["ssim"],
        "ssim_1080": shown_1080["ssim"],
    }


def run(inputs: Path, work: Path, settings: Settings) -> dict[str, Any]:
    short = make_lesson(inputs, 1)
    long = make_lesson(inputs, 10)
    web = make_lesson(inputs, 1, hevc=False)
    out: dict[str, Any] = {
        "sources": {
            p.name: {"size_mb": p.stat().st_size / 1e6, "frames": _frames(p)}
            for p in (short, long, web)
        }
    }
    stack = LocalStack(StackOptions(data_dir=work / "stack", api_port=0, persist=False))
    stack.start()
    try:
        stack.apply_to_current_process()
        tokens = TokenFactory(stack.settings())
        token = tokens.token("teacher-bench", Role.TEACHER)
        api = Api(stack.api_url, token)
        uploads = {}
        # Side by side: the short one, the long one, the short one again (the median of two
        # short runs against the long one).
        for label, path in (("1min", short), ("10min", long), ("1min-again", short),
                            ("web-1min", web)):  # fmt: skip
            uploads[label] = upload_with_cli(stack, token, path, work / f"cli-{label}")
        out["uploads"] = uploads
        long_id = uploads["10min"]["video_id"]
        streamed = streamed_renditions(api, long_id, work / "stream-10min")
        out["sync_end_of_10min"] = last_flash_and_beep(
            streamed[next(iter(k for k in streamed if k != "audio"))],
            streamed.get("audio", streamed[next(iter(streamed))]),
            60 * 10.0,
        )
        out["frames_10min"] = {
            "source": out["sources"][long.name]["frames"],
            "streamed": {k: _frames(v) for k, v in streamed.items() if k != "audio"},
        }
        ssim: dict[str, dict[str, Any]] = {}
        for label, source in (("1min", short), ("web-1min", web)):
            joined = streamed_renditions(api, uploads[label]["video_id"], work / f"ssim-{label}")
            ssim[label] = {}
            for rung, path in joined.items():
                if rung == "audio":
                    continue
                height = int(rung.rstrip("p"))
                width = round(1920 * height / 1080 / 2) * 2
                ssim[label][rung] = quality(path, source, width, height)
        out["ssim"] = ssim
    finally:
        stack.stop()
    out["single_pass_10min"] = single_pass(long, work, settings)
    out["rung_1080p"] = rung_1080p(
        make_chunk(inputs / "lesson-chunk-hevc-1080p.mp4", hevc=True), work
    )
    out["naive"] = {
        label: timed_ffmpeg("-i", str(source), str(work / f"naive-{label}.mp4"))
        for label, source in (("1min", short), ("web-1min", web))
    }
    return out


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**MISSED**"


def markdown(figures: dict[str, Any]) -> str:
    """The whole-lesson section of RESULTS.md (issue 17), from results/lessons.json."""
    mach, m = figures["machine"], figures["lessons"]
    up = m["uploads"]
    short = [up[k]["upload_complete_to_playable_s"] for k in ("1min", "1min-again")]
    short_playable = statistics.median(s for s in short if s is not None) if any(short) else None
    short_ok = ratio_ok = False
    long_playable = up["10min"]["upload_complete_to_playable_s"]
    ratio = long_playable / short_playable if short_playable and long_playable else None
    ratio_ok = ratio is not None and ratio <= 1.5
    short_ok = short_playable is not None
    single = m["single_pass_10min"]["wall_s"]
    share = long_playable / single if long_playable else None
    sync, frames = m["sync_end_of_10min"], m["frames_10min"]
    frames_ok = all(abs(n - frames["source"]) <= 1 for n in frames["streamed"].values())
    lines = [
        "## Whole lessons through the local stack (issue 17)",
        "",
        f"Measured by `python -m bench --lessons` (part of `make bench`) on {mach['date']}: "
        f"{mach['cpu_model']}, {mach['cores']} cores shared with other engineers' work (load "
        f"average {mach['loadavg_at_start'][0]:.1f} at start, {mach['loadavg_at_end'][0]:.1f} "
        "at end), so wall times are inflated and every target is a ratio of figures measured "
        "side by side in this one run. Sources: 1080p30 HEVC (hvc1) ~8 Mbit/s phone recordings "
        "and a 1080p H.264 already-web file, a 30 s chunk (noise, a flash and a beep at 25 s) "
        "encoded once and joined with `-c copy`; each uploaded with `classreel upload --wait` "
        "on one local stack (upload complete → `playable` and → `ready` as the CLI reported "
        "them). Segment-parallel encoding and its Lambda predictions: "
        "[SEGMENTS.md](SEGMENTS.md).",
        "",
        "| measure | measured | baseline (same run) | ratio | target | verdict |",
        "|---|---|---|---|---|---|",
        f"| time to playable, 10-minute HEVC 1080p vs 1 minute | {long_playable:.1f} s | "
        f"1 minute: {', '.join(f'{s:.1f}' for s in short if s is not None)} s (median "
        f"{short_playable if short_ok else float('nan'):.1f}) | {ratio or float('nan'):.2f} | "
        f"<= 1.5 | {_verdict(ratio_ok)} |",
        f"| time to playable of the 10-minute file vs its single-pass time to ready (one ffmpeg, "
        f"every rung) | {long_playable:.1f} s | {single:.1f} s | {share:.1%} | <= 5 % | "
        f"{_verdict(share is not None and share <= 0.05)} |",
        f"| A/V sync at the end of the 10-minute recording (last flash vs last beep, streamed "
        f"rung and sound) | {sync['offset_s'] * 1000:+.0f} ms (flash {sync['flash_s']:.3f} s, "
        f"meant {sync['meant_s']:.3f} s) | - | - | within 40 ms | "
        f"{_verdict(abs(sync['offset_s']) <= 0.040)} |",
        "| duration of the 10-minute stream vs the source | "
        + ", ".join(f"{k}: {v} frames" for k, v in frames["streamed"].items())
        + f" | source: {frames['source']} frames | - | within one frame | {_verdict(frames_ok)} |",
    ]
    for label, name in (("1min", "phone-like HEVC 1080p, 1 minute"),
                        ("web-1min", "already-web H.264 1080p, 1 minute")):  # fmt: skip
        naive = m["naive"][label]["wall_s"]
        ready = up[label]["upload_complete_to_ready_s"]
        ssims = m["ssim"][label]
        worst = min(q["ssim"] for q in ssims.values())
        listed = ", ".join(f"{rung} {q['ssim']:.4f}" for rung, q in ssims.items())
        lines.append(
            f"| time to ready, {name}: segmented on the local stack (2 cores) vs naive "
            f"`ffmpeg -i in out.mp4` | {ready:.1f} s (SSIM {listed}) | naive: {naive:.1f} s | "
            f"{naive / ready:.2f}x | >= 3x faster at SSIM >= 0.95 (on Lambda: SEGMENTS.md) | "
            f"{_verdict(naive / ready >= 3 and worst >= 0.95)} on 2 cores; SSIM "
            f"{_verdict(worst >= 0.95)} |"
        )
    rung = m["rung_1080p"]
    lines += [
        "",
        "**The 1080p rung (decision: not added).** On 30 s of the 1080p phone source, with the "
        "pipeline's x264 settings: adding a 1080p rung to the one decode costs "
        f"{rung['cpu_s_1080_720_360'] / rung['cpu_s_720_360'] - 1:+.0%} CPU-s "
        f"({rung['cpu_s_1080_720_360']:.1f} against {rung['cpu_s_720_360']:.1f}) and "
        f"{rung['bytes_1080_720_360'] / rung['bytes_720_360'] - 1:+.0%} bytes stored and "
        f"served per video ({rung['bytes_1080'] / rung['bytes_720']:.1f}x the 720p rung's), "
        "for a picture shown full screen on a 1080p display at SSIM "
        f"{rung['ssim_1080']:.4f} instead of {rung['ssim_720_upscaled_to_1080']:.4f} (720p "
        "upscaled). Coaches watch a classroom in a player beside the comments (about 1280 px "
        "wide), where the 720p rung is already shown at its own size; the gain is for full "
        "screen only, and it would raise the encode bill, storage and egress by the figures "
        "above. The ladder stays 720p + 360p; `chalicelib/media/ladder.py` takes a rung more "
        "if districts ask for full-screen detail.",
        "",
        "Every upload went through the CLI a teacher uses: "
        + "; ".join(
            f"{k}: {v['status']}, playable {v['upload_complete_to_playable_s']} s, ready "
            f"{v['upload_complete_to_ready_s']} s"
            for k, v in up.items()
        )
        + ". Two cores cannot run a lesson's chunk tasks in parallel as Lambda does, so "
        "time to ready here is the sum of every task's work; SEGMENTS.md predicts it on "
        "Lambda from the per-chunk costs measured beside it.",
        "",
    ]
    return "\n".join(lines)
