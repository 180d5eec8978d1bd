"""From a source file on local disk to every output file, with no cloud calls.

Order: remux the top rendition first when the source is already web-ready (so
the video can play within seconds), then one ffmpeg pass for every encoded
rendition, then poster and storyboard from the finished renditions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chalicelib.config import Settings
from chalicelib.media import renditions as rendition_tools
from chalicelib.media.errors import MediaRejected
from chalicelib.media.examination import plan_for
from chalicelib.media.probe import CUT_OFF, NOT_A_VIDEO, MediaInfo, probe
from chalicelib.media.renditions import KEYFRAME_INTERVAL_S, Rendition, Trim
from chalicelib.media.thumbnails import Storyboard, make_poster, make_storyboard, storyboard_vtt

POSTER = "poster.jpg"
SPRITE = "storyboard.jpg"
VTT = "storyboard.vtt"

# A decode that ends this much short of the container's claimed duration means
# the file was cut off (e.g. an upload interrupted after the header was written).
_TRUNCATION_TOLERANCE = 0.9


@dataclass(frozen=True)
class ProducedRendition:
    rendition: Rendition
    path: Path


@dataclass(frozen=True)
class Outputs:
    renditions: list[ProducedRendition]
    poster: Path
    sprite: Path
    vtt: Path
    storyboard: Storyboard

    @property
    def files(self) -> list[Path]:
        return [*(r.path for r in self.renditions), self.poster, self.sprite, self.vtt]


def check_not_cut_off(output: Path, expected_s: float, settings: Settings) -> None:
    """MediaRejected(CUT_OFF) if ``output`` is well short of what its source's header claims."""
    produced = probe(output, settings)
    claimed = expected_s
    got = produced.duration_s or 0
    if claimed - got > 1.0 and got < claimed * _TRUNCATION_TOLERANCE:
        raise MediaRejected(CUT_OFF)


def produce(
    source: Path,
    info: MediaInfo,
    workdir: Path,
    settings: Settings,
    *,
    on_playable: Callable[[ProducedRendition], None],
    on_progress: Callable[[float], None],
    checkpoint: Callable[[], None],
    trim: Trim | None = None,
) -> Outputs:
    """``checkpoint`` raises if the job must stop (e.g. it lost its lease).

    With ``trim``, the outputs are the clip ``trim`` cuts from ``source``.
    """
    # The same decision `classreel probe` shows the teacher (chalicelib/media/plan.py).
    media_plan = plan_for(source, info, settings, allow_remux=trim is None).plan
    if not media_plan.accepted:
        raise MediaRejected(media_plan.reason or NOT_A_VIDEO)
    plan = list(media_plan.renditions)
    duration = trim.duration_s if trim else (info.duration_s or 0.0)
    produced: list[ProducedRendition] = []

    to_encode = [r for r in plan if not r.remux]
    if plan[0].remux:
        top = ProducedRendition(plan[0], workdir / plan[0].filename)
        rendition_tools.remux(source, top.path, info, settings, media_plan)
        check_not_cut_off(top.path, duration, settings)
        produced.append(top)
        checkpoint()
        on_playable(top)
    on_progress(0.1)

    if to_encode:
        outputs = [(r, workdir / r.filename) for r in to_encode]
        rendition_tools.encode(
            source,
            outputs,
            info,
            settings,
            on_progress=lambda f: on_progress(0.1 + 0.75 * f),
            trim=trim,
            media_plan=media_plan,
        )
        check_not_cut_off(outputs[0][1], duration, settings)
        produced += [ProducedRendition(r, path) for r, path in outputs]
        checkpoint()
    on_progress(0.87)

    top, smallest = produced[0], produced[-1]
    poster = workdir / POSTER
    make_poster(top.path, poster, duration, settings)
    sprite = workdir / SPRITE
    # Encoded renditions have a keyframe every KEYFRAME_INTERVAL_S; a remuxed
    # one keeps the phone's (often ~1 s), so either way the interval is a bound.
    board = make_storyboard(
        smallest.path,
        sprite,
        width=smallest.rendition.width,
        height=smallest.rendition.height,
        duration_s=duration,
        keyframe_interval_s=KEYFRAME_INTERVAL_S,
        settings=settings,
    )
    vtt = workdir / VTT
    vtt.write_text(storyboard_vtt(board, SPRITE, duration))
    checkpoint()
    on_progress(0.92)
    return Outputs(
        renditions=produced,
        poster=poster,
        sprite=sprite,
        vtt=vtt,
        storyboard=board,
    )
