"""Creating videos (and their upload sessions), reading and listing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.api.links import Viewed
from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction, AuditRecord
from chalicelib.auth.principal import Principal, Role
from chalicelib.config import Settings
from chalicelib.db.base import is_transaction_conflict, transaction, utcnow
from chalicelib.db.pagination import decode_cursor, encode_cursor
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.events import outbox
from chalicelib.events.models import DomainEvent
from chalicelib.limits.service import Quota, consume
from chalicelib.storage import objects, uploads
from chalicelib.storage.keys import raw_source_key
from chalicelib.videos.access import owned_video, require_uploader, visible_video
from chalicelib.videos.events import CONSENT_GIVEN, CONSENT_WITHDRAWN, consent_event
from chalicelib.videos.models import (
    UploadAttr,
    UploadMode,
    VideoRecord,
    VideoShare,
    VideoStatus,
    district_partition,
    new_video_id,
    owner_partition,
    school_coaches_partition,
    shared_partition,
)
from chalicelib.videos.schemas import (
    CreateVideoRequest,
    MultipartUpload,
    PostUpload,
    RenditionView,
    SharingView,
    UpdateVideoRequest,
    VideoListQuery,
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
    consume(principal, Quota.VIDEOS, settings)
    consume(principal, Quota.UPLOAD_BYTES, settings, request.size_bytes)
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
    ).index_keys()
    try:
        record.save(condition=VideoRecord.pk.does_not_exist())
    except Exception:
        if isinstance(upload, MultipartUpload):
            uploads.abort_multipart(key, upload.upload_id, settings)
        raise
    return CreatedVideo(video=record, upload=upload)


def get_video(principal: Principal, video_id: str) -> VideoRecord:
    """The video if visible; answering with its view records the view (chalicelib/api/links.py)."""
    return visible_video(principal, video_id)


@dataclass(frozen=True)
class VideoPage:
    items: list[VideoRecord]
    next_cursor: str | None


def list_videos(principal: Principal, query: VideoListQuery) -> VideoPage:
    """One page of a listing scope, newest first: always a Query on an index."""
    district = principal.district
    condition = VideoRecord.status == query.status if query.status else None
    if query.scope == "mine":
        partition = owner_partition(district, principal.user_id)
        return _page(VideoRecord.by_owner, "gsi1pk", partition, query, condition)
    if query.scope == "district":
        if not principal.has_role(Role.ADMIN):
            raise Forbidden("Only district admins can list every video of the district")
        partition = district_partition(district)
        return _page(VideoRecord.by_district, "gsi2pk", partition, query, condition)
    if query.scope == "school":
        if not principal.school or not principal.has_role(Role.COACH, Role.ADMIN):
            raise Forbidden("Only a school's coaches can list what was shared with them")
        partition = school_coaches_partition(district, principal.school)
        return _page(VideoRecord.by_school_coaches, "gsi3pk", partition, query, condition)
    return _shared_page(principal, query)


def _page(
    index: Any, key_name: str, partition: str, query: VideoListQuery, condition: Any
) -> VideoPage:
    start = decode_cursor(query.cursor, must_match={key_name: partition})
    results = index.query(
        partition,
        scan_index_forward=False,
        limit=query.limit,
        last_evaluated_key=start,
        filter_condition=condition,
    )
    items = list(results)
    return VideoPage(items=items, next_cursor=encode_cursor(results.last_evaluated_key))


def _shared_page(principal: Principal, query: VideoListQuery) -> VideoPage:
    partition = shared_partition(principal.district, principal.user_id)
    start = decode_cursor(query.cursor, must_match={"gsi1pk": partition})
    grants = VideoShare.by_recipient.query(
        partition, scan_index_forward=False, limit=query.limit, last_evaluated_key=start
    )
    ids = [grant.video_id for grant in grants]
    found = {v.video_id: v for v in VideoRecord.batch_get([VideoRecord.key(i) for i in ids])}
    items = [
        found[i]
        for i in ids
        if i in found and (query.status is None or found[i].status == query.status)
    ]
    return VideoPage(items=items, next_cursor=encode_cursor(grants.last_evaluated_key))


def _shared_event(principal: Principal, video: VideoRecord, granted: set[str]) -> DomainEvent:
    """Announces new grants by name (the people they name hear about it)."""
    return DomainEvent(
        "video.shared",
        video.district,
        {
            "video_id": video.video_id,
            "shared_with": sorted(granted),
            "by": principal.user_id,
            "by_name": principal.name,
        },
    )


# The pipeline moves the record's version with every segment it counts, so an owner's
# edit while a lesson encodes is made again on a fresh read rather than refused.
EDIT_ATTEMPTS = 10


@dataclass(frozen=True)
class _Edit:
    actions: list[Any]
    granted: set[str]
    revoked: set[str]
    events: list[DomainEvent]


def update_video(principal: Principal, video_id: str, request: UpdateVideoRequest) -> VideoRecord:
    """Owner edits; sharing changes write the grants, consent changes their event, in the
    same transaction."""
    for _ in range(EDIT_ATTEMPTS):
        video = owned_video(principal, video_id)
        edit = _edit_of(principal, video, request)
        try:
            with transaction() as tx:
                tx.update(video, actions=edit.actions)
                for event in edit.events:
                    outbox.add(tx, event)
                for user_id in edit.granted:
                    tx.save(VideoShare.for_video(video, user_id))
                for user_id in edit.revoked:
                    tx.delete(VideoShare(*VideoShare.key(video_id, user_id)))
        except TransactWriteError as exc:
            if is_transaction_conflict(exc):
                continue
            raise
        break
    else:
        raise Conflict("The video kept changing while you edited it; please retry")
    audit.record_many(principal, _audit_of_edit(video, request, edit))
    refreshed = VideoRecord.load(video_id)
    if refreshed is None:
        raise NotFound("Video not found")
    return refreshed


def _edit_of(principal: Principal, video: VideoRecord, request: UpdateVideoRequest) -> _Edit:
    actions: list[Any] = [VideoRecord.updated_at.set(utcnow())]
    if request.title is not None:
        actions.append(VideoRecord.title.set(request.title))
    if request.reflection is not None:
        actions.append(
            VideoRecord.reflection.set(request.reflection)
            if request.reflection
            else VideoRecord.reflection.remove()
        )
    events: list[DomainEvent] = []
    if request.consent_to_library is not None:
        actions.append(VideoRecord.consent_to_library.set(request.consent_to_library))
        if request.consent_to_library != bool(video.consent_to_library):
            # Given: nominations waiting for it go to review; withdrawn: the clips leave
            # the queue and the library (chalicelib/orchestration/).
            kind = CONSENT_GIVEN if request.consent_to_library else CONSENT_WITHDRAWN
            events.append(consent_event(kind, video, principal))
    granted: set[str] = set()
    revoked: set[str] = set()
    if request.sharing is not None:
        wanted = set(request.sharing.users) - {principal.user_id}
        granted, revoked = wanted - video.shared_user_ids, video.shared_user_ids - wanted
        # DynamoDB has no empty sets: no grants means no attribute.
        actions.append(
            VideoRecord.shared_with.set(wanted) if wanted else VideoRecord.shared_with.remove()
        )
        actions.append(VideoRecord.share_with_school_coaches.set(request.sharing.school_coaches))
        actions += video.school_coaches_actions(request.sharing.school_coaches)
        if granted:
            events.append(_shared_event(principal, video, granted))
    return _Edit(actions, granted, revoked, events)


def _audit_of_edit(
    video: VideoRecord, request: UpdateVideoRequest, edit: _Edit
) -> list[audit.Event]:
    video_id = video.video_id
    events = [
        *(
            audit.Event(AuditAction.VIDEO_SHARED, video.district, video_id, subject=u)
            for u in edit.granted
        ),
        *(
            audit.Event(AuditAction.VIDEO_UNSHARED, video.district, video_id, subject=u)
            for u in edit.revoked
        ),
    ]
    if request.sharing is not None and request.sharing.school_coaches != bool(
        video.share_with_school_coaches
    ):
        action = (
            AuditAction.VIDEO_SHARED
            if request.sharing.school_coaches
            else AuditAction.VIDEO_UNSHARED
        )
        events.append(audit.Event(action, video.district, video_id, subject="school_coaches"))
    if request.consent_to_library is not None and request.consent_to_library != bool(
        video.consent_to_library
    ):
        events.append(
            audit.Event(
                AuditAction.CONSENT_CHANGED,
                video.district,
                video_id,
                subject=f"consent_to_library={str(request.consent_to_library).lower()}",
            )
        )
    return events


def progress_of(record: VideoRecord) -> float:
    """0..1 while processing: segments counted so far (and the sound), then the finish."""
    pipeline = record.pipeline
    if record.status != VideoStatus.PROCESSING.value or pipeline is None:
        return float(record.progress or 0)
    steps = int(pipeline.segments_total) + (1 if pipeline.has_audio else 0)
    done = int(pipeline.segments_done) + (1 if pipeline.has_audio and pipeline.audio_done else 0)
    return round(0.05 + 0.9 * done / max(1, steps), 3)


def video_view(record: VideoRecord, settings: Settings, viewer: Principal) -> VideoView:
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
        viewed=Viewed(record.district, record.video_id, record.owner_id),
        id=record.video_id,
        title=record.title,
        reflection=record.reflection,
        owner_id=record.owner_id,
        owner_name=record.owner_name,
        district=record.district,
        school=record.school,
        status=record.status_enum.value,
        playable=bool(record.playable),
        progress=progress_of(record),
        failure_reason=record.failure_reason,
        duration_s=float(record.duration_s) if record.duration_s is not None else None,
        width=int(record.width) if record.width is not None else None,
        height=int(record.height) if record.height is not None else None,
        fps=float(record.fps) if record.fps is not None else None,
        has_audio=record.has_audio,
        renditions=renditions,
        hls=record.playable_master_key is not None,
        poster_url=url(record.poster_key),
        storyboard_url=url(record.storyboard_key),
        storyboard_vtt_url=url(record.storyboard_vtt_key),
        sharing=(
            SharingView(
                users=sorted(record.shared_user_ids),
                school_coaches=bool(record.share_with_school_coaches),
            )
            if viewer.user_id == record.owner_id or viewer.has_role(Role.ADMIN)
            else None
        ),
        consent_to_library=bool(record.consent_to_library),
        contains_students_without_consent=bool(record.contains_students_without_consent),
        legal_hold=bool(record.legal_hold),
        renditions_deleted_at=record.renditions_deleted_at,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


def audit_trail(
    principal: Principal, video_id: str, *, cursor: str | None, limit: int
) -> tuple[list[AuditRecord], str | None]:
    """Who viewed, shared and decided on the video, newest first: its teacher and admins."""
    video = visible_video(principal, video_id)
    if video.owner_id != principal.user_id and not principal.has_role(Role.ADMIN):
        raise Forbidden("Only the video's owner or a district admin can read its audit trail")
    return audit.video_trail(video_id, cursor=cursor, limit=limit)
