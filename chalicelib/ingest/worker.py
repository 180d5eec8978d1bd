"""One landed upload → a planned lesson (or a failed video). Safe to run twice, or at once.

The job examines the upload and fans its lesson out as segment tasks
(chalicelib/ingest/lesson.py), which carry the video to ``playable`` and
``ready``. Every outcome is one of:
- done: the lesson planned and its tasks sent, or the record marked ``failed``
  with a reason for the teacher (the file is the problem);
- skipped: a duplicate delivery, or an object we never asked for;
- ``RetryLater``: another job holds this video right now;
- an exception: our side failed; SQS redelivers, and on the last attempt the
  video is marked failed before the message goes to the dead-letter queue.
"""

from __future__ import annotations

import contextlib

from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.ingest import claims, landing, planning
from chalicelib.ingest.claims import Decision, Job
from chalicelib.ingest.events import ObjectCreated
from chalicelib.ingest.pipeline import ProducedRendition
from chalicelib.jobs.lease import LeaseLost
from chalicelib.jobs.retry import RetryLater
from chalicelib.jobs.workspace import attempt
from chalicelib.media.errors import MediaRejected
from chalicelib.media.examination import examine
from chalicelib.media.probe import NOT_A_VIDEO, validate
from chalicelib.observability import logger
from chalicelib.storage import objects
from chalicelib.storage.keys import parse_raw_key, video_media_prefix
from chalicelib.videos.models import FailureKind, RenditionAttr, VideoRecord

GAVE_UP = (
    "We couldn't finish processing this video after several tries. Our team has been "
    "alerted; there is no need to upload it again."
)


def process_upload(created: ObjectCreated, *, last_attempt: bool, settings: Settings) -> str:
    """Handle one S3 ObjectCreated. Returns a short outcome word for logs and tests."""
    raw = parse_raw_key(created.key)
    if raw is None:
        logger.warning("ignoring an object outside the raw/ layout", extra={"key": created.key})
        return "ignored"
    head = landing.locate(created, settings)
    if head is None:
        return "gone"
    video = VideoRecord.load(raw.video_id)
    if video is None or video.district != raw.district:
        # Keys are only ever issued for existing videos: this one was deleted,
        # or the key was never ours. Either way the bytes must not linger.
        objects.delete_version(created.bucket, created.key, head.version_id, settings)
        logger.warning("deleted an upload with no video record", extra={"key": created.key})
        return "orphan"

    fingerprint = landing.fingerprint(created, head)
    decision, job, video = claims.claim(raw.video_id, fingerprint, head, settings)
    if decision is Decision.DUPLICATE:
        return "duplicate"
    if decision is Decision.BUSY:
        retry_in = 30
        if video is not None and video.job is not None:
            remaining = (video.job.lease_until - utcnow()).total_seconds()
            retry_in = int(max(5, min(remaining + 5, 900)))
        raise RetryLater(retry_in)
    if decision is Decision.SECOND_UPLOAD:
        # A presigned URL used twice: keep the first upload, drop this one.
        objects.delete_version(created.bucket, created.key, head.version_id, settings)
        logger.warning("refused a second upload for a video", extra={"video_id": raw.video_id})
        return "refused_second_upload"
    if job is None or video is None:
        raise RuntimeError("a claim always carries its job and video")

    reason = landing.refusal(video, head, settings)
    if reason is not None:
        claims.fail(job, video, reason, FailureKind.REJECTED)
        objects.delete_version(created.bucket, created.key, head.version_id, settings)
        return "rejected"

    try:
        _run_job(job, created, head.version_id, settings)
    except MediaRejected as rejected:
        claims.fail(job, video, rejected.reason, FailureKind.REJECTED)
        return "rejected"
    except LeaseLost:
        logger.warning("lost the lease; another job owns the video now", extra={"job": job.job_id})
        return "lease_lost"
    except Exception:
        with contextlib.suppress(LeaseLost):
            if last_attempt:
                claims.fail(job, video, GAVE_UP, FailureKind.ERROR)
            else:
                # Free the video now so the retry need not wait out our lease.
                claims.release(job)
        raise
    return "planned"


def _run_job(job: Job, created: ObjectCreated, version_id: str | None, settings: Settings) -> None:
    """Examine the upload and fan its lesson out as segment tasks (chalicelib/ingest/lesson.py)."""
    with (
        attempt(settings, parent_prefix=video_media_prefix(job.video_id), job_id=job.job_id) as run,
        claims.heartbeat(job) as heartbeat,
    ):
        # Probed where it lies (ranged reads): no lesson is downloaded whole, whatever its size.
        source = landing.remote_source(
            created.bucket, created.key, version_id, settings, read_for_s=settings.worker_timeout_s
        )
        exam = examine(source, settings)
        heartbeat.check()
        validate(exam.info, settings)
        if not exam.plan.accepted:
            raise MediaRejected(exam.plan.reason or NOT_A_VIDEO)
        planning.plan_and_fan_out(job, exam, heartbeat, settings)
        run.published = True  # the plan (its document) stays for its tasks
    # The tasks carry the video from here; a duplicate upload event finds it planned.
    claims.release(job)


def rendition_attr(produced: ProducedRendition, prefix: str) -> RenditionAttr:
    return RenditionAttr(
        label=produced.rendition.label,
        width=produced.rendition.width,
        height=produced.rendition.height,
        key=prefix + produced.path.name,
        size_bytes=produced.path.stat().st_size,
        remux=produced.rendition.remux,
    )
