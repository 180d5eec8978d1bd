"""What the pipeline tells the district (webhooks, and later notifications) about a video,
and the figures it reports: always written with the change it announces (the outbox).

``video.playable`` (the start of the lesson can be watched), ``video.ready``
(everything is), ``video.failed`` (with the teacher's reason).
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.db.base import utcnow
from chalicelib.events.models import DomainEvent
from chalicelib.observability import metrics
from chalicelib.videos.models import VideoRecord


def video_event(video: VideoRecord, status: str, reason: str | None = None) -> DomainEvent:
    return DomainEvent(
        f"video.{status}",
        video.district,
        {
            "video_id": video.video_id,
            "title": video.title,
            "owner_id": video.owner_id,
            "school": video.school,
            "status": video.status if status == "playable" else status,
            "failure_reason": reason,
        },
    )


def landed_at(video: VideoRecord) -> datetime | None:
    """When the upload was complete: a multipart's completion, else the job's start."""
    if video.upload is not None and video.upload.completed_at is not None:
        return video.upload.completed_at
    return video.job.started_at if video.job is not None else None


def report_since_landing(video: VideoRecord, metric: str) -> None:
    """TimeToPlayable / TimeToReady: upload complete → now."""
    start = landed_at(video)
    if start is not None:
        metrics.record_duration(metric, (utcnow() - start).total_seconds())


def report_failure(kind: str) -> None:
    metrics.record_count("VideoFailed", kind=kind)
