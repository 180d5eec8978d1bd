"""Which face detector redaction uses: recall on classroom faces and cost, measured.

Scenes are 1280 x 720 (the top rung a clip is encoded at) with faces where a classroom
camera sees students: 18 to 96 px tall, frontal, tilted, turned away (narrower, or the
cameraman's profile), partly hidden (a hand or book over a third of the face), and small
grey faces of other people (LFW). A face counts as found when the detector's boxes,
padded as the redactor pads them, cover at least 90 % of its face pixels; "pixels" is the
share of all face pixels covered. Time is CPU time per frame on this machine.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chalicelib.redaction.vision.detectors import (
    FULL_RANGE,
    SHORT_RANGE,
    Detection,
    FaceDetector,
    HaarDetector,
    MediapipeDetector,
)
from tests.support.face_scenes import Face, RenderedFrame, Scene, render

WIDTH, HEIGHT = 1280, 720
HEIGHTS = (18, 24, 32, 48, 64, 96)
CONDITIONS = ("frontal", "tilted", "turned", "profile", "occluded", "other people")
PAD = 0.25  # the redactor's own padding (chalicelib/redaction/rules.py BOX_PADDING)


def _face(condition: str, height: int, x: float, y: float, rng: random.Random) -> Face:
    label = f"{condition}/{height}/{x:.0f},{y:.0f}"
    if condition == "tilted":
        return Face("astronaut", (height, height), (x, y), (x, y),
                    angle_deg=rng.choice([-25, -15, 15, 25]), label=label)  # fmt: skip
    if condition == "turned":
        return Face("astronaut", (height, height), (x, y), (x, y),
                    squash=rng.uniform(0.5, 0.7), label=label)  # fmt: skip
    if condition == "profile":
        return Face("cameraman", (height, height), (x, y), (x, y), label=label)
    if condition == "occluded":
        return Face("astronaut", (height, height), (x, y), (x, y),
                    occluded=rng.uniform(0.3, 0.45), label=label)  # fmt: skip
    if condition == "other people":
        return Face(f"lfw{rng.randrange(0, 100, 10)}", (height, height), (x, y), (x, y),
                    label=label)  # fmt: skip
    return Face("astronaut", (height, height), (x, y), (x, y), label=label)


def evaluation_frames(count: int = 24, seed: int = 3) -> list[RenderedFrame]:
    """``count`` scenes of 8 faces each on a 4 x 2 grid, every size and condition mixed."""
    rng = random.Random(seed)
    frames = []
    cases = [(c, h) for c in CONDITIONS for h in HEIGHTS]
    for index in range(count):
        faces = []
        for cell in range(8):
            condition, height = cases[(index * 8 + cell) % len(cases)]
            x = (cell % 4 + 0.5) * WIDTH / 4 + rng.uniform(-60, 60)
            y = (cell // 4 + 0.5) * HEIGHT / 2 + rng.uniform(-60, 60)
            faces.append(_face(condition, height, x, y, rng))
        scene = Scene(WIDTH, HEIGHT, 15, 1, tuple(faces), seed=index)
        frames.append(next(iter(render(scene))))
    return frames


def _covered(detections: Sequence[Detection], shape: tuple[int, int]) -> np.ndarray[Any, Any]:
    mask = np.zeros(shape, bool)
    for d in detections:
        pad_x, pad_y = (d.x1 - d.x0) * PAD, (d.y1 - d.y0) * PAD
        x0, y0 = max(0, int(d.x0 - pad_x)), max(0, int(d.y0 - pad_y))
        mask[y0 : int(d.y1 + pad_y) + 1, x0 : int(d.x1 + pad_x) + 1] = True
    return mask


@dataclass
class Score:
    detector: str
    ms_per_frame: float
    found: dict[str, tuple[int, int]]  # group -> (found, total)
    pixels_covered: float
    false_boxes_per_frame: float

    def rate(self, group: str) -> float:
        found, total = self.found[group]
        return found / total if total else 0.0


def evaluate(detector: FaceDetector, frames: Sequence[RenderedFrame]) -> Score:
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    covered_pixels = total_pixels = false_boxes = 0
    elapsed = 0.0
    for frame in frames:
        started = time.process_time()
        detections = detector.detect(frame.pixels)
        elapsed += time.process_time() - started
        height, width = frame.pixels.shape[:2]
        covered = _covered(detections, (height, width))
        anywhere_a_face = np.zeros(frame.pixels.shape[:2], bool)
        for label, mask in frame.masks.items():
            condition, face_px, _ = label.split("/")
            share = covered[mask].mean() if mask.any() else 1.0
            hit = int(share >= 0.9)
            size = "small (< 32 px)" if int(face_px) < 32 else (
                "medium (32-63 px)" if int(face_px) < 64 else "large (>= 64 px)")  # fmt: skip
            for group in (condition, size, "all"):
                found[group][0] += hit
                found[group][1] += 1
            covered_pixels += int(covered[mask].sum())
            total_pixels += int(mask.sum())
            anywhere_a_face |= mask
        for d in detections:
            box = anywhere_a_face[
                max(0, int(d.y0)) : int(d.y1) + 1, max(0, int(d.x0)) : int(d.x1) + 1
            ]
            false_boxes += int(not box.any())
    return Score(
        detector=detector.name,
        ms_per_frame=1000 * elapsed / len(frames),
        found={k: (v[0], v[1]) for k, v in found.items()},
        pixels_covered=covered_pixels / total_pixels,
        false_boxes_per_frame=false_boxes / len(frames),
    )


CANDIDATES: dict[str, Callable[[], FaceDetector]] = {
    "haar frontal": HaarDetector,
    "haar frontal+profile": lambda: HaarDetector(profile=True),
    "mediapipe short-range": lambda: MediapipeDetector(model=SHORT_RANGE),
    "mediapipe full-range": lambda: MediapipeDetector(model=FULL_RANGE),
    "mediapipe short-range tiles 9x5": lambda: MediapipeDetector(
        model=SHORT_RANGE, columns=9, rows=5
    ),
    "mediapipe full-range tiles 5x3": lambda: MediapipeDetector(
        model=FULL_RANGE, columns=5, rows=3
    ),
    "mediapipe full-range tiles 7x4": lambda: MediapipeDetector(
        model=FULL_RANGE, columns=7, rows=4
    ),
    "mediapipe full-range tiles 9x5": lambda: MediapipeDetector(
        model=FULL_RANGE, columns=9, rows=5
    ),
}


def evaluate_all(count: int = 24) -> list[Score]:
    frames = evaluation_frames(count)
    return [evaluate(make(), frames) for make in CANDIDATES.values()]


def table(scores: Sequence[Score]) -> str:
    groups = ["all", "small (< 32 px)", "medium (32-63 px)", "large (>= 64 px)", *CONDITIONS[1:]]
    header = (
        "| detector | ms/frame | " + " | ".join(groups) + " | face pixels | false boxes/frame |"
    )
    lines = [header, "|" + "---|" * (len(groups) + 4)]
    for s in scores:
        cells = [f"{100 * s.rate(g):.0f} %" for g in groups]
        lines.append(
            f"| {s.detector} | {s.ms_per_frame:.0f} | " + " | ".join(cells)
            + f" | {100 * s.pixels_covered:.1f} % | {s.false_boxes_per_frame:.2f} |"
        )  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(evaluate_all()))
