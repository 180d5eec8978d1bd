"""Creating videos (and their upload sessions), reading and listing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.api.pagination import decode_cursor, encode_cursor
from chalicelib.auth.principal import Principal
from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.errors import InvalidInput
from chalicelib.storage import objects, uploads
from chalicelib.storage.keys import raw_source_key
from chalicelib.videos.access import require_uploader, visible_video
from chalicelib.videos.models import (
    UploadAttr,
    UploadMode,
    VideoRecord,
    VideoStatus,
    new_video_id,
    owner_partition,
)
from chalicelib.videos.schemas import (
    CreateVideoRequest,
    MultipartUpload,
    PostUpload,
    RenditionView,
    VideoView,
)


@dataclass(frozen=True)
class CreatedVideo:
    video: VideoRecord
    upload: PostUpload | MultipartUpload


def _human_size(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    raise AssertionError("unreachable")


def create_video(
    principal: Principal, request: CreateVideoRequest, settings: Settings
) -> CreatedVideo:
    require_uploader(principal)
    if request.size_bytes > settings.max_upload_bytes:
        raise InvalidInput(
            f"The file is {_human_size(request.size_bytes)}; the limit is "
            f"{_human_size(settings.max_upload_bytes)}",
            field="size_bytes",
        )
    video_id = new_video_id()
    key = raw_source_key(principal.district, video_id)
    now = utcnow()
    upload_attr = UploadAttr(
        key=key,
        content_type=request.content_type,
        declared_size=request.size_bytes,
        filename=request.filename,
    )
    upload: PostUpload | MultipartUpload
    if request.size_bytes <= settings.single_upload_max_bytes:
        post = uploads.presigned_post(key, request.content_type, request.size_bytes, settings)
        window_ends = now + timedelta(seconds=settings.presign_expiry_s)
        upload = PostUpload(url=post.url, fields=post.fields, expires_at=window_ends)
        upload_attr.mode = UploadMode.POST.value
    else:
        part_size = uploads.part_size_for(request.size_bytes, settings.multipart_part_bytes)
        upload_id = uploads.create_multipart(key, request.content_type, settings)
        window_ends = now + timedelta(seconds=settings.multipart_window_s)
        upload = MultipartUpload(
            key=key,
            upload_id=upload_id,
            part_size=part_size,
            part_count=uploads.part_count(request.size_bytes, part_size),
            expires_at=window_ends,
        )
        upload_attr.mode = UploadMode.MULTIPART.value
        upload_attr.multipart_upload_id = upload_id
        upload_attr.part_size = part_size
    upload_attr.window_ends_at = window_ends
    pk, sk = VideoRecord.key(video_id)
    record = VideoRecord(
        pk,
        sk,
        gsi1pk=owner_partition(principal.district, principal.user_id),
        gsi1sk=f"{now.isoformat()}#{video_id}",
        video_id=video_id,
        district=principal.district,
        school=principal.school,
        owner_id=principal.user_id,
        owner_name=principal.name,
        title=request.title,
        reflection=request.reflection,
        status=VideoStatus.UPLOADING.value,
        upload=upload_attr,
        created_at=now,
        updated_at=now,
    )
    try:
        record.save(condition=VideoRecord.pk.does_not_exist())
    except Exception:
        if isinstance(upload, MultipartUpload):
            uploads.abort_multipart(key, upload.upload_id, settings)
        raise
    return CreatedVideo(video=record, upload=upload)


def get_video(principal: Principal, video_id: str) -> VideoRecord:
    return visible_video(principal, video_id)


@dataclass(frozen=True)
class VideoPage:
    items: list[VideoRecord]
    next_cursor: str | None


def list_own_videos(principal: Principal, *, cursor: str | None, limit: int) -> VideoPage:
    partition = owner_partition(principal.district, principal.user_id)
    start = decode_cursor(cursor, must_match={"gsi1pk": partition})
    results = VideoRecord.by_owner.query(
        partition, scan_index_forward=False, limit=limit, last_evaluated_key=start
    )
    items = list(results)
    return VideoPage(items=items, next_cursor=encode_cursor(results.last_evaluated_key))


def video_view(record: VideoRecord, settings: Settings) -> VideoView:
    """The API's view of a video; media URLs are short-lived presigned GETs."""
    bucket = settings.media_bucket

    def url(key: str | None) -> str | None:
        return objects.presigned_get(bucket, key, settings) if key else None

    renditions = [
        RenditionView(
            label=r.label,
            width=int(r.width),
            height=int(r.height),
            url=objects.presigned_get(bucket, r.key, settings),
        )
        for r in record.renditions
    ]
    return VideoView(
        id=record.video_id,
        title=record.title,
        reflection=record.reflection,
        owner_id=record.owner_id,
        district=record.district,
        school=record.school,
        status=record.status_enum.value,
        playable=bool(record.playable),
        progress=float(record.progress or 0),
        failure_reason=record.failure_reason,
        duration_s=float(record.duration_s) if record.duration_s is not None else None,
        width=int(record.width) if record.width is not None else None,
        height=int(record.height) if record.height is not None else None,
        fps=float(record.fps) if record.fps is not None else None,
        has_audio=record.has_audio,
        renditions=renditions,
        poster_url=url(record.poster_key),
        storyboard_url=url(record.storyboard_key),
        storyboard_vtt_url=url(record.storyboard_vtt_key),
        created_at=record.created_at,
        updated_at=record.updated_at,
    )
