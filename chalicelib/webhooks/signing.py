"""HMAC-SHA256 over ``{timestamp}.{body}``: receivers verify and reject old timestamps."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "ClassReel-Signature"
TIMESTAMP_HEADER = "ClassReel-Timestamp"
DELIVERY_HEADER = "ClassReel-Delivery"
EVENT_HEADER = "ClassReel-Event"


def sign(secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"v1={digest.hexdigest()}"


def verify(
    secret: str, timestamp: int, body: str, signature: str, *, now: int, tolerance_s: int = 300
) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse replays."""
    if abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
