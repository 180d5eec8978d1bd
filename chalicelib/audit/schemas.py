"""Shapes of the audit API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.audit.models import AuditRecord


class AuditEntryView(BaseModel):
    id: str
    at: datetime
    action: str = Field(description="e.g. video.viewed, video.shared, review.approved")
    actor_id: str
    actor_role: str
    video_id: str | None
    clip_id: str | None
    subject: str | None = Field(description="Whom or what else it concerned")
    actor_name: str | None = Field(
        default=None, description="The actor, as the directory names them"
    )
    subject_name: str | None = Field(
        default=None, description="The person or group the subject names, by name"
    )


class AuditPage(BaseModel):
    items: list[AuditEntryView]
    next_cursor: str | None


class VideoAuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=200)


class DistrictAuditQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: date = Field(description="First day (UTC), inclusive")
    until: date | None = Field(default=None, description="Last day (UTC), inclusive; today")
    cursor: str | None = None
    limit: int = Field(default=500, ge=1, le=1000)


def subject_id(subject: str | None) -> str | None:
    """The person or group id a subject names (a share's recipient: ``GROUP#{id}`` for a
    group), or None for notes such as ``school_coaches``."""
    if not subject or "=" in subject or subject == "school_coaches":
        return None
    return subject.removeprefix("GROUP#")


def entry_view(entry: AuditRecord, names: Mapping[str, str] | None = None) -> AuditEntryView:
    """``names``: id → display name, from the directory, for the actor and subject."""
    names = names or {}
    subject = subject_id(entry.subject)
    return AuditEntryView(
        actor_name=names.get(entry.actor_id),
        subject_name=names.get(subject) if subject else None,
        id=entry.audit_id,
        at=entry.at,
        action=entry.action,
        actor_id=entry.actor_id,
        actor_role=entry.actor_role,
        video_id=entry.video_id,
        clip_id=entry.clip_id,
        subject=entry.subject,
    )
