"""Asking for a clip's redaction, correcting it, and a reviewer's sign-off.

Each change (faces to keep, regions) starts a new run: a new ``run_id``, a message on the
redaction queue, and the record back in ``processing``; the previous run stays watchable
until the new one is ready. A sign-off names the run the reviewer watched, so a later
change needs a new one. Who kept which face unblurred is in the audit trail.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal, Role
from chalicelib.clips.access import require_curator, visible_clip
from chalicelib.clips.models import ClipRecord, ClipStatus
from chalicelib.clips.redacted import (
    KeepPointAttr,
    RedactionRecord,
    RedactionStatus,
    RegionAttr,
)
from chalicelib.config import Settings
from chalicelib.db.base import transaction, utcnow
from chalicelib.errors import Conflict, DependencyUnavailable, Forbidden, InvalidInput, NotFound
from chalicelib.events import outbox
from chalicelib.jobs.dispatch import enqueue
from chalicelib.redaction.schemas import (
    KeptFaceView,
    RedactionJobMessage,
    RedactionView,
    RegionsRequest,
    RegionView,
    SignOffRequest,
    StartRedactionRequest,
)
from chalicelib.videos.models import VideoRecord

NOT_READY = "The clip is still being cut; redact it once it is ready"
IN_LIBRARY = (
    "This clip is in the library with the redacted version a reviewer signed off; it can be "
    "changed once the clip is taken out of the library"
)
NOT_STARTED = "We could not start blurring this clip. Try again."
CHANGED = "The redaction changed a moment ago; reload it and try again"
_NOT_PUBLISHED = ClipRecord.published.does_not_exist() | (
    ClipRecord.published == False  # noqa: E712  (a DynamoDB condition)
)


def _new_run_id() -> str:
    return "run_" + secrets.token_hex(8)


def _may_edit(principal: Principal, clip: ClipRecord, video: VideoRecord | None) -> None:
    """The teacher or a coach of the video, or a reviewer of the clip's nomination."""
    if clip.review_id is not None and principal.has_role(Role.REVIEWER, Role.ADMIN):
        return
    if video is None:
        raise NotFound("Clip not found")
    require_curator(principal, video)


def _enqueue(record: RedactionRecord, settings: Settings) -> None:
    message = RedactionJobMessage(
        clip_id=record.clip_id, run_id=record.run_id, district=record.district
    )
    try:
        enqueue("redaction", message, settings)
    except (BotoCoreError, ClientError) as exc:
        # Without its job the run would never leave "processing": say so now.
        RedactionRecord.unread(*RedactionRecord.key(record.clip_id)).update(
            actions=[
                RedactionRecord.status.set(RedactionStatus.FAILED.value),
                RedactionRecord.failure_reason.set(NOT_STARTED),
            ],
            condition=RedactionRecord.run_id == record.run_id,
            add_version_condition=False,
        )
        raise DependencyUnavailable("The redaction queue is unavailable; try again") from exc


def start(
    principal: Principal, clip_id: str, request: StartRedactionRequest, settings: Settings
) -> RedactionRecord:
    clip, video = visible_clip(principal, clip_id)
    _may_edit(principal, clip, video)
    if clip.status_enum is not ClipStatus.READY:
        raise Conflict(NOT_READY, field="clip_id")
    keep = [KeepPointAttr(at_s=p.at_s, x=p.x, y=p.y, by=principal.user_id) for p in request.keep]
    if any(float(p.at_s) > float(clip.duration_s or clip.requested_duration_s) for p in keep):
        raise InvalidInput("A face to keep was marked after the clip's end", field="keep")
    record = RedactionRecord.load(clip_id)
    run_id = _new_run_id()
    if record is None:
        record = RedactionRecord(
            *RedactionRecord.key(clip_id),
            clip_id=clip_id,
            video_id=clip.video_id,
            district=clip.district,
            requested_by=principal.user_id,
            run_id=run_id,
            keep=keep,
            segment_s=settings.redaction_segment_s,
        )
        fresh = record
        _write(clip_id, lambda tx: tx.save(fresh, condition=RedactionRecord.pk.does_not_exist()))
    else:
        record = _change(record, [*_new_run(run_id, settings), RedactionRecord.keep.set(keep)])
    _enqueue(record, settings)
    audit.record_many(
        principal,
        [
            audit.Event(AuditAction.REDACTION_REQUESTED, clip.district, clip.video_id, clip_id),
            *(
                audit.Event(
                    AuditAction.REDACTION_FACE_KEPT,
                    clip.district,
                    clip.video_id,
                    clip_id,
                    subject=f"at {float(p.at_s):.2f}s x={float(p.x):.3f} y={float(p.y):.3f}",
                )
                for p in keep
            ),
        ],
    )
    return record


def _new_run(run_id: str, settings: Settings) -> list[Any]:
    """A new run of the job: the record back in processing (the last run stays shown),
    with the span length a long clip is detected in (the run's plan is the job's)."""
    return [
        RedactionRecord.run_id.set(run_id),
        RedactionRecord.status.set(RedactionStatus.PROCESSING.value),
        RedactionRecord.progress.set(0),
        RedactionRecord.failure_reason.remove(),
        RedactionRecord.segment_s.set(settings.redaction_segment_s),
        RedactionRecord.segments.remove(),
        RedactionRecord.detected.remove(),
        RedactionRecord.updated_at.set(utcnow()),
    ]


def _write(clip_id: str, write: Callable[[TransactWrite], None]) -> None:
    """Write the redaction only while its clip is out of the library: the library shows the
    version a reviewer signed off, so that version cannot change under it (an admin
    unpublishes the clip first; approval checks the redaction's version in its own
    transaction, chalicelib/review/service.py)."""
    try:
        with transaction() as tx:
            write(tx)
            tx.condition_check(ClipRecord, *ClipRecord.key(clip_id), condition=_NOT_PUBLISHED)
    except TransactWriteError as exc:
        if not outbox.condition_failed(exc):
            raise
        clip = ClipRecord.load(clip_id)
        if clip is not None and clip.published:
            raise Conflict(IN_LIBRARY, field="clip_id") from exc
        raise Conflict(CHANGED, field="clip_id") from exc


def _change(record: RedactionRecord, actions: list[Any]) -> RedactionRecord:
    """Update ``record`` as read (its version guards the write); the record as written."""
    _write(record.clip_id, lambda tx: tx.update(record, actions=actions))
    return _existing(record.clip_id)


def _existing(clip_id: str) -> RedactionRecord:
    record = RedactionRecord.load(clip_id)
    if record is None:
        raise NotFound("This clip has not been redacted")
    return record


def get(principal: Principal, clip_id: str) -> RedactionRecord:
    visible_clip(principal, clip_id)
    return _existing(clip_id)


def set_regions(
    principal: Principal, clip_id: str, request: RegionsRequest, settings: Settings
) -> RedactionRecord:
    clip, video = visible_clip(principal, clip_id)
    _may_edit(principal, clip, video)
    record = _existing(clip_id)
    regions = [RegionAttr(**r.model_dump(), by=principal.user_id) for r in request.regions]
    record = _change(
        record, [*_new_run(_new_run_id(), settings), RedactionRecord.regions.set(regions)]
    )
    _enqueue(record, settings)
    audit.record(
        principal,
        audit.Event(
            AuditAction.REDACTION_REGIONS_CHANGED,
            clip.district,
            clip.video_id,
            clip_id,
            subject=f"{len(regions)} regions",
        ),
    )
    return record


def sign_off(principal: Principal, clip_id: str, request: SignOffRequest) -> RedactionRecord:
    if not principal.has_role(Role.REVIEWER, Role.ADMIN):
        raise Forbidden("Only a reviewer or district admin signs off a redaction")
    clip, _ = visible_clip(principal, clip_id)
    record = _existing(clip_id)
    if not request.privacy_respected:
        raise InvalidInput(
            "Confirm that students' privacy is respected, or correct the regions first",
            field="privacy_respected",
        )
    if record.status_enum is not RedactionStatus.READY or record.ready_run_id != request.run_id:
        raise Conflict(
            "The redacted version changed since you watched it; watch the new one",
            field="run_id",
        )
    now = utcnow()
    # The version read above guards the write: a run finished meanwhile is not signed off.
    record = _change(
        record,
        [
            RedactionRecord.signed_off_by.set(principal.user_id),
            RedactionRecord.signed_off_at.set(now),
            RedactionRecord.signed_off_run_id.set(request.run_id),
        ],
    )
    audit.record(
        principal,
        audit.Event(
            AuditAction.REDACTION_SIGNED_OFF,
            clip.district,
            clip.video_id,
            clip_id,
            subject=request.run_id,
        ),
    )
    return record


def view(record: RedactionRecord) -> RedactionView:
    return RedactionView(
        clip_id=record.clip_id,
        status=record.status_enum.value,
        progress=float(record.progress or 0),
        failure_reason=record.failure_reason,
        run_id=record.run_id,
        ready_run_id=record.ready_run_id,
        keep=[
            KeptFaceView(
                at_s=float(p.at_s),
                x=float(p.x),
                y=float(p.y),
                by=p.by,
                found=None
                if p.track_id is None and record.ready_run_id is None
                else (p.track_id is not None),
            )
            for p in record.keep
        ],
        regions=[
            RegionView(
                action="add" if r.action == "add" else "remove",
                from_s=float(r.from_s),
                to_s=float(r.to_s),
                x0=float(r.x0),
                y0=float(r.y0),
                x1=float(r.x1),
                y1=float(r.y1),
                by=r.by,
            )
            for r in record.regions
        ],
        faces_found=int(record.faces_found) if record.faces_found is not None else None,
        faces_kept=int(record.faces_kept) if record.faces_kept is not None else None,
        unsure_at_s=[float(t) for t in record.unsure_at_s or []],
        signed_off=record.signed_off,
        signed_off_by=record.signed_off_by,
        signed_off_at=record.signed_off_at,
        updated_at=record.updated_at,
    )
