"""Face detectors whose weights ship inside a registry wheel, behind one interface.

- MediaPipe (0.10.21; later 0.10.x and 1.x wheels no longer carry the models): BlazeFace
  short-range (faces within ~2 m, 128 x 128 input) and full-range (within ~5 m,
  192 x 192), run through the legacy solution graph the wheel ships with its
  ``.tflite`` files.
- OpenCV's Haar cascades (frontal and profile), shipped in ``cv2.data``: the baseline.

A detector sees a whole frame at once, so a face of 30 px in a 720p frame is ~5 px at
the model's input: ``tiles`` runs it again on overlapping tiles of the frame, which is
what finds the back rows of a classroom (bench/REDACTION.md measures each choice).
These modules import numpy, OpenCV and MediaPipe: only the redaction function's image
has them (requirements-redaction.txt), never the app's zip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Detection:
    """A face box in frame pixels (x0, y0, x1, y1) and the detector's confidence."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float

    @property
    def area(self) -> float:
        return max(0.0, self.x1 - self.x0) * max(0.0, self.y1 - self.y0)

    def iou(self, other: Detection) -> float:
        ix = max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0))
        iy = max(0.0, min(self.y1, other.y1) - max(self.y0, other.y0))
        inter = ix * iy
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def shifted(self, dx: float, dy: float) -> Detection:
        return Detection(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy, self.score)


class FaceDetector(Protocol):
    name: str

    def detect(self, frame: Image) -> list[Detection]:
        """Faces in an RGB frame (H x W x 3, uint8)."""
        ...


def suppress_overlaps(found: Sequence[Detection], iou: float = 0.4) -> list[Detection]:
    """Greedy non-maximum suppression; also drops a box mostly inside a stronger one
    (the same face seen whole in one tile and cut in another)."""
    kept: list[Detection] = []
    for candidate in sorted(found, key=lambda d: d.score, reverse=True):
        duplicate = False
        for strong in kept:
            ix = max(0.0, min(strong.x1, candidate.x1) - max(strong.x0, candidate.x0))
            iy = max(0.0, min(strong.y1, candidate.y1) - max(strong.y0, candidate.y0))
            inside = ix * iy / candidate.area if candidate.area > 0 else 1.0
            if candidate.iou(strong) > iou or inside > 0.7:
                duplicate = True
                break
        if not duplicate:
            kept.append(candidate)
    return kept


def tile_grid(
    width: int, height: int, columns: int, rows: int, overlap: float = 0.25
) -> list[tuple[int, int, int, int]]:
    """Overlapping tiles (x0, y0, x1, y1) covering the frame: a face cut by one border is
    whole in the neighbouring tile."""
    if columns <= 1 and rows <= 1:
        return []
    tile_w = width / (columns - (columns - 1) * overlap)
    tile_h = height / (rows - (rows - 1) * overlap)
    tiles = []
    for row in range(rows):
        for column in range(columns):
            x0 = round(column * tile_w * (1 - overlap))
            y0 = round(row * tile_h * (1 - overlap))
            tiles.append((x0, y0, min(width, round(x0 + tile_w)), min(height, round(y0 + tile_h))))
    return tiles


def grid_for(width: int, height: int, tile_px: int, overlap: float = 0.25) -> tuple[int, int]:
    """Columns and rows of tiles about ``tile_px`` wide covering a frame with ``overlap``."""
    step = tile_px * (1 - overlap)
    return max(1, math.ceil((width - tile_px) / step) + 1), max(
        1, math.ceil((height - tile_px) / step) + 1
    )


class TiledDetector:
    """Runs ``detect_region`` on the whole frame and on each tile, then merges.

    Tiles come as a fixed grid (``columns`` x ``rows``) or by size (``tile_px``: the grid
    follows the frame, so a 360p clip is not cut as finely as a 720p one)."""

    def __init__(self, name: str, columns: int, rows: int, tile_px: int | None = None) -> None:
        self.name = name
        self.columns = columns
        self.rows = rows
        self.tile_px = tile_px

    def detect_region(self, region: Image) -> list[Detection]:
        raise NotImplementedError

    def detect(self, frame: Image) -> list[Detection]:
        height, width = frame.shape[:2]
        found = list(self.detect_region(frame))
        columns, rows = self.columns, self.rows
        if self.tile_px is not None:
            columns, rows = grid_for(width, height, self.tile_px)
        for x0, y0, x1, y1 in tile_grid(width, height, columns, rows):
            tile = np.ascontiguousarray(frame[y0:y1, x0:x1])
            found += [d.shifted(x0, y0) for d in self.detect_region(tile)]
        return suppress_overlaps(found)


SHORT_RANGE = 0
FULL_RANGE = 1


class MediapipeDetector(TiledDetector):
    """BlazeFace through the MediaPipe graph shipped in the wheel (weights included)."""

    def __init__(
        self,
        *,
        model: int = FULL_RANGE,
        columns: int = 1,
        rows: int = 1,
        tile_px: int | None = None,
        min_score: float = 0.3,
    ) -> None:
        kind = "full" if model == FULL_RANGE else "short"
        tiles = f" tiles {columns}x{rows}" if columns * rows > 1 else ""
        if tile_px is not None:
            tiles = f" tiles of {tile_px} px"
        super().__init__(f"mediapipe {kind}-range{tiles}", columns, rows, tile_px)
        # Imported here: the module stays importable (for its types) where MediaPipe is not.
        from mediapipe.python.solutions import face_detection  # noqa: PLC0415

        self._graph: Any = face_detection.FaceDetection(
            model_selection=model, min_detection_confidence=min_score
        )

    def detect_region(self, region: Image) -> list[Detection]:
        height, width = region.shape[:2]
        result = self._graph.process(region)
        found = []
        for detection in result.detections or ():
            box = detection.location_data.relative_bounding_box
            found.append(
                Detection(
                    box.xmin * width,
                    box.ymin * height,
                    (box.xmin + box.width) * width,
                    (box.ymin + box.height) * height,
                    float(detection.score[0]),
                )
            )
        return found

    def close(self) -> None:
        self._graph.close()


class HaarDetector(TiledDetector):
    """OpenCV's Haar cascades (frontal, and profile both ways when ``profile``)."""

    def __init__(self, *, profile: bool = False, min_size: int = 12) -> None:
        super().__init__("haar frontal+profile" if profile else "haar frontal", 1, 1)
        root = cv2.data.haarcascades  # type: ignore[attr-defined]
        self._cascades = [cv2.CascadeClassifier(root + "haarcascade_frontalface_default.xml")]
        if profile:
            self._cascades.append(cv2.CascadeClassifier(root + "haarcascade_profileface.xml"))
        self._min_size = min_size

    def detect_region(self, region: Image) -> list[Detection]:
        grey = cv2.cvtColor(region, cv2.COLOR_RGB2GRAY)
        width = grey.shape[1]
        found = []
        for index, cascade in enumerate(self._cascades):
            views = [(grey, False)] + ([(cv2.flip(grey, 1), True)] if index > 0 else [])
            for image, flipped in views:
                boxes = cascade.detectMultiScale(
                    image, scaleFactor=1.1, minNeighbors=4, minSize=(self._min_size,) * 2
                )
                for x, y, w, h in boxes:
                    x0 = width - x - w if flipped else x
                    # Cascades give no score; a constant keeps the interface.
                    found.append(Detection(float(x0), float(y), float(x0 + w), float(y + h), 0.5))
        return found
