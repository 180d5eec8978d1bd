"""A generated lesson recording for clip tests, and ways to look inside outputs.

The lesson has a keyframe only every 10 s, so a clip that starts mid-GOP proves
the cut is frame-accurate rather than snapped back to the previous keyframe.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

FPS = 30
GOP_S = 10
THUMB = (64, 36)


def make_lesson(path: Path, duration_s: float = 40.0) -> Path:
    if path.exists():
        return path
    gop = FPS * GOP_S
    args = (
        "ffmpeg -hide_banner -loglevel error -nostdin -y"
        f" -f lavfi -i testsrc2=size=640x360:rate={FPS}:duration={duration_s}"
        f" -f lavfi -i sine=frequency=440:sample_rate=48000:duration={duration_s}"
        " -c:v libx264 -preset ultrafast -pix_fmt yuv420p"
        f" -g {gop} -keyint_min {gop} -sc_threshold 0"
        " -c:a aac -b:a 64k -movflags +faststart"
    ).split()
    subprocess.run([*args, str(path)], check=True)
    return path


def frame_at(path: Path, at_s: float) -> bytes:
    """A small grey thumbnail of the frame shown at ``at_s`` (exact: decoded, not seeked)."""
    args = (
        f"-ss {at_s:.3f} -frames:v 1 -vf scale={THUMB[0]}:{THUMB[1]},format=gray -f rawvideo -"
    ).split()
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path), *args],
        check=True,
        capture_output=True,
    )
    return result.stdout


def difference(a: bytes, b: bytes) -> float:
    """Mean absolute difference of two grey thumbnails (0 = identical)."""
    assert len(a) == len(b) == THUMB[0] * THUMB[1]
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def video_track_duration(path: Path) -> float:
    """Frames / frame rate of the first video stream, as a player would count them."""
    result = subprocess.run(
        [
            *["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", "-of", "json"],
            *("-show_entries", "stream=nb_read_frames,avg_frame_rate", str(path)),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    stream = json.loads(result.stdout)["streams"][0]
    numerator, denominator = (int(x) for x in stream["avg_frame_rate"].split("/"))
    return int(stream["nb_read_frames"]) * denominator / numerator
