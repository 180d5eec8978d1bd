"""Generated classroom scenes with faces at known places, for the redaction tests and bench.

The faces come from images that scikit-image ships inside its wheel (no download):
``astronaut`` (a frontal face, colour), ``camera`` (a man turned sideways behind a
camera, partly hidden by it) and ``lfw_subset`` (tight 25 x 25 crops of 100 people,
grey). Each is pasted into a plain "classroom" background (walls, desks, texture) at a
known size, in-plane angle, squash (a head turned away shows a narrower face) and
occluder (a raised hand or a book over part of it), moving from frame to frame. Every
face also gives its ground truth: the mask of its face pixels in that frame, so a test
can measure on the output video which of them were blurred.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from skimage import data

Image = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Sprite:
    """A head cut from a shipped image, with the ellipse of its face pixels in the cut."""

    name: str
    pixels: Image  # H x W x 3, RGB
    # Face ellipse in the sprite's own coordinates: centre x, y and semi-axes.
    face: tuple[float, float, float, float]


@cache
def sprites() -> dict[str, Sprite]:
    astronaut: Image = data.astronaut()  # type: ignore[no-untyped-call]
    camera = np.repeat(data.camera()[..., None], 3, axis=2)  # type: ignore[no-untyped-call]
    found = {
        # Eileen Collins, frontal: hair to chin.
        "astronaut": Sprite(
            "astronaut", np.ascontiguousarray(astronaut[10:200, 140:310]), (85, 118, 52, 64)
        ),
        # The cameraman: a face turned sideways, partly behind his camera.
        "cameraman": Sprite(
            "cameraman", np.ascontiguousarray(camera[60:215, 150:275]), (70, 90, 36, 50)
        ),
    }
    faces = data.lfw_subset()[:100]  # type: ignore[no-untyped-call]  # the first 100 are faces, the rest are not
    for index in range(0, 100, 10):
        grey = (faces[index] * 255).astype(np.uint8)
        found[f"lfw{index}"] = Sprite(
            f"lfw{index}", np.repeat(grey[..., None], 3, axis=2), (12.5, 13.5, 10.0, 12.0)
        )
    return found


@dataclass(frozen=True)
class Face:
    """One face on screen: where it is at a given frame and how it looks."""

    sprite: str
    # Face height in pixels (the face ellipse's height) at the start and the end.
    height: tuple[float, float]
    # Face centre at the start and at the end (linear motion in between).
    start: tuple[float, float]
    end: tuple[float, float]
    angle_deg: float = 0.0  # in-plane tilt
    squash: float = 1.0  # < 1: narrower, as a head turned away
    # Fraction of the face (from its right side) hidden behind an occluder.
    occluded: float = 0.0
    first_frame: int = 0
    last_frame: int = 10**9
    label: str = ""

    def visible(self, frame: int) -> bool:
        return self.first_frame <= frame <= self.last_frame

    def at(self, frame: int, frames: int) -> tuple[float, float, float]:
        t = 0.0 if frames <= 1 else frame / (frames - 1)
        x = self.start[0] + (self.end[0] - self.start[0]) * t
        y = self.start[1] + (self.end[1] - self.start[1]) * t
        height = self.height[0] + (self.height[1] - self.height[0]) * t
        return x, y, height


@dataclass(frozen=True)
class Scene:
    width: int
    height: int
    fps: int
    frames: int
    faces: Sequence[Face] = field(default_factory=tuple)
    seed: int = 7


@dataclass(frozen=True)
class RenderedFrame:
    index: int
    pixels: Image  # H x W x 3, RGB
    # Per face label: its face pixels in this frame (only faces on screen).
    masks: dict[str, Mask]


def classroom(width: int, height: int, seed: int) -> Image:
    """A plain room: a wall with a board, a floor, rows of desks, some sensor noise."""
    rng = np.random.default_rng(seed)
    room = np.zeros((height, width, 3), np.float32)
    horizon = int(height * 0.45)
    room[:horizon] = (196, 190, 170)
    room[horizon:] = (150, 120, 90)
    board = (int(width * 0.3), int(height * 0.06), int(width * 0.7), int(height * 0.3))
    cv2.rectangle(room, board[:2], board[2:], (40, 70, 50), thickness=-1)
    for row in range(3):
        top = horizon + int((row + 0.5) * (height - horizon) / 3.5)
        for column in range(6):
            left = int((column + 0.1) * width / 6)
            cv2.rectangle(
                room,
                (left, top),
                (left + int(width / 7.5), top + int(height / 18)),
                (120, 85, 60),
                thickness=-1,
            )
    room += rng.normal(0, 4, room.shape).astype(np.float32)
    return np.clip(room, 0, 255).astype(np.uint8)


def _placement(face: Face, sprite: Sprite, frame: int, frames: int) -> npt.NDArray[np.float64]:
    """The affine map from sprite pixels to frame pixels for ``face`` at ``frame``."""
    x, y, height = face.at(frame, frames)
    cx, cy, _, semi_y = sprite.face
    scale = height / (2 * semi_y)
    angle = math.radians(face.angle_deg)
    cos, sin = math.cos(angle), math.sin(angle)
    # scale (squashed horizontally), rotate, then move the face centre to (x, y)
    linear = np.array([[cos, -sin], [sin, cos]]) @ np.diag([scale * face.squash, scale])
    offset = np.array([x, y]) - linear @ np.array([cx, cy])
    return np.hstack([linear, offset[:, None]])


def render(scene: Scene) -> Iterator[RenderedFrame]:
    background = classroom(scene.width, scene.height, scene.seed)
    size = (scene.width, scene.height)
    for index in range(scene.frames):
        pixels = background.copy()
        masks: dict[str, Mask] = {}
        for number, face in enumerate(scene.faces):
            if not face.visible(index):
                continue
            sprite = sprites()[face.sprite]
            matrix = _placement(face, sprite, index, scene.frames)
            head = cv2.warpAffine(sprite.pixels, matrix, size, flags=cv2.INTER_AREA)
            sprite_h, sprite_w = sprite.pixels.shape[:2]
            inside = cv2.warpAffine(np.full((sprite_h, sprite_w), 255, np.uint8), matrix, size)
            ellipse = np.zeros((sprite_h, sprite_w), np.uint8)
            cx, cy, sx, sy = sprite.face
            cv2.ellipse(
                ellipse, (round(cx), round(cy)), (round(sx), round(sy)), 0, 0, 360, (255,), -1
            )
            face_mask = cv2.warpAffine(ellipse, matrix, size) > 127
            pasted = inside > 127
            pixels[pasted] = head[pasted]
            if face.occluded > 0:
                # A hand or a book over the face's right side.
                ys, xs = np.nonzero(face_mask)
                if xs.size:
                    cut = xs.max() - (xs.max() - xs.min()) * face.occluded
                    cover = np.zeros_like(face_mask)
                    cover[ys.min() : ys.max() + 1, int(cut) : xs.max() + 4] = True
                    pixels[cover] = (70, 90, 160)
                    face_mask &= ~cover
            masks[face.label or f"face{number}"] = face_mask
        yield RenderedFrame(index, pixels, masks)


def write_video(scene: Scene, path: Path, ffmpeg: str = "ffmpeg") -> list[dict[str, Mask]]:
    """Encode ``scene`` as an H.264 MP4 (high quality); returns each frame's face masks."""
    command = [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{scene.width}x{scene.height}",
        "-r", str(scene.fps), "-i", "-",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p",
        "-g", str(scene.fps), "-movflags", "+faststart", str(path),
    ]  # fmt: skip
    truth: list[dict[str, Mask]] = []
    with subprocess.Popen(command, stdin=subprocess.PIPE) as encoder:
        assert encoder.stdin is not None
        for frame in render(scene):
            encoder.stdin.write(frame.pixels.tobytes())
            truth.append(frame.masks)
        encoder.stdin.close()
    if encoder.returncode != 0:
        raise RuntimeError(f"ffmpeg could not write {path}")
    return truth


def read_video(path: Path, width: int, height: int, ffmpeg: str = "ffmpeg") -> list[Image]:
    """Every frame of ``path`` as RGB, as a viewer's player would decode it."""
    command = [
        ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path),
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-",
    ]  # fmt: skip
    raw = subprocess.run(
        command,
        check=True,
        capture_output=True,
    ).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)
    return list(frames)


def luma(frame: Image) -> npt.NDArray[np.float32]:
    grey: npt.NDArray[np.float32] = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return grey


def detail(grey: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Local fine detail: how far each pixel stands from a lightly smoothed copy, averaged
    over its 5 x 5 neighbourhood. A blur wipes it out; codec noise barely touches it."""
    found: npt.NDArray[np.float32] = cv2.blur(
        np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 1.5)), (5, 5)
    )
    return found


def blurred_pixels(out: Image, reference: Image) -> tuple[Mask, Mask]:
    """(where ``reference`` has detail to hide, where ``out`` lost most of it there): a
    pixel is blurred when less than 35 % of the fine detail around it is left."""
    base = detail(luma(reference))
    informative = base > 3
    return informative, informative & (detail(luma(out)) < 0.35 * base)


def blurred_share(informative: Mask, blurred: Mask, mask: Mask) -> float:
    """The share of a face's informative pixels that are blurred (1.0: nothing to hide)."""
    target = mask & informative
    return float(blurred[target].mean()) if target.any() else 1.0
