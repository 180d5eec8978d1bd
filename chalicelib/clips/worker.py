"""One clip job → one ready (or failed) clip. Safe to run twice, or at once.

The job takes the clip under a lease (a conditional write), cuts the span from
the original upload (falling back to the top rendition when the original is
gone), encodes the clip's own renditions, poster and storyboard under a
per-attempt prefix, and flips the clip to ``ready`` only while it still holds
the lease. Duplicates of a finished job are no-ops.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from pynamodb.exceptions import UpdateError

from chalicelib.clips.models import ClipJobAttr, ClipRecord, ClipStatus
from chalicelib.config import Settings
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.events.models import DomainEvent
from chalicelib.ingest import layout as files
from chalicelib.ingest import publishing
from chalicelib.ingest.pipeline import Outputs, produce
from chalicelib.ingest.worker import GAVE_UP, rendition_attr
from chalicelib.jobs.lease import JobLease, LeaseLost
from chalicelib.jobs.retry import RetryLater
from chalicelib.jobs.workspace import attempt
from chalicelib.media import hls, segments
from chalicelib.media.errors import MediaRejected
from chalicelib.media.probe import MediaInfo, probe
from chalicelib.media.renditions import Trim
from chalicelib.observability import logger
from chalicelib.storage import objects
from chalicelib.storage.keys import clip_media_prefix, raw_source_key
from chalicelib.videos.models import MASTER_PLAYLIST, VideoRecord

SOURCE_GONE = (
    "The recording this clip comes from is no longer available, so the clip could not be cut."
)


@dataclass(frozen=True)
class ClipJob:
    clip_id: str
    job_id: str
    lease_s: int

    @property
    def lease(self) -> JobLease:
        return JobLease(
            ClipRecord,
            ClipRecord.key(self.clip_id),
            self.job_id,
            ClipStatus.PROCESSING.value,
            self.lease_s,
        )


def _claim(clip_id: str, settings: Settings) -> tuple[str, ClipJob | None]:
    now = utcnow()
    job = ClipJob(clip_id, uuid.uuid4().hex[:16], settings.ingest_lease_s)
    free = ClipRecord.job.does_not_exist() | (cast("Any", ClipRecord.job).lease_until < now)
    try:
        ClipRecord.update_item(
            *ClipRecord.key(clip_id),
            actions=[
                ClipRecord.job.set(
                    ClipJobAttr(
                        job_id=job.job_id,
                        lease_until=now + timedelta(seconds=settings.ingest_lease_s),
                        attempts=1,
                        started_at=now,
                    )
                ),
                ClipRecord.updated_at.set(now),
            ],
            condition=ClipRecord.pk.exists()
            & (ClipRecord.status == ClipStatus.PROCESSING.value)
            & free,
        )
    except UpdateError as exc:
        if not is_conditional_check_failure(exc):
            raise
        clip = ClipRecord.load(clip_id)
        if clip is None:
            return "gone", None
        if clip.status_enum is not ClipStatus.PROCESSING:
            return "duplicate", None
        remaining = 30.0
        if clip.job is not None:
            remaining = (clip.job.lease_until - utcnow()).total_seconds()
        raise RetryLater(int(max(5, min(remaining + 5, 900)))) from exc
    return "claimed", job


def process_clip(clip_id: str, *, last_attempt: bool, settings: Settings) -> str:
    """Handle one clip job message. Returns a short outcome word for logs and tests."""
    outcome, job = _claim(clip_id, settings)
    if job is None:
        return outcome
    clip = ClipRecord.load(clip_id)
    if clip is None:
        return "gone"
    try:
        _run(job, clip, settings)
    except MediaRejected as rejected:
        _fail(job, rejected.reason)
        return "rejected"
    except LeaseLost:
        logger.warning("lost the clip lease", extra={"job": job.job_id})
        return "lease_lost"
    except Exception:
        with contextlib.suppress(LeaseLost):
            if last_attempt:
                _fail(job, GAVE_UP)
            else:
                job.lease.release()
        raise
    return "ready"


def _fail(job: ClipJob, reason: str) -> None:
    logger.info("clip failed", extra={"clip_id": job.clip_id, "reason": reason})
    job.lease.update(
        [ClipRecord.status.set(ClipStatus.FAILED.value), ClipRecord.failure_reason.set(reason)]
    )


def _fetch_source(clip: ClipRecord, target: Path, settings: Settings) -> None:
    """The original upload (best quality); the top rendition if retention removed it."""
    video = VideoRecord.load(clip.video_id)
    if video is None:
        raise MediaRejected(SOURCE_GONE)
    raw_key = raw_source_key(video.district, video.video_id)
    version = video.source.version_id if video.source is not None else None
    if objects.head(settings.uploads_bucket, raw_key, settings, version) is not None:
        objects.download(settings.uploads_bucket, raw_key, target, settings, version)
        return
    if video.renditions:
        top = video.renditions[0].key
        if objects.head(settings.media_bucket, top, settings) is not None:
            objects.download(settings.media_bucket, top, target, settings, None)
            return
    raise MediaRejected(SOURCE_GONE)


def _run(job: ClipJob, clip: ClipRecord, settings: Settings) -> None:
    with (
        attempt(settings, parent_prefix=clip_media_prefix(job.clip_id), job_id=job.job_id) as run,
        job.lease.heartbeat() as heartbeat,
    ):
        source = run.workdir / "source"
        _fetch_source(clip, source, settings)
        heartbeat.check()
        info = probe(source, settings)
        trim = Trim(float(clip.start_s), clip.requested_duration_s)
        outputs = produce(
            source,
            info,
            run.workdir,
            settings,
            on_playable=lambda _: None,
            on_progress=heartbeat.report,
            checkpoint=heartbeat.check,
            trim=trim,
        )
        for path in outputs.files:
            run.upload(path, settings)
        heartbeat.check()
        master = stream_renditions(outputs, run.workdir, run.prefix, trim.duration_s, settings)
        heartbeat.check()
        _publish(job, clip, outputs, run.prefix, master, settings)
        run.published = True


def stream_renditions(
    outputs: Outputs, workdir: Path, prefix: str, duration_s: float, settings: Settings
) -> str:
    """The clip's renditions as HLS (streams copied), so it plays as lessons do; the master key."""
    variants = []
    for produced in outputs.renditions:
        folder = workdir / "hls" / produced.rendition.label
        segments.package_rendition(produced.path, folder, duration_s, settings)
        init = (folder / segments.AUDIO_INIT).read_bytes()
        for path in sorted(folder.iterdir()):
            kind = _HLS_TYPES[path.suffix]
            objects.upload(
                path,
                settings.media_bucket,
                f"{prefix}hls/{folder.name}/{path.name}",
                kind,
                settings,
            )
        made = probe(produced.path, settings)
        audio = ",mp4a.40.2" if made.audio is not None else ""
        variants.append(
            hls.Variant(
                uri=f"{folder.name}/{segments.AUDIO_PLAYLIST}",
                width=produced.rendition.width,
                height=produced.rendition.height,
                bandwidth=publishing.bandwidth(produced.rendition) + 128_000,
                codecs=hls.codecs(init) + audio,
                frame_rate=float(made.fps or 0),
            )
        )
    key = f"{prefix}hls/{MASTER_PLAYLIST}"
    objects.put_text(
        settings.media_bucket,
        key,
        hls.master_playlist(variants, None),
        files.PLAYLIST_TYPE,
        settings,
        cache_control=objects.IMMUTABLE,
    )
    return key


_HLS_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
}


def measured_duration(info: MediaInfo) -> float:
    """The video track's length (frames / rate); the container's includes audio padding."""
    video = info.require_video()
    if video.frame_count and video.avg_frame_rate:
        return round(video.frame_count / float(video.avg_frame_rate), 3)
    return round(info.duration_s or 0.0, 3)


def _publish(
    job: ClipJob, clip: ClipRecord, outputs: Outputs, prefix: str, master: str, settings: Settings
) -> None:
    top = outputs.renditions[0]
    info = probe(top.path, settings)
    job.lease.update_announcing(
        [
            ClipRecord.status.set(ClipStatus.READY.value),
            ClipRecord.progress.set(1),
            ClipRecord.duration_s.set(measured_duration(info)),
            ClipRecord.width.set(top.rendition.width),
            ClipRecord.height.set(top.rendition.height),
            ClipRecord.renditions.set([rendition_attr(r, prefix) for r in outputs.renditions]),
            ClipRecord.poster_key.set(prefix + outputs.poster.name),
            ClipRecord.storyboard_key.set(prefix + outputs.sprite.name),
            ClipRecord.storyboard_vtt_key.set(prefix + outputs.vtt.name),
            ClipRecord.hls_master_key.set(master),
        ],
        DomainEvent(
            "clip.ready",
            clip.district,
            {"clip_id": job.clip_id, "video_id": clip.video_id},
        ),
    )
    logger.info("clip ready", extra={"clip_id": job.clip_id, "job": job.job_id})
