"""Shapes of the retention API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.links import OwnExportLink


class ExportView(BaseModel):
    id: str
    status: str = Field(description="pending, ready or failed")
    created_at: datetime
    finished_at: datetime | None
    videos: int | None
    size_bytes: int | None
    download_url: OwnExportLink | None = Field(
        description="When ready: a short-lived link to the zip"
    )
    expires_at: datetime = Field(description="The zip and this record are deleted then")


class RetentionPolicyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_days: int | None = Field(
        default=None, ge=1, le=3650, description="Delete originals this many days after ready"
    )
    renditions_days: int | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="Delete playable files this many days after ready (not with a library clip)",
    )


class RetentionPolicyView(RetentionPolicyBody):
    district: str
    updated_by: str | None
    updated_at: datetime | None


class PreviewQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: datetime | None = Field(default=None, description="Plan as of this time (default now)")


class StepView(BaseModel):
    video_id: str
    action: str = Field(description="delete_source or delete_renditions")
    due_at: datetime


class RetentionPreview(BaseModel):
    district: str
    as_of: datetime
    steps: list[StepView] = Field(description="What would be deleted (a dry run: nothing is)")
    held: list[str] = Field(description="Videos a legal hold keeps whole")
    kept_for_library: list[str] = Field(description="Renditions kept: a clip is in the library")


class ExportJob(BaseModel):
    """An export queue message: build this teacher's data export."""

    district: str = Field(min_length=1)
    user_id: str = Field(min_length=1)
    export_id: str = Field(min_length=1)


class SafeguardsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    contains_students_without_consent: bool | None = Field(
        default=None, description="The owner, a coach it is shared with, or an admin"
    )
    legal_hold: bool | None = Field(default=None, description="District admins only")
    reason: str | None = Field(default=None, max_length=2000, description="Why (kept in audit)")
