"""Opaque cursors over DynamoDB's LastEvaluatedKey.

A cursor is checked against the partition the caller is allowed to read, so a
crafted cursor can never start a query somewhere else.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from chalicelib.errors import InvalidInput


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, must_match: dict[str, str]) -> dict[str, Any] | None:
    """``must_match``: attribute name → the string value the key must carry."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is not valid", field="cursor") from exc
    if not isinstance(key, dict):
        raise InvalidInput("The cursor is not valid", field="cursor")
    if must_match and not is_table_key(key):
        raise InvalidInput("The cursor is not valid", field="cursor")
    for name, expected in must_match.items():
        if key.get(name) != {"S": expected}:
            raise InvalidInput("The cursor does not belong to this listing", field="cursor")
    return key


def is_table_key(key: dict[str, Any]) -> bool:
    """A LastEvaluatedKey of our table or its indexes: key attributes, string values only,
    so a crafted cursor cannot carry anything else into a query."""
    return bool(key) and all(
        _KEY_ATTRIBUTE.match(name)
        and isinstance(value, dict)
        and list(value) == ["S"]
        and isinstance(value["S"], str)
        for name, value in key.items()
    )


_KEY_ATTRIBUTE = re.compile(r"^(pk|sk|gsi[0-9]+(pk|sk))$")
