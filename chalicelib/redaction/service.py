"""Asking for a clip's redaction, correcting it, and a reviewer's sign-off.

Each change (faces to keep, regions) starts a new run: a new ``run_id``, a message on the
redaction queue, and the record back in ``processing``; the previous run stays watchable
until the new one is ready. A sign-off names the run the reviewer watched, so a later
change needs a new one. Who kept which face unblurred is in the audit trail.
"""

from __future__ import annotations

import secrets

from botocore.exceptions import BotoCoreError, ClientError

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
from chalicelib.db.base import utcnow
from chalicelib.errors import Conflict, DependencyUnavailable, Forbidden, InvalidInput, NotFound
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
        )
        record.save(condition=RedactionRecord.pk.does_not_exist())
    else:
        record.update(
            actions=[
                RedactionRecord.run_id.set(run_id),
                RedactionRecord.status.set(RedactionStatus.PROCESSING.value),
                RedactionRecord.progress.set(0),
                RedactionRecord.keep.set(keep),
                RedactionRecord.updated_at.set(utcnow()),
            ]
        )
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
    record.update(
        actions=[
            RedactionRecord.run_id.set(_new_run_id()),
            RedactionRecord.status.set(RedactionStatus.PROCESSING.value),
            RedactionRecord.progress.set(0),
            RedactionRecord.regions.set(regions),
            RedactionRecord.updated_at.set(utcnow()),
        ]
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
    record.update(
        actions=[
            RedactionRecord.signed_off_by.set(principal.user_id),
            RedactionRecord.signed_off_at.set(now),
            RedactionRecord.signed_off_run_id.set(request.run_id),
        ],
        condition=RedactionRecord.ready_run_id == request.run_id,
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
