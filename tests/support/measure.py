"""What a viewer would see and hear in a file, measured with ffmpeg's analysis filters."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_VALUE = re.compile(r"lavfi\.signalstats\.(\w+)=([0-9.]+)")
_FRAME = re.compile(r"pts_time:([0-9.]+)")
_SILENCE_END = re.compile(r"silence_end: ([0-9.]+)")
_IDET = re.compile(
    r"Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*Progressive:\s*(\d+)"
    r"\s*Undetermined:\s*(\d+)"
)
_VOLUME = re.compile(r"mean_volume: (-?[0-9.]+) dB")


def _analyse(*args: str) -> str:
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-nostdin", *args, "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return result.stderr + result.stdout


def per_frame(path: Path, key: str) -> list[tuple[float, float]]:
    """(time, value) of one signalstats value (YAVG, SATAVG...) for every frame, 8-bit scale."""
    out = subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-nostats", "-nostdin", "-i", str(path), "-an",
            "-vf", f"format=yuv420p,signalstats,metadata=mode=print:key=lavfi.signalstats.{key}",
            "-f", "null", "-",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stderr  # fmt: skip
    times = [float(t) for t in _FRAME.findall(out)]
    values = [float(v) for name, v in _VALUE.findall(out) if name == key]
    return list(zip(times, values, strict=False))


def average_saturation(path: Path) -> float:
    values = [value for _, value in per_frame(path, "SATAVG")]
    return sum(values) / len(values)


def average_luma(path: Path) -> float:
    """Mean brightness (luma, 8-bit scale) over every frame."""
    values = [value for _, value in per_frame(path, "YAVG")]
    return sum(values) / len(values)


def flash_times(path: Path, threshold: float = 128.0) -> list[float]:
    """When the picture turns (mostly) white: each rising edge of the mean brightness."""
    edges, bright = [], False
    for time, luma in per_frame(path, "YAVG"):
        if luma > threshold and not bright:
            edges.append(time)
        bright = luma > threshold
    return edges


def beep_times(path: Path) -> list[float]:
    """When each tone begins after silence (silencedetect's silence_end)."""
    out = _analyse("-i", str(path), "-vn", "-af", "silencedetect=noise=-35dB:duration=0.2")
    return [float(t) for t in _SILENCE_END.findall(out)]


def woven_frames(path: Path) -> tuple[int, int]:
    """(frames idet calls interlaced, frames it calls progressive) over the whole file."""
    out = _analyse("-i", str(path), "-an", "-vf", "idet")
    tff, bff, progressive, _ = (int(v) for v in _IDET.findall(out)[-1])
    return tff + bff, progressive


def mean_volume_db(path: Path, audio_filter: str = "anull") -> float:
    out = _analyse("-i", str(path), "-vn", "-af", f"{audio_filter},volumedetect")
    return float(_VOLUME.findall(out)[-1])
