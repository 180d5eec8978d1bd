"""The bench run: inputs, media figures, local-stack figures, cost; then the reports."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import api as api_bench
from bench import lessons as lesson_bench
from bench import media, report
from bench import redaction as redaction_bench
from bench import roster as roster_bench
from bench import segments as segment_bench
from bench.inputs import make_inputs
from chalicelib.config import get_settings
from classreel.local.stack import LocalStack, StackOptions
from tests.support.users import TokenFactory

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Scale:
    """How big a run is: `make bench` uses FULL; the smoke test SMOKE."""

    duration_s: float
    repeat: int  # the long file is the web file this many times over
    small_items: int
    large_items: int
    latency_requests: int
    clients: int
    throughput_s: float
    uploads: int
    # The segmented-pipeline source: a chunk of this many seconds, joined this many times.
    segment_source: tuple[float, int] = (30.0, 4)
    # A rostering import: this many schools and staff (issue 19: 39 and 2,000).
    roster: tuple[int, int] = (39, 2_000)
    # Seconds of 720p classroom video redacted, and cold starts timed (bench/redaction.py).
    redaction_s: float = 10.0
    redaction_cold_runs: int = 3


FULL = Scale(60, 10, 1_000, 100_000, 200, 20, 20, 3)
SMOKE = Scale(
    2, 3, 200, 400, 10, 2, 1, 1,
    segment_source=(6.0, 2), roster=(3, 80), redaction_s=1.0, redaction_cold_runs=1,
)  # fmt: skip


def _log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=True)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "ffmpeg": ffmpeg.stdout.splitlines()[0],
        "python": platform.python_version(),
        "loadavg_at_start": os.getloadavg(),
        "shared_machine_note": "2 cores shared with other engineers' work during the run; "
        "every target is a ratio measured side by side in this run",
    }


def media_figures(scale: Scale, inputs_dir: Path, work: Path) -> dict[str, Any]:
    settings = get_settings()
    _log("generating inputs (cached across runs)")
    started = time.perf_counter()
    inputs = make_inputs(inputs_dir, scale.duration_s, scale.repeat)
    out: dict[str, Any] = {"inputs_s": time.perf_counter() - started}
    out["inputs"] = {k: str(v) for k, v in asdict(inputs).items()}
    _log("pipeline: 1080p phone clip")
    phone = media.pipeline_run(inputs.phone, work, "phone", profile=True)
    _log("naive single pass baseline")
    naive = media.naive_single_pass(inputs.phone, work)
    _log("quality of the 720p rendition")
    rendition_720 = Path(phone["renditions"]["720p"]["path"])
    out["quality_720p"] = media.quality(rendition_720, inputs.phone, 1280, 720)
    _log("pipeline: already-web 720p clip, then the 10x long one")
    web = media.pipeline_run(inputs.web, work, "web", profile=False)
    web_long = media.pipeline_run(inputs.web_long, work, "web-long", profile=False)
    _log("poster scaling")
    out["poster"] = media.poster_scaling(inputs.web_short, inputs.web_long, work, settings)
    _log("fan-out figures")
    out["fanout"] = media.fanout_figures(inputs.phone, work, settings)
    out.update({"phone": phone, "naive": naive, "web": web, "web_long": web_long})
    return out


@contextmanager
def _local_stack(work: Path) -> Iterator[LocalStack]:
    """A throwaway local stack under ``work``, this process pointed at it, stopped after."""
    _log("starting the local stack")
    stack = LocalStack(StackOptions(data_dir=work / "stack", api_port=0, persist=False))
    stack.start()
    try:
        stack.apply_to_current_process()
        yield stack
    finally:
        stack.stop()


def stack_figures(scale: Scale, web: Path, work: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with _local_stack(work) as stack:
        settings = stack.settings()
        tokens = TokenFactory(settings)
        out["upload_to_playable"] = _upload_to_playable(stack, scale, web, work, tokens)
        meter = api_bench.CapacityMeter()
        meter.install()
        scene = api_bench.seed_scene(stack)
        reads: dict[str, dict[str, Any]] = {case.name: {} for case in api_bench.CASES}
        for label, items in (("small", scale.small_items), ("large", scale.large_items)):
            _log(f"seeding to {items} items")
            seed_s = api_bench.grow_to(scene, items)
            for case in api_bench.CASES:
                reads[case.name][label] = {
                    "seed_s": seed_s,
                    **api_bench.latency(scene, case, scale.latency_requests, meter),
                }
        out["reads"] = reads
        _log(f"throughput: {scale.clients} clients x {scale.throughput_s:g} s")
        out["throughput"] = api_bench.throughput(
            scene, api_bench.CASES[0], scale.clients, scale.throughput_s
        )
        _log(f"rostering import: {scale.roster[0]} schools, {scale.roster[1]} staff")
        out["roster"] = roster_bench.import_district(stack, tokens, *scale.roster)
    return out


def _upload_to_playable(
    stack: LocalStack, scale: Scale, web: Path, work: Path, tokens: TokenFactory
) -> dict[str, Any]:
    """Each upload of the already-web file beside a remux of it, in turn."""
    uploads = []
    for attempt in range(scale.uploads):
        _log(f"upload → playable ({attempt + 1}/{scale.uploads})")
        run = api_bench.upload_to_playable(stack, web, tokens)
        run["remux_s"] = media.remux_time(web, work, stack.settings())
        run["overhead_s"] = run["upload_to_playable_s"] - run["remux_s"]
        uploads.append(run)
    return {
        "runs": uploads,
        "median_overhead_s": statistics.median(r["overhead_s"] for r in uploads),
    }


def playable_figures(out: Path, inputs: Path, scale: Scale) -> None:
    """Only the upload → playable row, measured again into results/latest.json (the rest of
    that file stays as its own run measured it; the row says when and where it was)."""
    latest = out / "results" / "latest.json"
    results: dict[str, Any] = json.loads(latest.read_text())
    about = machine()
    with tempfile.TemporaryDirectory(prefix="classreel-bench-playable-") as tmp:
        work = Path(tmp)
        web = make_inputs(inputs, scale.duration_s, scale.repeat).web
        with _local_stack(work) as stack:
            figures = _upload_to_playable(stack, scale, web, work, TokenFactory(stack.settings()))
    about["loadavg_at_end"] = os.getloadavg()
    figures["machine"] = about
    results["stack"]["upload_to_playable"] = figures
    latest.write_text(json.dumps(results, indent=2) + "\n")


def _store(out: Path, name: str, figures: dict[str, Any], about: dict[str, Any]) -> None:
    """results/{name}.json: the figures with the machine they were measured on."""
    about["loadavg_at_end"] = os.getloadavg()
    figures["machine"] = about
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "results" / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")


def segment_figures(out: Path, inputs: Path, scale: Scale) -> None:
    """Issue 17's figures: one process against the segmented pipeline on one long source."""
    about = machine()
    chunk_s, copies = scale.segment_source
    _log(f"segmented pipeline vs one process: {chunk_s:g} s x {copies}")
    figures: dict[str, Any] = {"sources": {}}
    for kind in segment_bench.SOURCE_KINDS:
        _log(f"  {kind} source")
        with tempfile.TemporaryDirectory(prefix="classreel-bench-segments-") as tmp:
            figures["sources"][kind] = segment_bench.run(
                inputs, Path(tmp), get_settings(), chunk_s, copies, kind
            )
    _store(out, "segments", figures, about)
    (out / "SEGMENTS.md").write_text(segment_bench.markdown(figures, about))
    _log(f"wrote {out / 'SEGMENTS.md'}")


def redaction_figures(out: Path, scale: Scale) -> None:
    """Face redaction's cost per minute of video, image size and cold start."""
    about = machine()
    with tempfile.TemporaryDirectory(prefix="classreel-bench-redaction-") as tmp:
        figures = redaction_bench.run(
            Path(tmp), get_settings(), scale.redaction_s, _log, cold_runs=scale.redaction_cold_runs
        )
    _store(out, "redaction", figures, about)
    (out / "REDACTION_COST.md").write_text(redaction_bench.markdown(figures, about))
    _log(f"wrote {out / 'REDACTION_COST.md'}")


def lesson_figures(out: Path, inputs: Path) -> None:
    """Issue 17's whole-lesson figures through the local stack: results/lessons.json."""
    about = machine()
    _log("whole lessons through the local stack: 1 and 10 minutes of HEVC 1080p")
    with tempfile.TemporaryDirectory(prefix="classreel-bench-lessons-") as tmp:
        figures = {"lessons": lesson_bench.run(inputs, Path(tmp), get_settings())}
    _store(out, "lessons", figures, about)


def _results_markdown(out: Path, results: dict[str, Any]) -> str:
    """RESULTS.md: the whole-lesson figures (results/lessons.json) first, then the rest,
    then face redaction's headline (results/redaction.json)."""
    text = report.results_markdown(results)
    lessons = out / "results" / "lessons.json"
    if lessons.exists():
        section = lesson_bench.markdown(json.loads(lessons.read_text()))
        head, marker, rest = text.partition("## Targets")
        text = head + section + "\n" + marker + rest
    redaction = out / "results" / "redaction.json"
    if redaction.exists():
        text += redaction_bench.results_section(json.loads(redaction.read_text()))
    return text


def _write(out: Path, results: dict[str, Any]) -> None:
    fanout = report.fanout_markdown(results)  # adds results["fanout_model"]
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "results" / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "RESULTS.md").write_text(_results_markdown(out, results))
    (out / "FANOUT.md").write_text(fanout)


def _rerender(out: Path) -> None:
    stored: dict[str, Any] = json.loads((out / "results" / "latest.json").read_text())
    stored["cost"] = report.costs(stored)
    stored["rows"] = report.rows(stored)
    _write(out, stored)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny inputs, seconds not minutes")
    parser.add_argument("--out", type=Path, default=BENCH_DIR, help="where the reports go")
    parser.add_argument(
        "--inputs", type=Path, default=Path(tempfile.gettempdir()) / "classreel-bench-inputs"
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="re-render RESULTS.md and FANOUT.md from results/latest.json (after editing "
        "ANALYSIS.md); measures nothing",
    )
    parser.add_argument(
        "--redaction",
        action="store_true",
        help="only face redaction's cost per video minute, image size and cold start: "
        "REDACTION_COST.md, a few minutes",
    )
    parser.add_argument(
        "--segments",
        action="store_true",
        help="only the segmented-pipeline figures (issue 17): SEGMENTS.md, a few minutes",
    )
    parser.add_argument(
        "--lessons",
        action="store_true",
        help="only the whole-lesson figures through the local stack (issue 17): 1 and 10 "
        "minutes of HEVC through `classreel upload --wait`; re-renders RESULTS.md",
    )
    parser.add_argument(
        "--playable",
        action="store_true",
        help="only upload → playable on the local stack (a few minutes); re-renders RESULTS.md",
    )
    args = parser.parse_args(argv)
    if args.playable:
        playable_figures(args.out, args.inputs, SMOKE if args.smoke else FULL)
        _rerender(args.out)
        return 0
    if args.lessons:
        if not args.report_only:
            lesson_figures(args.out, args.inputs)
        _rerender(args.out)
        return 0
    if args.segments and args.report_only:
        figures = json.loads((args.out / "results" / "segments.json").read_text())
        (args.out / "SEGMENTS.md").write_text(segment_bench.markdown(figures, figures["machine"]))
        return 0
    if args.segments:
        segment_figures(args.out, args.inputs, SMOKE if args.smoke else FULL)
        return 0
    if args.redaction:
        redaction_figures(args.out, SMOKE if args.smoke else FULL)
        if (args.out / "results" / "latest.json").exists():
            _rerender(args.out)  # RESULTS.md's headline
        return 0
    if args.report_only:
        _rerender(args.out)
        return 0
    scale = SMOKE if args.smoke else FULL
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "scale": asdict(scale)}
    with tempfile.TemporaryDirectory(prefix="classreel-bench-") as tmp:
        work = Path(tmp)
        results["media"] = media_figures(scale, args.inputs, work)
        results["stack"] = stack_figures(scale, Path(results["media"]["inputs"]["web"]), work)
    results["cost"] = report.costs(results)
    segment_figures(args.out, args.inputs, scale)
    redaction_figures(args.out, scale)
    if not args.smoke:
        lesson_figures(args.out, args.inputs)
    results["machine"]["loadavg_at_end"] = os.getloadavg()
    results["total_s"] = time.perf_counter() - started
    results["rows"] = report.rows(results)
    _write(args.out, results)
    _log(f"done in {results['total_s']:.0f} s; wrote {args.out / 'RESULTS.md'}")
    return 0
