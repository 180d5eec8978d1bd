"""Peak resident memory of a process and all its descendants, sampled from outside.

``getrusage`` reports only the largest single child, and ffmpeg runs while the
Python parent is still resident, so the honest figure is the sum of RSS over the
whole tree at the same instant. psutil samples it every ``interval_s``; the
bench's own instrumentation (the timing wrapper shell around ffmpeg) is left out.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

INSTRUMENTATION = frozenset({"bash", "sh"})


@dataclass(frozen=True)
class TreeRun:
    returncode: int
    wall_s: float
    peak_rss_mb: float
    peak_python_rss_mb: float
    samples: int


def _tree_rss(root: psutil.Process) -> tuple[int, int]:
    try:
        own = root.memory_info().rss
        children = root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0, 0
    total = own
    for child in children:
        try:
            if child.name() in INSTRUMENTATION:
                continue
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total, own


def run_sampled(
    argv: list[str], *, env: dict[str, str], log: Path, interval_s: float = 0.05
) -> TreeRun:
    peak = peak_python = samples = 0
    started = time.perf_counter()
    with log.open("wb") as log_file:
        process = subprocess.Popen(argv, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        root = psutil.Process(process.pid)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_python, samples
            while not done.is_set():
                total, own = _tree_rss(root)
                peak, peak_python = max(peak, total), max(peak_python, own)
                samples += 1
                done.wait(interval_s)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        returncode = process.wait()
        done.set()
        sampler.join()
    return TreeRun(
        returncode=returncode,
        wall_s=time.perf_counter() - started,
        peak_rss_mb=peak / 2**20,
        peak_python_rss_mb=peak_python / 2**20,
        samples=samples,
    )
