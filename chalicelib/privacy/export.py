"""A teacher's own data as a zip: their videos (playable file + metadata) and the feedback.

Built by a worker on its own queue (a 30-minute recording does not fit in an API
request), kept in the media bucket under ``exports/`` for ``export_keep_days``;
its record is ``ExportRecord`` (chalicelib/privacy/models.py).
"""

from __future__ import annotations

import json
import secrets
import shutil
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal
from chalicelib.config import Settings
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.errors import NotFound
from chalicelib.feedback.models import COMMENT_PREFIX, CommentRecord
from chalicelib.feedback.service import view as comment_view
from chalicelib.jobs.dispatch import enqueue
from chalicelib.limits.service import Quota, consume
from chalicelib.privacy.models import ExportRecord, ExportStatus
from chalicelib.privacy.schemas import ExportJob
from chalicelib.storage import objects
from chalicelib.storage.keys import EXPORTS_PREFIX
from chalicelib.videos.models import VideoRecord, owner_partition


def start(principal: Principal, settings: Settings) -> ExportRecord:
    consume(principal, Quota.EXPORTS, settings)
    now = utcnow()
    export_id = "exp_" + secrets.token_hex(8)
    record = ExportRecord(
        *ExportRecord.key_of(principal.district, principal.user_id, export_id),
        export_id=export_id,
        district=principal.district,
        user_id=principal.user_id,
        created_at=now,
        expires_at=now + timedelta(days=settings.export_keep_days),
    )
    record.save()
    enqueue(
        "export",
        ExportJob(district=principal.district, user_id=principal.user_id, export_id=export_id),
        settings,
    )
    audit.record(principal, audit.Event(AuditAction.DATA_EXPORTED, principal.district))
    return record


def get(principal: Principal, export_id: str) -> ExportRecord:
    try:
        return ExportRecord.get(
            *ExportRecord.key_of(principal.district, principal.user_id, export_id),
            consistent_read=True,
        )
    except ExportRecord.DoesNotExist:
        raise NotFound("Export not found") from None


def _zip_prefix(district: str, user_id: str) -> str:
    return f"{EXPORTS_PREFIX}{district}/{user_id}/"


def forget_exports(district: str, user_id: str, settings: Settings) -> int:
    """Delete a user's exports (zips and records), e.g. when one of their videos is deleted.

    Records first, then every zip under the user's prefix, including one a running
    build has just uploaded but not yet recorded: that build's conditional update
    then fails (its record is gone) and it deletes what it uploaded (see ``build``).
    """
    partition = ExportRecord.partition(district, user_id)
    records = list(ExportRecord.query(partition))
    for record in records:
        record.delete()
    objects.delete_prefix(settings.media_bucket, _zip_prefix(district, user_id), settings)
    return len(records)


def download_url(record: ExportRecord, settings: Settings) -> str | None:
    if record.status != ExportStatus.READY.value or not record.key:
        return None
    return objects.presigned_get(
        settings.media_bucket, record.key, settings, filename=f"classreel-{record.export_id}.zip"
    )


def _video_metadata(video: VideoRecord) -> dict[str, Any]:
    return {
        "id": video.video_id,
        "title": video.title,
        "reflection": video.reflection,
        "status": video.status,
        "duration_s": float(video.duration_s) if video.duration_s is not None else None,
        "school": video.school,
        "shared_with": sorted(video.shared_user_ids),
        "shared_with_school_coaches": bool(video.share_with_school_coaches),
        "consent_to_library": bool(video.consent_to_library),
        "created_at": video.created_at.isoformat(),
    }


def _write_video(
    archive: zipfile.ZipFile, video: VideoRecord, workdir: Path, settings: Settings
) -> None:
    folder = f"videos/{video.video_id}"
    comments = [
        comment_view(c).model_dump(mode="json")
        for c in CommentRecord.query(
            CommentRecord.partition(video.video_id), CommentRecord.sk.startswith(COMMENT_PREFIX)
        )
    ]
    archive.writestr(f"{folder}/video.json", json.dumps(_video_metadata(video), indent=2))
    archive.writestr(f"{folder}/comments.json", json.dumps(comments, indent=2))
    if video.renditions:
        local = workdir / f"{video.video_id}.mp4"
        top = video.renditions[0].key
        if objects.head(settings.media_bucket, top, settings) is not None:
            objects.download(settings.media_bucket, top, local, settings, None)
            # Video is already compressed: store, don't deflate.
            archive.write(local, f"{folder}/video.mp4", compress_type=zipfile.ZIP_STORED)
            local.unlink()


# (local zip, key) -> stored in the media bucket.
ZipUpload = Callable[[Path, str], None]


def build(
    district: str,
    user_id: str,
    export_id: str,
    settings: Settings,
    upload: ZipUpload | None = None,
) -> str:
    """The worker's job. Returns an outcome word for logs and tests.

    A deletion may race it (the video's, forgetting the owner's exports): the
    zip is kept only if the export is still pending when it is recorded ready,
    so no zip outlives its record.
    """

    def to_media_bucket(path: Path, key: str) -> None:
        objects.upload(path, settings.media_bucket, key, "application/zip", settings)

    store = upload or to_media_bucket
    try:
        record = ExportRecord.get(*ExportRecord.key_of(district, user_id, export_id))
    except ExportRecord.DoesNotExist:
        return "gone"
    if record.status != ExportStatus.PENDING.value:
        return "duplicate"
    workdir = settings.work_dir / f"export-{export_id}"
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        target = workdir / "export.zip"
        videos = list(VideoRecord.by_owner.query(owner_partition(district, user_id)))
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "README.txt",
                "Your ClassReel data: one folder per video with its details (video.json), "
                "the feedback on it (comments.json) and the video itself (video.mp4).\n",
            )
            archive.writestr(
                "videos.json", json.dumps([_video_metadata(v) for v in videos], indent=2)
            )
            for video in videos:
                _write_video(archive, video, workdir, settings)
        key = f"{_zip_prefix(district, user_id)}{export_id}.zip"
        store(target, key)
        try:
            record.update(
                actions=[
                    ExportRecord.status.set(ExportStatus.READY),
                    ExportRecord.key.set(key),
                    ExportRecord.size_bytes.set(target.stat().st_size),
                    ExportRecord.videos.set(len(videos)),
                    ExportRecord.finished_at.set(utcnow()),
                ],
                condition=ExportRecord.status == ExportStatus.PENDING.value,
            )
        except UpdateError as exc:
            if not is_conditional_check_failure(exc):
                raise
            return _abandon(district, user_id, export_id, key, settings)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return "ready"


def _abandon(district: str, user_id: str, export_id: str, key: str, settings: Settings) -> str:
    """The record changed under the build: deleted (a deletion raced it), or finished by
    a duplicate run. The zip stays only if a ready record names it."""
    try:
        record = ExportRecord.get(
            *ExportRecord.key_of(district, user_id, export_id), consistent_read=True
        )
    except ExportRecord.DoesNotExist:
        objects.delete_prefix(settings.media_bucket, key, settings)
        return "gone"
    if record.status != ExportStatus.READY.value or record.key != key:
        objects.delete_prefix(settings.media_bucket, key, settings)
    return "duplicate"
