"""Which renditions a source gets: named by their short side, never upscaled.

Renditions are named by their short side (720p, 360p) so portrait phone video
gets the same quality as landscape. Dimensions are even (H.264 4:2:0 needs
that) and in square pixels, upright.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LADDER = (720, 360)


@dataclass(frozen=True)
class Rendition:
    label: str  # "720p", "360p", or the source's own rung for smaller or remuxed sources
    width: int
    height: int
    rung: int  # rate-control rung used when encoding
    remux: bool = False

    @property
    def filename(self) -> str:
        return f"{self.label}.mp4"

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)


def _even(value: float) -> int:
    return max(2, math.floor(value / 2) * 2)


def _scaled(display_w: int, display_h: int, short_target: int) -> tuple[int, int]:
    short = min(display_w, display_h)
    factor = short_target / short
    if display_w <= display_h:
        return _even(short_target), _even(display_h * factor)
    return _even(display_w * factor), _even(short_target)


def ladder(display_w: int, display_h: int, *, remux_top: bool) -> list[Rendition]:
    """The renditions for a picture of this display size, top first.

    With ``remux_top`` the source itself (copied, not encoded) is the top rung.
    """
    short = min(display_w, display_h)
    renditions: list[Rendition] = []
    if remux_top:
        renditions.append(Rendition(f"{short}p", display_w, display_h, rung=720, remux=True))
    for target in LADDER:
        if renditions and renditions[-1].short_side <= target:
            continue
        if short >= target:
            w, h = _scaled(display_w, display_h, target)
            renditions.append(Rendition(f"{target}p", w, h, rung=target))
        elif not renditions:
            # A small source: one rendition at its own size (made even).
            w, h = _even(display_w), _even(display_h)
            renditions.append(Rendition(f"{min(w, h)}p", w, h, rung=target))
    return renditions
