"""What SES says about mail it sent: bounces and complaints, arriving through SNS on a queue.

SES publishes each event of the configuration set to an SNS topic, which delivers
it raw to the ``feedback`` queue (infrastructure/constructs/email.py). A permanent
bounce or any complaint suppresses the address for good (``mailing.suppress``); a
transient bounce (a full mailbox) does not. Only addresses and SES's own
diagnostic are kept: the event's copy of the message headers is dropped.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.jobs.batch import PoisonMessage
from chalicelib.notifications.mailing import suppress


class Recipient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    address: str = Field(alias="emailAddress", min_length=3)
    diagnostic: str | None = Field(default=None, alias="diagnosticCode")


class Bounce(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    bounce_type: str = Field(alias="bounceType")
    recipients: list[Recipient] = Field(alias="bouncedRecipients")


class Complaint(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    recipients: list[Recipient] = Field(alias="complainedRecipients")
    feedback_type: str | None = Field(default=None, alias="complaintFeedbackType")


class SesEvent(BaseModel):
    """Configuration-set events say ``eventType``; identity notifications ``notificationType``."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    event_type: str | None = Field(default=None, alias="eventType")
    notification_type: str | None = Field(default=None, alias="notificationType")
    bounce: Bounce | None = None
    complaint: Complaint | None = None

    @property
    def kind(self) -> str:
        return self.event_type or self.notification_type or ""


def parse(body: str) -> SesEvent:
    try:
        document: Any = json.loads(body)
        # Without raw delivery, SNS wraps the event in its own envelope.
        if isinstance(document, dict) and document.get("Type") == "Notification":
            document = json.loads(document["Message"])
        return SesEvent.model_validate(document)
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        raise PoisonMessage(f"not an SES event: {exc}") from exc


def record(event: SesEvent) -> int:
    """Suppress what the event says will not take mail; returns how many addresses."""
    if event.kind == "Bounce" and event.bounce and event.bounce.bounce_type == "Permanent":
        for recipient in event.bounce.recipients:
            suppress(recipient.address, "bounce", recipient.diagnostic)
        return len(event.bounce.recipients)
    if event.kind == "Complaint" and event.complaint:
        for recipient in event.complaint.recipients:
            suppress(recipient.address, "complaint", event.complaint.feedback_type)
        return len(event.complaint.recipients)
    return 0
