from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import BaseModel

from chalicelib.api.bodies import parse_body
from chalicelib.api.pagination import decode_cursor, encode_cursor
from chalicelib.errors import InvalidInput, PayloadTooLarge


class Body(BaseModel):
    name: str
    count: int = 0


@dataclass
class FakeRequest:
    raw_body: bytes


def test_valid_body() -> None:
    assert parse_body(FakeRequest(b'{"name": "x", "count": 2}'), Body) == Body(name="x", count=2)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "error", "field"),
    [
        (b"\xff", InvalidInput, "body"),
        (b"{", InvalidInput, "body"),
        (b'"str"', InvalidInput, "body"),
        (b'{"count": "many"}', InvalidInput, "name"),
        (b'{"name": "x", "count": "many"}', InvalidInput, "count"),
        (b"[" * 5000 + b"]" * 5000, InvalidInput, "body"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, InvalidInput, "body"),
        (b'{"name": "' + b"x" * 300_000 + b'"}', PayloadTooLarge, None),
    ],
)
def test_bad_bodies(raw: bytes, error: type[Exception], field: str | None) -> None:
    with pytest.raises(error) as raised:
        parse_body(FakeRequest(raw), Body)  # type: ignore[arg-type]
    assert getattr(raised.value, "field", None) == field


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
