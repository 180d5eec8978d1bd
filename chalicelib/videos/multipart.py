"""Resumable multipart uploads for large videos (Uppy companion protocol semantics).

The client names an upload by (key, uploadId); both must be the ones the server
issued for a video the caller owns, and the upload must still be open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from pynamodb.exceptions import UpdateError

from chalicelib.auth.principal import Principal
from chalicelib.config import Settings
from chalicelib.db.base import is_conditional_check_failure, utcnow
from chalicelib.errors import Conflict, Gone, InvalidInput, NotFound
from chalicelib.storage import uploads
from chalicelib.storage.keys import parse_raw_key
from chalicelib.storage.uploads import UploadedPart
from chalicelib.videos.access import owned_video
from chalicelib.videos.models import FailureKind, UploadMode, VideoRecord, VideoStatus
from chalicelib.videos.schemas import CompletePart

CANCELLED = "The upload was cancelled before it finished."


@dataclass(frozen=True)
class OpenUpload:
    video: VideoRecord
    key: str
    upload_id: str
    declared_size: int
    part_size: int

    @property
    def part_count(self) -> int:
        return uploads.part_count(self.declared_size, self.part_size)


def _open_upload(principal: Principal, video: VideoRecord) -> OpenUpload:
    upload = video.upload
    if upload.mode != UploadMode.MULTIPART.value or not upload.multipart_upload_id:
        raise NotFound("This video has no multipart upload")
    if video.status != VideoStatus.UPLOADING.value or upload.completed_at is not None:
        raise Conflict("This upload has already been completed", field="uploadId")
    if utcnow() > upload.window_ends_at:
        raise Gone("The upload window has expired; please start a new upload", field="uploadId")
    return OpenUpload(
        video=video,
        key=upload.key,
        upload_id=upload.multipart_upload_id,
        declared_size=int(upload.declared_size),
        part_size=int(upload.part_size or uploads.MIN_PART_BYTES),
    )


def open_for_video(principal: Principal, video_id: str) -> OpenUpload:
    """Companion 'create': the upload the server already started for this video."""
    return _open_upload(principal, owned_video(principal, video_id))


def resolve(principal: Principal, key: str | None, upload_id: str) -> OpenUpload:
    if not key:
        raise InvalidInput("The 'key' query parameter is required", field="key")
    parsed = parse_raw_key(key)
    if parsed is None or parsed.district != principal.district:
        raise NotFound("No such upload")
    opened = _open_upload(principal, owned_video(principal, parsed.video_id))
    if opened.key != key or opened.upload_id != upload_id:
        raise NotFound("No such upload")
    return opened


def sign_part(opened: OpenUpload, part_number: int, settings: Settings) -> str:
    if not 1 <= part_number <= opened.part_count:
        raise InvalidInput(
            f"Part numbers for this upload run from 1 to {opened.part_count}", field="partNumber"
        )
    size = uploads.expected_part_size(part_number, opened.declared_size, opened.part_size)
    return uploads.presign_part(opened.key, opened.upload_id, part_number, size, settings)


def list_parts(opened: OpenUpload, settings: Settings) -> list[UploadedPart]:
    return uploads.list_parts(opened.key, opened.upload_id, settings)


def complete(opened: OpenUpload, requested: list[CompletePart], settings: Settings) -> None:
    """Check what S3 holds against what was declared, then assemble the object."""
    stored = {
        part.part_number: part
        for part in uploads.list_parts(opened.key, opened.upload_id, settings)
    }
    numbers = sorted(part.PartNumber for part in requested)
    expected_numbers = list(range(1, opened.part_count + 1))
    if numbers != expected_numbers:
        raise InvalidInput(
            f"Expected parts 1 to {opened.part_count}, each once; got {len(numbers)} part(s)",
            field="parts",
        )
    chosen: list[UploadedPart] = []
    for part in sorted(requested, key=lambda p: p.PartNumber):
        held = stored.get(part.PartNumber)
        if held is None:
            raise InvalidInput(f"Part {part.PartNumber} was never uploaded", field="parts")
        if held.etag.strip('"') != part.ETag.strip('"'):
            raise InvalidInput(f"Part {part.PartNumber}'s ETag does not match", field="parts")
        expected = uploads.expected_part_size(
            part.PartNumber, opened.declared_size, opened.part_size
        )
        if held.size != expected:
            raise InvalidInput(
                f"Part {part.PartNumber} is {held.size} bytes; expected {expected}", field="parts"
            )
        chosen.append(held)
    total = sum(part.size for part in chosen)
    if total != opened.declared_size:
        raise InvalidInput(
            f"The parts add up to {total} bytes but the file was declared as "
            f"{opened.declared_size} bytes",
            field="parts",
        )
    uploads.complete_multipart(opened.key, opened.upload_id, chosen, settings)
    try:
        opened.video.update(
            actions=[
                cast("Any", VideoRecord.upload).completed_at.set(utcnow()),
                VideoRecord.updated_at.set(utcnow()),
            ],
            condition=VideoRecord.status == VideoStatus.UPLOADING.value,
            add_version_condition=False,
        )
    except UpdateError as exc:
        # The ingest worker may already have picked the object up; that is fine.
        if not is_conditional_check_failure(exc):
            raise


def abort(opened: OpenUpload, settings: Settings) -> None:
    uploads.abort_multipart(opened.key, opened.upload_id, settings)
    opened.video.update(
        actions=[
            VideoRecord.status.set(VideoStatus.FAILED.value),
            VideoRecord.failure_reason.set(CANCELLED),
            VideoRecord.failure_kind.set(FailureKind.REJECTED.value),
            VideoRecord.updated_at.set(utcnow()),
        ],
        condition=VideoRecord.status == VideoStatus.UPLOADING.value,
        add_version_condition=False,
    )
