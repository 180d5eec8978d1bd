"""Redacting a video file: find and track faces, then blur every face but the kept ones.

Two passes over the file, because the blur of a frame depends on frames after it (a face
found a few frames later is blurred from before it was found, chalicelib/redaction/rules.py):

1. ``analyse``: decode, run the detector (every ``detect_every``-th frame), join the
   detections into tracks;
2. ``render``: decode again, blur each frame's boxes (the tracks minus the kept ones, with
   the reviewer's added and removed regions), encode an H.264 MP4 with the source's sound.

Both read only our own renditions (never an upload), through the same fenced tools as
the rest of the pipeline (GCONV_PATH, memory cap, file protocol only).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from chalicelib.config import Settings
from chalicelib.media.errors import MediaToolCrashed
from chalicelib.media.runner import tool_environment
from chalicelib.redaction import rules
from chalicelib.redaction.rules import Box, Timing, Track
from chalicelib.redaction.vision.detectors import FaceDetector

Image = npt.NDArray[np.uint8]
Progress = Callable[[float], None]

# Blur strength: a Gaussian whose sigma is this share of the box's longer side (a face
# of 30 px gets sigma 7.5: no feature survives), never under MIN_SIGMA.
SIGMA_SHARE = 0.25
MIN_SIGMA = 4.0
# The redacted file is an intermediate the clip ladder is encoded from: visually lossless.
ENCODE_CRF = "17"


@dataclass(frozen=True)
class VideoShape:
    width: int
    height: int
    fps: float
    frames: int


@dataclass(frozen=True)
class Analysis:
    shape: VideoShape
    tracks: list[Track]
    detect_every: int

    @property
    def timing(self) -> Timing:
        return Timing.at(self.shape.fps)


def _read(argv: Sequence[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=tool_environment(),
    )


@contextmanager
def decoded_frames(
    source: Path,
    shape: VideoShape,
    settings: Settings,
    span: tuple[int, int] | None = None,
) -> Iterator[Iterator[Image]]:
    """Every frame of ``source`` as RGB at its own size, decoded in a pipe; with ``span``
    (first frame, count) only those frames, chosen by number (exact, whatever the
    keyframes)."""
    select = []
    if span is not None:
        first, count = span
        select = ["-vf", f"select=between(n\\,{first}\\,{first + count - 1})"]
    argv = [
        settings.ffmpeg_binary, "-hide_banner", "-loglevel", "error", "-nostdin",
        "-protocol_whitelist", "file", "-i", str(source),
        "-map", "0:v:0", *select,
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-vsync", "passthrough", "-",
    ]  # fmt: skip
    process = _read(argv)
    size = shape.width * shape.height * 3

    def frames() -> Iterator[Image]:
        if process.stdout is None:
            raise MediaToolCrashed("ffmpeg gave no output pipe")
        while True:
            chunk = process.stdout.read(size)
            if len(chunk) < size:
                return
            yield np.frombuffer(chunk, np.uint8).reshape(shape.height, shape.width, 3)

    try:
        yield frames()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


Detections = list[tuple[int, list[tuple[Box, float]]]]


def detect(
    source: Path,
    shape: VideoShape,
    detector: FaceDetector,
    settings: Settings,
    *,
    span: tuple[int, int] | None = None,
    detect_every: int = 1,
    on_progress: Progress | None = None,
) -> Detections:
    """The faces of each frame (of ``span`` only, numbered in the whole clip)."""
    first, count = span if span is not None else (0, shape.frames)
    found: Detections = []
    with decoded_frames(source, shape, settings, span) as frames:
        for offset, frame in enumerate(frames):
            index = first + offset
            if index % detect_every:
                continue
            detections = detector.detect(frame)
            found.append((index, [(Box(d.x0, d.y0, d.x1, d.y1), d.score) for d in detections]))
            if on_progress and count:
                on_progress(min(1.0, offset / count))
    return found


def track(shape: VideoShape, found: Detections, detect_every: int = 1) -> Analysis:
    """The clip's tracks from every frame's detections (all spans together, in order)."""
    timing = Timing.at(shape.fps)
    ordered = sorted(found, key=lambda item: item[0])
    tracks = rules.build_tracks(ordered, max_gap_frames=timing.max_gap_frames)
    return Analysis(shape, tracks, detect_every)


def analyse(
    source: Path,
    shape: VideoShape,
    detector: FaceDetector,
    settings: Settings,
    *,
    detect_every: int = 1,
    on_progress: Progress | None = None,
) -> Analysis:
    found = detect(
        source, shape, detector, settings, detect_every=detect_every, on_progress=on_progress
    )
    return track(shape, found, detect_every)


def blur_regions(frame: Image, boxes: Sequence[Box]) -> Image:
    """``frame`` with each box replaced by a strong Gaussian blur of itself."""
    height, width = frame.shape[:2]
    out = frame.copy()
    for raw in boxes:
        box = raw.clipped(width, height)
        x0, y0, x1, y1 = int(box.x0), int(box.y0), int(np.ceil(box.x1)), int(np.ceil(box.y1))
        if x1 - x0 < 1 or y1 - y0 < 1:
            continue
        sigma = max(MIN_SIGMA, SIGMA_SHARE * max(x1 - x0, y1 - y0))
        # Blur a margin around the box too, so its edge is not a sharp copy of the border.
        margin = int(3 * sigma)
        mx0, my0 = max(0, x0 - margin), max(0, y0 - margin)
        mx1, my1 = min(width, x1 + margin), min(height, y1 + margin)
        region = _strong_blur(out[my0:my1, mx0:mx1], sigma)
        out[y0:y1, x0:x1] = region[y0 - my0 : y1 - my0, x0 - mx0 : x1 - mx0]
    return out


# A blur this strong keeps nothing finer than its sigma, so it is computed on a copy
# shrunk until the sigma is this many pixels, then scaled back: the same picture for a
# twentieth of the work on a large face (bench/REDACTION_COST.md).
_SHRUNK_SIGMA = 2.0


def _strong_blur(region: Image, sigma: float) -> Image:
    height, width = region.shape[:2]
    factor = sigma / _SHRUNK_SIGMA
    if factor <= 1.5 or min(height, width) / factor < 4:
        return np.asarray(cv2.GaussianBlur(region, (0, 0), sigma), dtype=np.uint8)
    small = cv2.GaussianBlur(
        cv2.resize(
            region,
            (max(1, round(width / factor)), max(1, round(height / factor))),
            interpolation=cv2.INTER_AREA,
        ),
        (0, 0),
        _SHRUNK_SIGMA,
    )
    return np.asarray(
        cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR), dtype=np.uint8
    )


@dataclass(frozen=True)
class RenderStats:
    frames: int
    blurred_boxes: int


def render(
    source: Path,
    target: Path,
    analysis: Analysis,
    settings: Settings,
    *,
    keep: frozenset[int] = frozenset(),
    edits: Sequence[rules.RegionEdit] = (),
    on_progress: Progress | None = None,
) -> RenderStats:
    """Write ``target``: ``source`` with every face blurred but the ``keep`` tracks'."""
    shape = analysis.shape
    encode = [
        settings.ffmpeg_binary, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{shape.width}x{shape.height}",
        "-r", f"{shape.fps:.6f}", "-i", "-",
        "-protocol_whitelist", "file", "-i", str(source),
        "-map", "0:v:0", "-map", "1:a:0?", "-c:a", "copy",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", ENCODE_CRF, "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", str(target),
    ]  # fmt: skip
    blurred = count = 0
    timing = analysis.timing
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            encode, stdin=subprocess.PIPE, stderr=errors, env=tool_environment()
        ) as encoder,
        decoded_frames(source, shape, settings) as frames,
    ):
        if encoder.stdin is None:
            raise MediaToolCrashed("ffmpeg gave no input pipe")
        for index, frame in enumerate(frames):
            boxes = rules.apply_edits(
                rules.blur_boxes(analysis.tracks, index, timing, keep=keep),
                rules.edits_at(edits, index / shape.fps, shape.width, shape.height),
            )
            blurred += len(boxes)
            encoder.stdin.write(blur_regions(frame, boxes).tobytes() if boxes else frame.tobytes())
            count += 1
            if on_progress and shape.frames:
                on_progress(min(1.0, index / shape.frames))
        encoder.stdin.close()
        encoder.wait()
        if encoder.returncode != 0:
            errors.seek(0)
            raise MediaToolCrashed(f"encoding the redacted video failed: {errors.read()[-500:]!r}")
    return RenderStats(count, blurred)
