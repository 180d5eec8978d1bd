"""Redaction's pure rules: tracks from detections, what to blur in each frame, whose face stays.

No numpy, no table, no clock: the worker (chalicelib/redaction/worker.py) and the API both
use these, and tests/unit/redaction covers them. Boxes are in frame pixels here; the
records keep them relative to the frame (0..1) so they apply to every rendition.

Frame accuracy comes from three rules, because a detector misses faces in single frames
(a turn, a hand, motion blur) and a face visible for one frame is a leak:

- *track and interpolate*: detections are joined into tracks by overlap; between two
  sightings of a track its box is interpolated, so every frame in between is blurred;
- *blur through short misses*: a track survives up to ``MAX_GAP_S`` without a sighting,
  and its blur starts ``LEAD_S`` before its first and lasts ``TAIL_S`` after its last
  sighting (the job has the whole clip, so it can look backwards);
- *pad boxes*: every box grows by ``BOX_PADDING`` of its width on each side and
  ``BOX_PADDING_Y`` of its height above and below (the detector's boxes are square and
  tight: forehead, chin and hair stick out), and more the longer it was not seen (motion).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

BOX_PADDING = 0.25
BOX_PADDING_Y = 0.45
# Extra padding per frame since the nearest sighting (share of the box size).
GAP_PADDING_PER_FRAME = 0.04
# Each frame's box covers its track's boxes this many frames either side.
JITTER_FRAMES = 2
MAX_GAP_S = 1.0
LEAD_S = 0.3
TAIL_S = 0.3
# A detection joins the track whose last box it overlaps this much (IoU), or whose
# centre is within this share of the box size.
MATCH_IOU = 0.2
MATCH_CENTRE = 0.6
# Sightings scored below this are "unsure" and shown to the reviewer first.
UNSURE_SCORE = 0.6


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return max(0.0, self.x1 - self.x0)

    @property
    def height(self) -> float:
        return max(0.0, self.y1 - self.y0)

    @property
    def area(self) -> float:
        return self.width * self.height

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def iou(self, other: Box) -> float:
        ix = max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0))
        iy = max(0.0, min(self.y1, other.y1) - max(self.y0, other.y0))
        inter = ix * iy
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def union(self, other: Box) -> Box:
        return Box(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    def contains(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def padded(self, share: float, share_y: float | None = None) -> Box:
        dx = self.width * share
        dy = self.height * (share if share_y is None else share_y)
        return Box(self.x0 - dx, self.y0 - dy, self.x1 + dx, self.y1 + dy)

    def clipped(self, width: float, height: float) -> Box:
        return Box(max(0.0, self.x0), max(0.0, self.y0), min(width, self.x1), min(height, self.y1))

    def scaled(self, sx: float, sy: float) -> Box:
        return Box(self.x0 * sx, self.y0 * sy, self.x1 * sx, self.y1 * sy)


def lerp(a: Box, b: Box, t: float) -> Box:
    return Box(
        a.x0 + (b.x0 - a.x0) * t,
        a.y0 + (b.y0 - a.y0) * t,
        a.x1 + (b.x1 - a.x1) * t,
        a.y1 + (b.y1 - a.y1) * t,
    )


@dataclass(frozen=True)
class Sighting:
    frame: int
    box: Box
    score: float


@dataclass
class Track:
    track_id: int
    sightings: list[Sighting] = field(default_factory=list)

    @property
    def first(self) -> int:
        return self.sightings[0].frame

    @property
    def last(self) -> int:
        return self.sightings[-1].frame

    def box_at(self, frame: int) -> tuple[Box, int] | None:
        """The track's box at ``frame`` (interpolated between sightings, held before the
        first and after the last), with the distance in frames to the nearest sighting."""
        sightings = self.sightings
        if frame <= sightings[0].frame:
            return sightings[0].box, sightings[0].frame - frame
        if frame >= sightings[-1].frame:
            return sightings[-1].box, frame - sightings[-1].frame
        low, high = 0, len(sightings) - 1
        while high - low > 1:
            middle = (low + high) // 2
            if sightings[middle].frame <= frame:
                low = middle
            else:
                high = middle
        before, after = sightings[low], sightings[high]
        span = after.frame - before.frame
        t = (frame - before.frame) / span
        return lerp(before.box, after.box, t), min(frame - before.frame, after.frame - frame)


def _matches(track_box: Box, box: Box) -> float:
    """How well ``box`` continues a track last seen at ``track_box`` (0: not at all)."""
    iou = track_box.iou(box)
    if iou >= MATCH_IOU:
        return 1.0 + iou
    (tx, ty), (bx, by) = track_box.centre, box.centre
    size = max(track_box.width, track_box.height, box.width, box.height, 1.0)
    distance = ((tx - bx) ** 2 + (ty - by) ** 2) ** 0.5 / size
    return 1.0 - distance if distance <= MATCH_CENTRE else 0.0


def build_tracks(
    detections: Iterable[tuple[int, Sequence[tuple[Box, float]]]], max_gap_frames: int
) -> list[Track]:
    """Join per-frame detections (frame, [(box, score)]) into tracks, greedily by match."""
    tracks: list[Track] = []
    open_tracks: list[Track] = []
    for frame, found in detections:
        open_tracks = [t for t in open_tracks if frame - t.last <= max_gap_frames]
        pairs = sorted(
            (
                (_matches(track.sightings[-1].box, box), index, track)
                for index, (box, _) in enumerate(found)
                for track in open_tracks
            ),
            key=lambda p: p[0],
            reverse=True,
        )
        used_tracks: set[int] = set()
        used_boxes: set[int] = set()
        for quality, index, track in pairs:
            if quality <= 0 or index in used_boxes or track.track_id in used_tracks:
                continue
            box, score = found[index]
            track.sightings.append(Sighting(frame, box, score))
            used_tracks.add(track.track_id)
            used_boxes.add(index)
        for index, (box, score) in enumerate(found):
            if index not in used_boxes:
                track = Track(len(tracks) + 1, [Sighting(frame, box, score)])
                tracks.append(track)
                open_tracks.append(track)
    return tracks


@dataclass(frozen=True)
class Timing:
    """Frame-count versions of the time rules, for one clip's frame rate."""

    fps: float
    max_gap_frames: int
    lead_frames: int
    tail_frames: int

    @classmethod
    def at(cls, fps: float) -> Timing:
        return cls(
            fps=fps,
            max_gap_frames=max(1, round(MAX_GAP_S * fps)),
            lead_frames=max(1, round(LEAD_S * fps)),
            tail_frames=max(1, round(TAIL_S * fps)),
        )


def blur_boxes(
    tracks: Sequence[Track],
    frame: int,
    timing: Timing,
    *,
    keep: frozenset[int] = frozenset(),
) -> list[Box]:
    """Every box to blur in ``frame``: each track but the kept ones, padded."""
    boxes = []
    for track in tracks:
        if track.track_id in keep:
            continue
        if not (track.first - timing.lead_frames <= frame <= track.last + timing.tail_frames):
            continue
        placed = track.box_at(frame)
        if placed is None:
            continue
        box, distance = placed
        # The union with the neighbouring frames' boxes: a box that jitters (a profile,
        # a turning head) never uncovers an edge of the face for a frame.
        for near in range(frame - JITTER_FRAMES, frame + JITTER_FRAMES + 1):
            other = track.box_at(near)
            if other is not None:
                box = box.union(other[0])
        grow = GAP_PADDING_PER_FRAME * distance
        boxes.append(box.padded(BOX_PADDING + grow, BOX_PADDING_Y + grow))
    return boxes


def track_at_point(tracks: Sequence[Track], frame: int, x: float, y: float) -> Track | None:
    """The face a click at (x, y) in ``frame`` meant: the track whose box (padded) holds
    the point there, the nearest centre if several do."""
    best: tuple[float, Track] | None = None
    for track in tracks:
        if not track.first <= frame <= track.last:
            continue
        placed = track.box_at(frame)
        if placed is None:
            continue
        box = placed[0].padded(BOX_PADDING, BOX_PADDING_Y)
        if not box.contains(x, y):
            continue
        cx, cy = box.centre
        distance = (cx - x) ** 2 + (cy - y) ** 2
        if best is None or distance < best[0]:
            best = (distance, track)
    return best[1] if best else None


def unsure_frames(tracks: Sequence[Track], limit: int, keep: frozenset[int]) -> list[int]:
    """Frames the reviewer should look at first: where a blurred face was seen least surely
    (low score) or not seen at all (gaps filled by interpolation), worst first."""
    scored: dict[int, float] = {}
    for track in tracks:
        if track.track_id in keep:
            continue
        for sighting in track.sightings:
            if sighting.score < UNSURE_SCORE:
                scored[sighting.frame] = min(scored.get(sighting.frame, 1.0), sighting.score)
        for before, after in zip(track.sightings, track.sightings[1:], strict=False):
            if after.frame - before.frame > 1:
                middle = (before.frame + after.frame) // 2
                scored[middle] = min(scored.get(middle, 1.0), 0.0)
        scored.setdefault(track.first, 0.5)
    ordered = sorted(scored, key=lambda f: (scored[f], f))
    return sorted(ordered[:limit])


@dataclass(frozen=True)
class RegionEdit:
    """A reviewer's correction over a time span: blur a region the detector missed
    (``add``), or stop blurring something that is not a face (``remove``). The box is
    relative to the frame (0..1)."""

    action: str  # "add" | "remove"
    from_s: float
    to_s: float
    box: Box


ADD = "add"
REMOVE = "remove"


def edits_at(
    edits: Sequence[RegionEdit], at_s: float, width: float, height: float
) -> list[tuple[str, Box]]:
    """The edits that hold at ``at_s``, in frame pixels."""
    return [
        (edit.action, edit.box.scaled(width, height))
        for edit in edits
        if edit.from_s <= at_s <= edit.to_s
    ]


def apply_edits(boxes: Sequence[Box], edits: Sequence[tuple[str, Box]]) -> list[Box]:
    """The detector's boxes with the reviewer's removals taken out and additions put in.

    A removal drops each box whose centre lies in it; an addition is blurred as drawn
    (the reviewer drew it around the face, so it gets no extra padding)."""
    removals = [box for action, box in edits if action == REMOVE]
    kept = [b for b in boxes if not any(r.contains(*b.centre) for r in removals)]
    return kept + [box for action, box in edits if action == ADD]


def segment_count(duration_s: float, segment_s: float) -> int:
    """How many spans of about ``segment_s`` a long clip is detected in, side by side
    (1: the job does it all)."""
    if segment_s <= 0 or duration_s <= segment_s:
        return 1
    return -(-int(duration_s * 1000) // int(segment_s * 1000))


def plan_segments(frames: int, count: int) -> list[tuple[int, int]]:
    """The clip's frames as ``count`` (first frame, frame count) spans of nearly equal
    length: together they cover every frame exactly once, whoever computes them from
    the same file."""
    count = max(1, min(count, frames or 1))
    size = -(-frames // count)
    return [(first, min(size, frames - first)) for first in range(0, frames, size)] or [(0, 0)]
