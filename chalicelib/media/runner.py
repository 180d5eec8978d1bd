"""Running ffmpeg and ffprobe: a time limit, a memory cap, progress reports, useful errors.

Both tools read uploaded bytes, so both get the same fences: an address-space
cap, a time limit, and an environment in which the static build cannot load
the host's iconv modules (see ``gconv/gconv-modules``).
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from chalicelib.config import Settings
from chalicelib.media.errors import MediaRejected, MediaToolCrashed
from chalicelib.observability import logger

ProgressCallback = Callable[[float], None]

TOOK_TOO_LONG = "Processing this video took far too long; the file may be damaged."
COULD_NOT_CONVERT = "We couldn't convert this video; the file may be damaged."
COULD_NOT_READ_IN_TIME = "This file could not be read in reasonable time; it may be damaged."

GCONV_DIR = Path(__file__).resolve().parent / "gconv"


def tool_environment() -> Mapping[str, str]:
    """The environment every ffmpeg/ffprobe runs in (also for ``classreel probe``)."""
    return {**os.environ, "GCONV_PATH": str(GCONV_DIR)}


@dataclass(frozen=True)
class FfmpegResult:
    stderr: str


def timeout_for(duration_s: float | None, settings: Settings) -> float:
    return settings.ffmpeg_timeout_base_s + settings.ffmpeg_timeout_per_media_s * (duration_s or 0)


def _limits(memory_mb: int) -> Callable[[], None]:
    def apply() -> None:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run_ffmpeg(
    argv: Sequence[str],
    settings: Settings,
    *,
    timeout_s: float,
    duration_s: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> FfmpegResult:
    """Run an ffmpeg command line (built with ffmpeg-python).

    Progress comes from ``-progress pipe:1``: ``out_time_us`` against the media
    duration gives a fraction in [0, 1]. stderr goes to a temp file so a chatty
    ffmpeg can never block on a full pipe.
    """
    argv = [*argv[:1], "-progress", "pipe:1", "-nostats", *argv[1:]]
    with tempfile.TemporaryFile() as stderr_file:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            env=tool_environment(),
            preexec_fn=_limits(settings.ffmpeg_memory_limit_mb),  # noqa: PLW1509
        )
        timed_out = threading.Event()

        def on_timeout() -> None:
            timed_out.set()
            process.kill()

        watchdog = threading.Timer(timeout_s, on_timeout)
        watchdog.daemon = True
        watchdog.start()
        try:
            for raw in process.stdout or ():
                line = raw.decode(errors="replace").strip()
                if on_progress and duration_s and line.startswith("out_time_us="):
                    value = line.partition("=")[2]
                    if value.isdigit():
                        on_progress(min(1.0, int(value) / 1e6 / duration_s))
            returncode = process.wait()
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        stderr_file.seek(0)
        stderr = stderr_file.read().decode(errors="replace")
    if timed_out.is_set():
        raise MediaRejected(TOOK_TOO_LONG)
    if returncode < 0:
        raise MediaToolCrashed(f"ffmpeg died with signal {-returncode}: {stderr[-500:]}")
    if returncode != 0:
        logger.warning("ffmpeg failed", extra={"argv": argv, "stderr": stderr[-2000:]})
        raise MediaRejected(COULD_NOT_CONVERT)
    return FfmpegResult(stderr=stderr)


@dataclass(frozen=True)
class ProbeResult:
    returncode: int
    stdout: str
    stderr: str


def run_probe_tool(argv: Sequence[str], settings: Settings, *, timeout_s: float) -> ProbeResult:
    """Run ffprobe (or an analysing ffmpeg) to completion, fenced like ``run_ffmpeg``.

    A non-zero exit is returned for the caller to explain; running out of time
    is a refusal, and dying by a signal (out of memory, a crash) is worth a retry.
    """
    try:
        completed = subprocess.run(
            list(argv),
            capture_output=True,
            timeout=timeout_s,
            check=False,
            stdin=subprocess.DEVNULL,
            env=tool_environment(),
            preexec_fn=_limits(settings.ffprobe_memory_limit_mb),
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaRejected(COULD_NOT_READ_IN_TIME) from exc
    stderr = completed.stderr.decode(errors="replace")
    if completed.returncode < 0:
        raise MediaToolCrashed(
            f"{Path(argv[0]).name} died with signal {-completed.returncode}: {stderr[-500:]}"
        )
    # Tags are the uploader's bytes: never trust them to be UTF-8.
    return ProbeResult(completed.returncode, completed.stdout.decode(errors="replace"), stderr)
