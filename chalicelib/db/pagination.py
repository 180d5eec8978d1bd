"""Opaque cursors over DynamoDB's LastEvaluatedKey.

A cursor is checked against the partition the caller is allowed to read, so a
crafted cursor can never start a query somewhere else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

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


T = TypeVar("T")
_MERGE_KEY = "before"


def merge_newest(
    partitions: list[str],
    fetch: Callable[[str, str | None], Iterable[T]],
    sort_key: Callable[[T], str],
    limit: int,
    cursor: str | None,
    *,
    listing: str,
) -> tuple[list[T], str | None]:
    """One page, newest first, over several index partitions that share a sort-key format
    (a coach's schools, a person and their groups): each is queried for at most ``limit``
    items older than the cursor, the results merged. The cursor is the last sort key shown,
    bound to ``listing`` (whose listing, which scope): another listing's cursor is refused."""
    before = _merge_position(cursor, listing)
    seen: dict[str, T] = {}
    # A partition that filled its page may hold more beyond it.
    full = False
    for partition in partitions:
        fetched = 0
        for item in fetch(partition, before):
            fetched += 1
            seen.setdefault(sort_key(item), item)
        full = full or fetched >= limit
    ordered = [seen[key] for key in sorted(seen, reverse=True)]
    page = ordered[:limit]
    more = len(ordered) > limit or full
    return page, _merge_cursor(sort_key(page[-1]), listing) if more and page else None


def _listing_mark(listing: str) -> str:
    return hashlib.sha256(listing.encode()).hexdigest()[:16]


def _merge_cursor(before: str, listing: str) -> str | None:
    return encode_cursor({_MERGE_KEY: before, "of": _listing_mark(listing)})


def _merge_position(cursor: str | None, listing: str) -> str | None:
    if not cursor:
        return None
    position = decode_cursor(cursor, must_match={})
    if not isinstance(position, dict) or set(position) != {_MERGE_KEY, "of"}:
        raise InvalidInput("The cursor does not belong to this listing", field="cursor")
    before = position[_MERGE_KEY]
    if not isinstance(before, str) or position["of"] != _listing_mark(listing):
        raise InvalidInput("The cursor does not belong to this listing", field="cursor")
    return before
