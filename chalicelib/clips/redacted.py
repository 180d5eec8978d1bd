"""A clip's redaction record: ``CLIP#{clip_id}`` / ``REDACTION``, beside the clip in its partition.

It lives with the clip (not in chalicelib/redaction, which runs and reviews redactions)
because what a clip shows depends on it: clip views, playback, the library and the
review gate read it, and they sit below the redaction capability.

One per clip. Each run (the first, and one after every change of kept faces or regions)
is a job under a lease and writes its own rendition set under
``clips/{clip_id}/redacted/{job_id}/`` — a prefix the clip's own playback cookies cover
but the redacted one's cookies never leave, so whoever is given only the redacted clip
cannot fetch the original. Sign-off names the run it was given for: any later change
needs a new sign-off.
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.clips.models import clip_partition
from chalicelib.db.base import Document, EnumAttribute, TableModel, utcnow
from chalicelib.videos.models import RenditionAttr

REDACTION_SK = "REDACTION"
# Below the clip's own prefix (clips/{clip_id}/): deleting the clip deletes these too.
REDACTED_FOLDER = "redacted/"


class RedactionStatus(StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class KeepPointAttr(Document):
    """A click on a face to keep unblurred: where and when, and who chose it."""

    at_s = NumberAttribute()
    x = NumberAttribute()  # relative to the frame, 0..1
    y = NumberAttribute()
    by = UnicodeAttribute()
    # Filled by the job: the track the click landed on (None: it missed every face).
    track_id = NumberAttribute(null=True)


class RegionAttr(Document):
    """A reviewer's edit: blur here (``add``) or not here (``remove``), over a span."""

    action = UnicodeAttribute()
    from_s = NumberAttribute()
    to_s = NumberAttribute()
    x0 = NumberAttribute()
    y0 = NumberAttribute()
    x1 = NumberAttribute()
    y1 = NumberAttribute()
    by = UnicodeAttribute()


class RedactionJobAttr(Document):
    job_id = UnicodeAttribute()
    lease_until = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    started_at = UTCDateTimeAttribute()


class RedactionRecord(TableModel):
    clip_id = UnicodeAttribute()
    video_id = UnicodeAttribute()
    district = UnicodeAttribute()
    requested_by = UnicodeAttribute()

    status = EnumAttribute(RedactionStatus, default=RedactionStatus.PROCESSING)
    progress = NumberAttribute(default=0)
    failure_reason = UnicodeAttribute(null=True)
    # The run the next job makes (a new one per change); the job's lease id is this.
    run_id = UnicodeAttribute()
    job = RedactionJobAttr(null=True)

    # Segment-parallel detection of a long clip: the span length the run was asked with,
    # how many spans the job planned, and which spans are detected (the last one to
    # finish sends the run on, chalicelib/redaction/worker.py).
    segment_s = NumberAttribute(null=True)
    segments = NumberAttribute(null=True)
    detected = NumberSetAttribute(null=True)

    keep = ListAttribute(of=KeepPointAttr, default=list)
    regions = ListAttribute(of=RegionAttr, default=list)

    # What the last finished run made.
    ready_run_id = UnicodeAttribute(null=True)
    tracks_key = UnicodeAttribute(null=True)  # the detector's tracks (JSON), reused by re-runs
    faces_found = NumberAttribute(null=True)
    faces_kept = NumberAttribute(null=True)
    # Times (s) the reviewer should step through first: the detector's least sure frames.
    unsure_at_s = ListAttribute[float](default=list)
    fps = NumberAttribute(null=True)
    renditions = ListAttribute(of=RenditionAttr, default=list)
    hls_master_key = UnicodeAttribute(null=True)
    poster_key = UnicodeAttribute(null=True)

    # The reviewer's confirmation that students' privacy is respected, for one run.
    signed_off_by = UnicodeAttribute(null=True)
    signed_off_at = UTCDateTimeAttribute(null=True)
    signed_off_run_id = UnicodeAttribute(null=True)

    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)
    version = VersionAttribute()

    @staticmethod
    def key(clip_id: str) -> tuple[str, str]:
        return clip_partition(clip_id), REDACTION_SK

    @classmethod
    def load(cls, clip_id: str) -> RedactionRecord | None:
        pk, sk = cls.key(clip_id)
        try:
            return cls.get(pk, sk, consistent_read=True)
        except cls.DoesNotExist:
            return None

    @property
    def status_enum(self) -> RedactionStatus:
        return RedactionStatus(self.status)

    @property
    def signed_off(self) -> bool:
        """Signed off for what is ready now (a later change needs a new sign-off)."""
        return (
            self.status_enum is RedactionStatus.READY
            and self.signed_off_run_id is not None
            and self.signed_off_run_id == self.ready_run_id
        )


def redacted_prefix(clip_media_prefix: str) -> str:
    return clip_media_prefix + REDACTED_FOLDER


def detections_prefix(clip_media_prefix: str, run_id: str) -> str:
    """Where a run's spans leave their detections: beside its outputs, not inside them,
    so a failed attempt of the run's last step keeps them (and the run that publishes
    deletes them with the other runs' leftovers)."""
    return f"{redacted_prefix(clip_media_prefix)}{run_id}-detections/"
