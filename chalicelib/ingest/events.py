"""Parsing S3 notifications delivered through SQS.

S3 URL-encodes object keys in notifications (spaces become '+'), so keys are
decoded with ``unquote_plus``. The one-off ``s3:TestEvent`` S3 sends when a
notification is configured carries no records and is ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.jobs.batch import PoisonMessage


class MalformedNotification(PoisonMessage):
    """The message body is not an S3 notification; retrying will not help."""


class _S3Object(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: str = Field(min_length=1)
    size: int = Field(default=0, ge=0)
    eTag: str | None = None  # noqa: N815  (AWS's field name)
    versionId: str | None = None  # noqa: N815
    sequencer: str | None = None


class _S3Bucket(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1)


class _S3Entity(BaseModel):
    model_config = ConfigDict(extra="ignore")
    bucket: _S3Bucket
    object: _S3Object


class _S3Record(BaseModel):
    model_config = ConfigDict(extra="ignore")
    eventSource: str = "aws:s3"  # noqa: N815
    eventName: str  # noqa: N815
    s3: _S3Entity


class _S3Notification(BaseModel):
    model_config = ConfigDict(extra="ignore")
    Records: list[_S3Record] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ObjectCreated:
    bucket: str
    key: str
    size: int
    etag: str | None
    version_id: str | None
    sequencer: str | None
    event_name: str


def parse_s3_notification(body: str) -> list[ObjectCreated]:
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise MalformedNotification(f"message body is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise MalformedNotification("message body is not a JSON object")
    if document.get("Event") == "s3:TestEvent":
        return []
    if "Records" not in document:
        raise MalformedNotification("message body has no S3 Records")
    try:
        notification = _S3Notification.model_validate(document)
    except ValidationError as exc:
        raise MalformedNotification(f"not an S3 notification: {exc.errors()[0]['msg']}") from exc
    return [
        ObjectCreated(
            bucket=record.s3.bucket.name,
            key=unquote_plus(record.s3.object.key),
            size=record.s3.object.size,
            etag=record.s3.object.eTag,
            version_id=record.s3.object.versionId,
            sequencer=record.s3.object.sequencer,
            event_name=record.eventName,
        )
        for record in notification.Records
        if record.eventSource == "aws:s3" and record.eventName.startswith("ObjectCreated:")
    ]
