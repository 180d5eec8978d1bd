"""What the inbox and preference routes accept and answer (and the email queue's message)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.notifications.models import Kind

EmailModeName = Literal["immediately", "daily", "off"]
KIND_NAMES = ", ".join(kind.value for kind in Kind)


class NotificationView(BaseModel):
    id: str
    kind: str
    headline: str
    detail: str | None = Field(description="More for the inbox only (a rejection's reason)")
    web_path: str = Field(description="Where the web client opens it: video and moment, clip…")
    video_id: str | None
    at_s: float | None = Field(description="The moment of the video it is about")
    created_at: datetime
    read_at: datetime | None
    email_status: str = Field(description="none, pending, digest, sent, no_address, suppressed…")


class InboxQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unread: Literal["true", "false"] = "false"
    cursor: str | None = None
    limit: int = Field(default=25, ge=1, le=100)


class UnreadCount(BaseModel):
    unread: int = Field(description="Unread notifications, counted up to 100")
    more: bool = Field(description="There are more than ``unread``")


class NotificationPage(BaseModel):
    items: list[NotificationView]
    next_cursor: str | None
    unread: UnreadCount


class KindPreference(BaseModel):
    kind: str
    label: str
    enabled: bool


class PreferencesView(BaseModel):
    kinds: list[KindPreference]
    email: EmailModeName = Field(description="Email each one now, in a daily digest, or not")
    email_address: str | None = Field(description="Where ClassReel mails you (from your sign-in)")
    email_suppressed: bool = Field(description="That address bounced or complained: no more email")
    version: int


class PutPreferencesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: dict[str, bool] = Field(
        default_factory=dict, description=f"Kind → on/off; kinds: {KIND_NAMES}"
    )
    email: EmailModeName

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, kinds: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(kinds) - {kind.value for kind in Kind})
        if unknown:
            raise ValueError(
                f"not a notification kind: {', '.join(unknown)} (kinds are {KIND_NAMES})"
            )
        return kinds


class EmailJob(BaseModel):
    """An email queue message: the record it is about, a notification (``N#…``) or a
    person's digest of the day (``DIGEST#{day}``)."""

    pk: str = Field(min_length=1)
    sk: str = Field(min_length=1)


class UnsubscribeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=16, max_length=100, description="From the email's link")


class OneClickQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=16, max_length=100)


class Unsubscribed(BaseModel):
    email: EmailModeName = Field(description="Now off: no more email (the inbox stays)")
