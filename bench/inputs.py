"""Generated inputs: lavfi testsrc2 + temporal noise (real encoding cost) + sine audio.

Every file is made here, so a run needs nothing but ffmpeg. The long file is
the short web file concatenated with stream copy: same picture, same bitrate,
ten times the length, made in seconds instead of minutes.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Inputs:
    phone: Path  # 1080p30 H.264 High, ~16 Mbit/s, moov at the end (as a phone writes it)
    web: Path  # 720p30 H.264 + AAC, faststart: the already-web case
    web_short: Path  # the first 10 s of ``web`` (poster scaling)
    web_long: Path  # ``web`` repeated to 10x its length (poster + memory scaling)


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)


def generate(
    path: Path,
    *,
    size: str,
    duration_s: float,
    bitrate: str,
    faststart: bool,
    hevc: bool = False,
) -> None:
    """``hevc``: H.265 tagged ``hvc1``, as an iPhone records by default; else H.264 High."""
    video = f"testsrc2=size={size}:rate=30:duration={duration_s},noise=alls=10:allf=t+u"
    audio = f"sine=frequency=440:beep_factor=4:duration={duration_s}:sample_rate=48000"
    args = ["-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio]
    if hevc:
        args += ["-c:v", "libx265", "-preset", "ultrafast", "-tag:v", "hvc1"]
        args += ["-x265-params", "log-level=error"]
    else:
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "high"]
    args += ["-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate, "-g", "60"]
    args += ["-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-ac", "2"]
    if faststart:
        args += ["-movflags", "+faststart"]
    _ffmpeg(*args, str(path))


def join_copies(source: Path, times: int, target: Path, *, faststart: bool = True) -> None:
    """``source`` joined to itself ``times`` over, streams copied (no encoding)."""
    listing = target.with_suffix(".txt")
    listing.write_text("".join(f"file '{source.resolve()}'\n" for _ in range(times)))
    flags = ["-movflags", "+faststart"] if faststart else []
    _ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", *flags, str(target))


def make_inputs(directory: Path, duration_s: float, repeat: int) -> Inputs:
    """``duration_s`` is 60 for `make bench`; the smoke test passes a couple of seconds."""
    directory.mkdir(parents=True, exist_ok=True)
    tag = f"{duration_s:g}s"
    inputs = Inputs(
        phone=directory / f"phone-1080p-{tag}.mp4",
        web=directory / f"web-720p-{tag}.mp4",
        web_short=directory / f"web-720p-{tag}-short.mp4",
        web_long=directory / f"web-720p-{tag}-x{repeat}.mp4",
    )
    if not inputs.phone.exists():
        generate(
            inputs.phone, size="1920x1080", duration_s=duration_s, bitrate="16M", faststart=False
        )
    if not inputs.web.exists():
        generate(inputs.web, size="1280x720", duration_s=duration_s, bitrate="4M", faststart=True)
    if not inputs.web_short.exists():
        short = min(10.0, duration_s)
        _ffmpeg(
            "-i",
            str(inputs.web),
            "-t",
            f"{short}",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(inputs.web_short),
        )
    if not inputs.web_long.exists():
        join_copies(inputs.web, repeat, inputs.web_long)
    return inputs
