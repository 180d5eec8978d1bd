"""The local mail server's messages on disk, as the local mail viewer reads them.

Each message the server accepts is one ``{id}.eml`` file (the bytes as they were
sent) beside ``{id}.json`` (the SMTP envelope and when it arrived), written under a
temporary name and renamed, so a reader never sees half a message. Ids sort by
arrival.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

MESSAGE_ID = re.compile(r"^\d{8}T\d{6}\d{6}-[0-9a-f]{8}$")


@dataclass(frozen=True)
class Envelope:
    mail_from: str
    rcpt_tos: list[str]
    received_at: str


def keep(directory: Path, envelope: Envelope, content: bytes) -> str:
    """Store one accepted message; returns its id."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    message_id = f"{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"
    for suffix, data in (
        (".eml", content),
        (".json", json.dumps(envelope.__dict__).encode()),
    ):
        partial = directory / f".{message_id}{suffix}.partial"
        partial.write_bytes(data)
        partial.rename(directory / f"{message_id}{suffix}")
    return message_id


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as handle:
        parsed = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(parsed, EmailMessage)  # noqa: S101  (policy.default builds these)
    return parsed


def _part(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return None
    content = part.get_content()
    return content if isinstance(content, str) else None


def summaries(directory: Path, limit: int = 200) -> list[dict[str, Any]]:
    """The newest messages first: id, envelope, subject and headers that matter."""
    if not directory.is_dir():
        return []
    found = sorted((p for p in directory.glob("*.eml") if MESSAGE_ID.match(p.stem)), reverse=True)
    return [_summary(path) for path in found[:limit]]


def _summary(path: Path) -> dict[str, Any]:
    message = _parse(path)
    envelope = json.loads(path.with_suffix(".json").read_text())
    return {
        "id": path.stem,
        "received_at": envelope["received_at"],
        "mail_from": envelope["mail_from"],
        "rcpt_tos": envelope["rcpt_tos"],
        "from": str(message.get("From", "")),
        "to": str(message.get("To", "")),
        "subject": str(message.get("Subject", "")),
    }


def read(directory: Path, message_id: str) -> dict[str, Any] | None:
    """One message: its summary, every header, the plain-text and HTML parts."""
    if not MESSAGE_ID.match(message_id):
        return None
    path = directory / f"{message_id}.eml"
    if not path.is_file():
        return None
    message = _parse(path)
    return {
        **_summary(path),
        "headers": [[name, str(value)] for name, value in message.items()],
        "text": _part(message, "plain"),
        "html": _part(message, "html"),
    }
