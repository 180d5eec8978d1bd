"""Opaque cursors: a round trip, and a crafted or foreign cursor refused."""

from __future__ import annotations

import pytest

from chalicelib.db.pagination import decode_cursor, encode_cursor
from chalicelib.errors import InvalidInput


def test_cursor_round_trip_and_partition_check() -> None:
    key = {"gsi1pk": {"S": "OWNER#d#u"}, "gsi1sk": {"S": "2026#1"}, "pk": {"S": "V#1"}}
    cursor = encode_cursor(key)
    assert cursor is not None and "OWNER" not in cursor
    assert decode_cursor(cursor, must_match={"gsi1pk": "OWNER#d#u"}) == key
    with pytest.raises(InvalidInput, match="does not belong"):
        decode_cursor(cursor, must_match={"gsi1pk": "OWNER#d#someone-else"})
    with pytest.raises(InvalidInput):
        decode_cursor("%%%", must_match={})
    assert encode_cursor(None) is None
    assert decode_cursor(None, must_match={}) is None


@pytest.mark.parametrize(
    "key",
    [
        {"gsi1pk": {"S": "OWNER#d#u"}, "status": {"S": "ready"}},  # not a key attribute
        {"gsi1pk": {"S": "OWNER#d#u"}, "sk": {"N": "1"}},  # not a string
        {"gsi1pk": {"S": "OWNER#d#u"}, "sk": {"S": "a", "N": "1"}},
        {"gsi1pk": {"S": "OWNER#d#u"}, "sk": "META"},
    ],
)
def test_a_crafted_cursor_carries_only_string_key_attributes(key: dict[str, object]) -> None:
    cursor = encode_cursor(key)
    with pytest.raises(InvalidInput, match="not valid"):
        decode_cursor(cursor, must_match={"gsi1pk": "OWNER#d#u"})
