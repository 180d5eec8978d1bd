"""One redaction job → one redacted rendition set of a clip (or a failure with a reason).

Runs in the redaction function's container image only (it imports the detector). The
job takes the redaction record under a lease for its run, reads the clip's own top
rendition (never the teacher's upload), finds and tracks faces (or reuses the tracks of
an earlier run: a change of kept faces or regions needs no new detection), resolves the
coach's clicks to tracks, blurs every other face and encodes the clip's ladder from the
redacted picture: MP4 renditions, poster, storyboard and HLS, under
``clips/{clip_id}/redacted/{run_id}/``. Only the run the record still asks for may publish.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from pynamodb.exceptions import UpdateError

from chalicelib.clips.models import ClipRecord, ClipStatus
from chalicelib.clips.redacted import (
    KeepPointAttr,
    RedactionJobAttr,
    RedactionRecord,
    RedactionStatus,
    detections_prefix,
    redacted_prefix,
)
from chalicelib.clips.worker import measured_duration, stream_renditions
from chalicelib.config import Settings
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.ingest.pipeline import produce
from chalicelib.ingest.worker import GAVE_UP, rendition_attr
from chalicelib.jobs.dispatch import enqueue
from chalicelib.jobs.lease import JobLease, LeaseLost
from chalicelib.jobs.retry import RetryLater
from chalicelib.jobs.workspace import attempt
from chalicelib.media.errors import MediaRejected
from chalicelib.media.probe import probe
from chalicelib.observability import logger
from chalicelib.redaction import rules
from chalicelib.redaction.rules import Box, Sighting, Track
from chalicelib.redaction.schemas import RedactionJobMessage
from chalicelib.redaction.vision.detectors import MediapipeDetector
from chalicelib.redaction.vision.redact import (
    Analysis,
    Detections,
    VideoShape,
    analyse,
    detect,
    render,
    track,
)
from chalicelib.storage import objects
from chalicelib.storage.keys import clip_media_prefix

CLIP_GONE = "The clip is no longer available, so it could not be redacted."
TRACKS_FILE = "tracks.json"


@dataclass(frozen=True)
class RedactionJob:
    clip_id: str
    run_id: str
    lease_s: int

    @property
    def lease(self) -> JobLease:
        return JobLease(
            RedactionRecord,
            RedactionRecord.key(self.clip_id),
            self.run_id,
            RedactionStatus.PROCESSING.value,
            self.lease_s,
        )


def tracks_to_json(analysis: Analysis) -> str:
    shape = analysis.shape
    return json.dumps(
        {
            "width": shape.width,
            "height": shape.height,
            "fps": shape.fps,
            "frames": shape.frames,
            "detect_every": analysis.detect_every,
            "tracks": [
                {
                    "id": t.track_id,
                    "sightings": [
                        [s.frame, s.box.x0, s.box.y0, s.box.x1, s.box.y1, s.score]
                        for s in t.sightings
                    ],
                }
                for t in analysis.tracks
            ],
        }
    )


def tracks_from_json(text: str) -> Analysis:
    data = json.loads(text)
    tracks = [
        Track(
            int(t["id"]),
            [Sighting(int(s[0]), Box(*map(float, s[1:5])), float(s[5])) for s in t["sightings"]],
        )
        for t in data["tracks"]
    ]
    shape = VideoShape(
        int(data["width"]), int(data["height"]), float(data["fps"]), int(data["frames"])
    )
    return Analysis(shape, tracks, int(data["detect_every"]))


def process_redaction(
    clip_id: str,
    run_id: str,
    *,
    last_attempt: bool,
    settings: Settings,
    segment: int | None = None,
    finish: bool = False,
) -> str:
    """One message of a run: the whole job, one span's detection, or a long run's finish."""
    record = RedactionRecord.load(clip_id)
    if record is None:
        return "gone"
    if record.run_id != run_id:
        return "superseded"  # a newer run (other kept faces or regions) was asked for
    if record.status_enum is not RedactionStatus.PROCESSING:
        return "duplicate"
    if segment is not None:
        return detect_segment(record, segment, last_attempt=last_attempt, settings=settings)
    if not finish and _fans_out(record, settings):
        return "planned"
    job = _claim(clip_id, run_id, settings)
    if job is None:
        return "superseded"
    try:
        _run(job, record, settings)
    except MediaRejected as rejected:
        _fail(job, rejected.reason)
        return "rejected"
    except LeaseLost:
        logger.warning("lost the redaction lease", extra={"clip_id": clip_id, "run": run_id})
        return "lease_lost"
    except Exception:
        with contextlib.suppress(LeaseLost):
            if last_attempt:
                _fail(job, GAVE_UP)
            else:
                job.lease.release()
        raise
    return "ready"


# --- segment-parallel detection of a long clip ------------------------------------------


def _top_rendition(clip_id: str, settings: Settings) -> tuple[ClipRecord, str]:
    clip = ClipRecord.load(clip_id)
    if clip is None or clip.status_enum is not ClipStatus.READY or not clip.renditions:
        raise MediaRejected(CLIP_GONE)
    top = clip.renditions[0].key
    if objects.head(settings.media_bucket, top, settings) is None:
        raise MediaRejected(CLIP_GONE)  # deleted meanwhile (retention, the recording)
    return clip, top


def _fans_out(record: RedactionRecord, settings: Settings) -> bool:
    """Plan a long clip's spans and send one message each (True), or leave the run to
    this message (False: a short clip, earlier tracks to reuse, or planned already)."""
    if record.segments is not None:
        return True  # planned by an earlier delivery: its spans are on their way
    if not record.segment_s or record.tracks_key:
        return False
    clip = ClipRecord.load(record.clip_id)
    duration = float(clip.duration_s or 0) if clip is not None else 0.0
    count = rules.segment_count(duration, float(record.segment_s))
    if count == 1:
        return False
    try:
        RedactionRecord.update_item(
            *RedactionRecord.key(record.clip_id),
            actions=[
                RedactionRecord.segments.set(count),
                RedactionRecord.updated_at.set(utcnow()),
            ],
            condition=(RedactionRecord.run_id == record.run_id)
            & RedactionRecord.segments.does_not_exist(),
        )
    except UpdateError as exc:
        if not is_conditional_check_failure(exc):
            raise
    for index in range(count):
        _send(record, settings, segment=index)
    logger.info("redaction fanned out", extra={"clip_id": record.clip_id, "spans": count})
    return True


def _send(record: RedactionRecord, settings: Settings, **task: Any) -> None:
    message = RedactionJobMessage(
        clip_id=record.clip_id, run_id=record.run_id, district=record.district, **task
    )
    enqueue("redaction", message, settings)


def detect_segment(
    record: RedactionRecord, segment: int, *, last_attempt: bool, settings: Settings
) -> str:
    """Detect one span of a long clip; the span that completes the set sends the finish."""
    if record.detected and segment in record.detected:
        return "duplicate"
    planned = int(record.segments or 0)
    if segment >= planned:
        return "superseded"
    try:
        found = _detect_span(record, segment, planned, settings)
    except MediaRejected as rejected:
        _fail_run(record, rejected.reason)
        return "rejected"
    except Exception:
        if last_attempt:
            _fail_run(record, GAVE_UP)
        raise
    key = detections_prefix(clip_media_prefix(record.clip_id), record.run_id) + f"{segment}.json"
    objects.put_bytes(
        settings.media_bucket, key, json.dumps(found).encode(), "application/json", settings
    )
    try:
        updated = RedactionRecord.update_item(
            *RedactionRecord.key(record.clip_id),
            actions=[RedactionRecord.detected.add({segment})],
            condition=(RedactionRecord.run_id == record.run_id)
            & (RedactionRecord.status == RedactionStatus.PROCESSING.value),
        )
    except UpdateError as exc:
        if is_conditional_check_failure(exc):
            # A second delivery of this span, finishing after the run published (which
            # swept the detections) or failed: what it just wrote is nobody's.
            objects.delete_prefix(settings.media_bucket, key, settings)
            return "superseded"
        raise
    done = set(updated.detected or ())
    with contextlib.suppress(UpdateError):
        RedactionRecord.update_item(
            *RedactionRecord.key(record.clip_id),
            actions=[RedactionRecord.progress.set(round(0.6 * len(done) / planned, 3))],
            condition=(RedactionRecord.run_id == record.run_id)
            & (RedactionRecord.status == RedactionStatus.PROCESSING.value),
        )
    if len(done) == planned:
        # The fan-in: whoever completes the set sends the finish (a second one finds the
        # run taken or ready and does nothing).
        _send(record, settings, finish=True)
    return "detected"


def _detect_span(
    record: RedactionRecord, segment: int, planned: int, settings: Settings
) -> list[list[Any]]:
    _, top = _top_rendition(record.clip_id, settings)
    with attempt(
        settings,
        parent_prefix=detections_prefix(clip_media_prefix(record.clip_id), record.run_id),
        job_id=f"span-{segment}",
    ) as run:
        source = run.workdir / "clip.mp4"
        objects.download(settings.media_bucket, top, source, settings, None)
        shape = _shape(source, settings)
        spans = rules.plan_segments(shape.frames, planned)
        if segment >= len(spans):
            raise MediaRejected(CLIP_GONE)  # fewer frames than spans: not this clip
        detector = MediapipeDetector(tile_px=settings.redaction_tile_px)
        try:
            found = detect(source, shape, detector, settings, span=spans[segment])
        finally:
            detector.close()
        run.published = True  # nothing of the attempt's prefix is kept either way
    return [
        [index, [[b.x0, b.y0, b.x1, b.y1, score] for b, score in faces]] for index, faces in found
    ]


def _span_detections(record: RedactionRecord, settings: Settings) -> Detections:
    """Every span's detections of the run, read back for tracking over the whole clip."""
    prefix = detections_prefix(clip_media_prefix(record.clip_id), record.run_id)
    found: Detections = []
    for segment in range(int(record.segments or 0)):
        text = objects.read_bytes(settings.media_bucket, f"{prefix}{segment}.json", settings)
        for index, faces in json.loads(text):
            found.append((int(index), [(Box(*map(float, f[:4])), float(f[4])) for f in faces]))
    return found


def _fail_run(record: RedactionRecord, reason: str) -> None:
    """A span that cannot be detected fails its run (no lease: spans run side by side)."""
    with contextlib.suppress(UpdateError):
        RedactionRecord.update_item(
            *RedactionRecord.key(record.clip_id),
            actions=[
                RedactionRecord.status.set(RedactionStatus.FAILED.value),
                RedactionRecord.failure_reason.set(reason),
                RedactionRecord.updated_at.set(utcnow()),
            ],
            condition=(RedactionRecord.run_id == record.run_id)
            & (RedactionRecord.status == RedactionStatus.PROCESSING.value),
        )


def _claim(clip_id: str, run_id: str, settings: Settings) -> RedactionJob | None:
    """Take the record for this run (a live lease of another delivery: retry later)."""
    now = utcnow()
    job = RedactionJob(clip_id, run_id, settings.ingest_lease_s)
    free = RedactionRecord.job.does_not_exist() | (
        cast("Any", RedactionRecord.job).lease_until < now
    )
    try:
        RedactionRecord.update_item(
            *RedactionRecord.key(clip_id),
            actions=[
                RedactionRecord.job.set(
                    RedactionJobAttr(
                        job_id=run_id,
                        lease_until=now + timedelta(seconds=job.lease_s),
                        attempts=1,
                        started_at=now,
                    )
                ),
                RedactionRecord.updated_at.set(now),
            ],
            condition=(RedactionRecord.run_id == run_id)
            & (RedactionRecord.status == RedactionStatus.PROCESSING.value)
            & free,
        )
    except UpdateError as exc:
        if not is_conditional_check_failure(exc):
            raise
        current = RedactionRecord.load(clip_id)
        if current is None or current.run_id != run_id:
            return None
        if current.status_enum is not RedactionStatus.PROCESSING:
            return None
        raise RetryLater(30) from exc
    return job


def _fail(job: RedactionJob, reason: str) -> None:
    job.lease.update(
        [
            RedactionRecord.status.set(RedactionStatus.FAILED.value),
            RedactionRecord.failure_reason.set(reason),
        ]
    )


def _shape(source: Path, settings: Settings) -> VideoShape:
    video = probe(source, settings).require_video()
    fps = float(video.avg_frame_rate or 30)
    frames = video.frame_count or round(fps * (video.duration_s or 0))
    return VideoShape(video.width, video.height, fps, frames)


def _run(job: RedactionJob, record: RedactionRecord, settings: Settings) -> None:
    # The clip's own top rendition: the redaction never reads the teacher's upload.
    _, top = _top_rendition(job.clip_id, settings)
    parent = redacted_prefix(clip_media_prefix(job.clip_id))
    with (
        attempt(settings, parent_prefix=parent, job_id=job.run_id) as run,
        job.lease.heartbeat() as heartbeat,
    ):
        source = run.workdir / "clip.mp4"
        objects.download(settings.media_bucket, top, source, settings, None)
        shape = _shape(source, settings)
        analysis = _reuse_tracks(record, shape, settings)
        if analysis is None and record.segments:
            # A long clip: its spans were detected side by side; track the whole clip.
            analysis = track(shape, _span_detections(record, settings))
        if analysis is None:
            detector = MediapipeDetector(tile_px=settings.redaction_tile_px)
            try:
                analysis = analyse(
                    source,
                    shape,
                    detector,
                    settings,
                    detect_every=settings.redaction_detect_every,
                    on_progress=lambda p: heartbeat.report(0.6 * p),
                )
            finally:
                detector.close()
        heartbeat.check()
        tracks_path = run.workdir / TRACKS_FILE
        tracks_path.write_text(tracks_to_json(analysis))
        objects.upload(
            tracks_path,
            settings.media_bucket,
            run.prefix + TRACKS_FILE,
            "application/json",
            settings,
        )
        keep, points = _resolve_keep(record, analysis)
        edits = [
            rules.RegionEdit(
                r.action, float(r.from_s), float(r.to_s),
                Box(float(r.x0), float(r.y0), float(r.x1), float(r.y1)),
            )
            for r in record.regions
        ]  # fmt: skip
        redacted = run.workdir / "redacted.mp4"
        render(source, redacted, analysis, settings, keep=keep, edits=edits)
        heartbeat.check()
        info = probe(redacted, settings)
        ladder = run.workdir / "ladder"
        ladder.mkdir()
        outputs = produce(
            redacted,
            info,
            ladder,
            settings,
            on_playable=lambda _: None,
            on_progress=lambda p: heartbeat.report(0.8 + 0.15 * p),
            checkpoint=heartbeat.check,
        )
        for path in outputs.files:
            run.upload(path, settings)
        master = stream_renditions(
            outputs, run.workdir, run.prefix, measured_duration(info), settings
        )
        unsure = rules.unsure_frames(analysis.tracks, settings.redaction_review_frames, keep)
        job.lease.update(
            [
                RedactionRecord.status.set(RedactionStatus.READY.value),
                RedactionRecord.progress.set(1),
                RedactionRecord.failure_reason.remove(),
                RedactionRecord.ready_run_id.set(job.run_id),
                RedactionRecord.tracks_key.set(run.prefix + TRACKS_FILE),
                RedactionRecord.faces_found.set(len(analysis.tracks)),
                RedactionRecord.faces_kept.set(len(keep)),
                RedactionRecord.keep.set(points),
                RedactionRecord.unsure_at_s.set([round(f / shape.fps, 3) for f in unsure]),
                RedactionRecord.fps.set(shape.fps),
                RedactionRecord.renditions.set(
                    [rendition_attr(r, run.prefix) for r in outputs.renditions]
                ),
                RedactionRecord.hls_master_key.set(master),
                RedactionRecord.poster_key.set(run.prefix + outputs.poster.name),
            ]
        )
        run.published = True
    logger.info("clip redacted", extra={"clip_id": job.clip_id, "run": job.run_id})


def _reuse_tracks(
    record: RedactionRecord, shape: VideoShape, settings: Settings
) -> Analysis | None:
    """The tracks an earlier run found on this clip (the same picture), if still stored."""
    if not record.tracks_key:
        return None
    if objects.head(settings.media_bucket, record.tracks_key, settings) is None:
        return None
    text = objects.read_bytes(settings.media_bucket, record.tracks_key, settings).decode()
    analysis = tracks_from_json(text)
    return analysis if analysis.shape == shape else None


def _resolve_keep(
    record: RedactionRecord, analysis: Analysis
) -> tuple[frozenset[int], list[KeepPointAttr]]:
    """Each click's track (the face it landed on in that frame); the track carries it."""
    shape = analysis.shape
    keep: set[int] = set()
    points = []
    for point in record.keep:
        frame = min(shape.frames - 1, max(0, round(float(point.at_s) * shape.fps)))
        track = rules.track_at_point(
            analysis.tracks, frame, float(point.x) * shape.width, float(point.y) * shape.height
        )
        point.track_id = track.track_id if track else None
        if track is not None:
            keep.add(track.track_id)
        points.append(point)
    return frozenset(keep), points
