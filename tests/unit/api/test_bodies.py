"""Request bodies: parsed strictly, refused naming the field."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import BaseModel

from chalicelib.api.bodies import parse_body
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
