"""Running ffmpeg: a time limit, a memory cap, progress reports, useful errors."""

from __future__ import annotations

import resource
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chalicelib.config import Settings
from chalicelib.media.errors import MediaRejected, MediaToolCrashed
from chalicelib.observability import logger

ProgressCallback = Callable[[float], None]

TOOK_TOO_LONG = "Processing this video took far too long; the file may be damaged."
COULD_NOT_CONVERT = "We couldn't convert this video; the file may be damaged."


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
