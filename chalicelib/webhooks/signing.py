"""Signatures in the Standard Webhooks scheme (https://www.standardwebhooks.com).

Each delivery carries ``webhook-id`` (the delivery id, which receivers dedupe
on), ``webhook-timestamp`` (Unix seconds) and ``webhook-signature``: one or
more space-separated ``v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>``.
The id is inside what is signed, so a receiver can trust it for idempotency.

Secret rotation: for a while after a rotation every delivery is signed with the
new secret *and* the previous one, so a receiver that still holds the old
secret keeps verifying until it switches. Any Standard Webhooks library
(``standardwebhooks`` on PyPI, npm, ...) verifies these with the ``whsec_``
secret shown to the admin.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
# Not signed, informational: the same value is the envelope's signed "type".
EVENT_HEADER = "ClassReel-Event"

SECRET_PREFIX = "whsec_"  # noqa: S105  (the scheme's prefix, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret: its base64 payload.

    Secrets issued before the Standard Webhooks scheme were not base64; their
    text is the key (rotate them to get a standard one).
    """
    payload = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return secret.encode()
    return key or secret.encode()


def signature_header(keys: Sequence[str], message_id: str, timestamp: int, body: str) -> str:
    """``webhook-signature``: one ``v1,...`` per secret in force, space-separated."""
    at = datetime.fromtimestamp(timestamp, UTC)
    return " ".join(Webhook(signing_key(key)).sign(message_id, at, body) for key in keys)


def signed_headers(
    keys: Sequence[str], message_id: str, timestamp: int, body: str
) -> dict[str, str]:
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature_header(keys, message_id, timestamp, body),
    }


def verify(secret: str, body: str, headers: Mapping[str, str]) -> bool:
    """What a receiver does (with the library): signature over id, timestamp and body,
    timestamp within five minutes of now."""
    try:
        Webhook(signing_key(secret)).verify(body, dict(headers), json_parse=False)
    except WebhookVerificationError:
        return False
    return True
