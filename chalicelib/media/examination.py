"""Measure a file and plan it: the facts ``plan.decide`` needs, gathered with the tools.

``examine`` is what both the ingest/clip pipeline and ``classreel probe`` run,
so the plan a teacher sees before uploading is the plan the worker follows.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from chalicelib.config import Settings
from chalicelib.media import formats
from chalicelib.media.plan import FieldCounts, MediaPlan, Tools, decide
from chalicelib.media.probe import MediaInfo, probe
from chalicelib.media.runner import run_probe_tool

_MULTI_FRAME = re.compile(
    r"Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*Progressive:\s*(\d+)"
    r"\s*Undetermined:\s*(\d+)"
)
# Where to look for combing: past the first moments (often a still classroom
# while the teacher walks back from the camera), never past the end.
_MEASURE_FROM = 0.1
# idet's default threshold (1.04) calls sharp, fast progressive pictures woven
# (both field orders at random); at 1.5 they read progressive while woven fields
# still read woven (measured on generated sources, tests/unit/media/test_plan.py).
IDET = "idet=intl_thres=1.5"


def parse_idet(stderr: str) -> FieldCounts | None:
    """idet's final multi-frame counts (it logs a line per filter instance; the last counts)."""
    matches = _MULTI_FRAME.findall(stderr)
    if not matches:
        return None
    tff, bff, progressive, undetermined = (int(value) for value in matches[-1])
    return FieldCounts(tff, bff, progressive, undetermined)


def idet_command(path: formats.MediaInput, info: MediaInfo, settings: Settings) -> list[str]:
    video = info.require_video()
    start = (info.duration_s or 0.0) * _MEASURE_FROM
    container = info.container
    return [
        settings.ffmpeg_binary, "-hide_banner", "-nostdin", "-nostats",
        "-ss", f"{start:.3f}",
        *formats.input_args(path, container.demuxer if container else None),
        "-map", f"0:{video.index}", "-vf", IDET,
        "-frames:v", str(settings.interlace_probe_frames), "-an", "-f", "null", "-",
    ]  # fmt: skip


def measure_fields(
    path: formats.MediaInput, info: MediaInfo, settings: Settings
) -> FieldCounts | None:
    """Count woven (interlaced) against progressive frames; None if ffmpeg could not say."""
    result = run_probe_tool(
        idet_command(path, info, settings), settings, timeout_s=settings.ffprobe_timeout_s
    )
    return parse_idet(result.stderr) if result.returncode == 0 else None


def _needs_measuring(info: MediaInfo) -> bool:
    video = info.video
    return video is not None and video.field_order not in ("tt", "bb", "tb", "bt")


@lru_cache(maxsize=8)
def _filters_of(ffmpeg_binary: str) -> frozenset[str]:
    listing = subprocess.run(
        [ffmpeg_binary, "-hide_banner", "-filters"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    ).stdout
    return frozenset(line.split()[1] for line in listing.splitlines() if len(line.split()) > 2)


def tools_of(settings: Settings) -> Tools:
    filters = _filters_of(settings.ffmpeg_binary)
    return Tools(zscale="zscale" in filters and "tonemap" in filters)


@dataclass(frozen=True)
class Examination:
    info: MediaInfo
    fields: FieldCounts | None
    plan: MediaPlan


def plan_for(
    path: formats.MediaInput, info: MediaInfo, settings: Settings, *, allow_remux: bool = True
) -> Examination:
    """Measure what ffprobe cannot tell (interlacing) and decide."""
    fields = measure_fields(path, info, settings) if _needs_measuring(info) else None
    plan = decide(info, settings, tools=tools_of(settings), fields=fields, allow_remux=allow_remux)
    return Examination(info, fields, plan)


def examine(
    path: formats.MediaInput, settings: Settings, *, allow_remux: bool = True
) -> Examination:
    """Probe, measure and decide. Raises MediaRejected for what ffprobe cannot read."""
    info = probe(path, settings)
    if info.video is None or info.container is None:
        return Examination(info, None, decide(info, settings, tools=tools_of(settings)))
    return plan_for(path, info, settings, allow_remux=allow_remux)
