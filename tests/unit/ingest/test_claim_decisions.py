"""The state table behind exactly-once processing (no database needed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.db.base import utcnow
from chalicelib.ingest.claims import Decision, decide
from chalicelib.videos.models import FailureKind, JobAttr, SourceAttr, VideoRecord, VideoStatus

FP = "uploads/raw/d/v/source@v1"


def _video(
    status: VideoStatus,
    source: str | None = None,
    lease_s: float | None = None,
    kind: FailureKind | None = None,
) -> VideoRecord:
    video = VideoRecord("VIDEO#v", "META", status=status.value)
    if source:
        video.source = SourceAttr(fingerprint=source, size_bytes=1)
    if lease_s is not None:
        video.job = JobAttr(
            job_id="j",
            fingerprint=source or FP,
            attempts=1,
            started_at=utcnow(),
            lease_until=utcnow() + timedelta(seconds=lease_s),
        )
    if kind:
        video.failure_kind = kind.value
    return video


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ((VideoStatus.UPLOADING,), Decision.CLAIM),
        ((VideoStatus.PROCESSING, FP, 60), Decision.BUSY),
        ((VideoStatus.PROCESSING, FP, -1), Decision.CLAIM),  # its worker died
        ((VideoStatus.PROCESSING, "other", 60), Decision.SECOND_UPLOAD),
        ((VideoStatus.READY, FP), Decision.DUPLICATE),
        ((VideoStatus.READY, "other"), Decision.SECOND_UPLOAD),
        ((VideoStatus.FAILED, FP, None, FailureKind.REJECTED), Decision.DUPLICATE),
        ((VideoStatus.FAILED, FP, None, FailureKind.ERROR), Decision.CLAIM),  # redrive
        ((VideoStatus.FAILED, None, None, FailureKind.REJECTED), Decision.SECOND_UPLOAD),
    ],
)
def test_decide(state: tuple[Any, ...], expected: Decision) -> None:
    # Built here, not at collection: leases are relative to now.
    assert decide(_video(*state), FP) is expected
