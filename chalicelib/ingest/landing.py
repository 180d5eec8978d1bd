"""Which object version an event means, and whether it is the upload we allowed.

The local S3 enforces none of the presigned conditions, so they are checked
again here, when the object lands: exact declared size, declared type, and
arrival before the upload window closed.
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.ingest.events import ObjectCreated
from chalicelib.media.formats import SNIFF_BYTES, RemoteSource
from chalicelib.storage import objects
from chalicelib.storage.objects import ObjectHead
from chalicelib.videos.models import VideoRecord


def locate(created: ObjectCreated, settings: Settings) -> ObjectHead | None:
    """The exact version the event describes (None if it is gone).

    AWS puts the version id in the event when the bucket is versioned; the
    local S3 does not, so the version is found by the event's ETag and size.
    """
    if created.version_id:
        return objects.head(created.bucket, created.key, settings, version_id=created.version_id)
    head = objects.head(created.bucket, created.key, settings)
    if head is None:
        return None
    etag = (created.etag or "").strip('"')
    if head.etag == etag and head.size == created.size:
        return head
    versions = aws.s3_client(settings).list_object_versions(
        Bucket=created.bucket, Prefix=created.key
    )
    for version in versions.get("Versions", []):
        if (
            version["Key"] == created.key
            and version["ETag"].strip('"') == etag
            and version["Size"] == created.size
        ):
            return objects.head(
                created.bucket, created.key, settings, version_id=version["VersionId"]
            )
    return None


def fingerprint(created: ObjectCreated, head: ObjectHead) -> str:
    """Identity of this object version: version id, else ETag + size. Never the message id."""
    version = head.version_id or f"{head.etag}:{head.size}"
    return f"{created.bucket}/{created.key}@{version}"


def refusal(video: VideoRecord, head: ObjectHead, settings: Settings) -> str | None:
    """Why this object is not the upload we allowed, in the teacher's words (None if it is)."""
    upload = video.upload
    declared = int(upload.declared_size)
    if head.size == 0:
        return "The file is empty (0 bytes). Please upload the video again."
    if head.size != declared:
        return (
            f"The uploaded file is {head.size:,} bytes but {declared:,} bytes were expected; "
            "the upload was incomplete or changed. Please upload the video again."
        )
    if head.content_type.split(";")[0].strip().lower() != upload.content_type:
        return (
            f"The file was uploaded as '{head.content_type or 'unknown'}' but "
            f"'{upload.content_type}' was declared. Please upload the video again."
        )
    deadline = upload.window_ends_at + timedelta(seconds=settings.upload_arrival_grace_s)
    if head.last_modified > deadline:
        return "The upload link had expired before the file arrived. Please start the upload again."
    return None


def remote_source(
    bucket: str, key: str, version_id: str | None, settings: Settings, *, read_for_s: int
) -> RemoteSource:
    """The upload, for ffmpeg to read where it lies (ranged reads) for ``read_for_s`` at most.

    No worker downloads a whole lesson: the ingest job reads what probing needs, each
    chunk task its own span, the sound task the sound.
    """
    head = objects.head(bucket, key, settings, version_id=version_id)
    if head is None:
        raise FileNotFoundError(f"s3://{bucket}/{key} is gone")
    first = (
        objects.read_head_bytes(bucket, key, SNIFF_BYTES, settings, version_id)
        if head.size
        else b""
    )
    url = objects.presigned_read(bucket, key, settings, version_id=version_id, expires_s=read_for_s)
    return RemoteSource(url=url, size_bytes=head.size, head=first)
