"""What a refused caller is told: 429, Retry-After, and which limit, in words and in JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from chalicelib.api.errors import error_response
from chalicelib.api.openapi import build_spec
from chalicelib.errors import TooManyRequests
from chalicelib.limits.service import DAY_S, MINUTE_S, _readable, _window


def test_a_refusal_is_a_json_429_with_retry_after() -> None:
    error = TooManyRequests(
        "You have reached the limit of 5 data exports today; try again in 3 hours.",
        retry_after_s=10_800,
        details={"quota": "exports", "scope": "user", "limit": 5},
    )
    response = error_response(error)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "10800"
    assert response.headers["Content-Type"] == "application/json"
    body = json.loads(json.dumps(response.body))
    assert body == {
        "error": "too_many_requests",
        "message": error.message,
        "quota": "exports",
        "scope": "user",
        "limit": 5,
        "retry_after_s": 10_800,
    }


def test_windows_end_on_the_minute_and_at_midnight_utc() -> None:
    now = datetime(2026, 12, 3, 21, 14, 30, 500_000, tzinfo=UTC)
    assert _window(now, MINUTE_S) == (
        datetime(2026, 12, 3, 21, 14, tzinfo=UTC),
        datetime(2026, 12, 3, 21, 15, tzinfo=UTC),
    )
    assert _window(now, DAY_S) == (
        datetime(2026, 12, 3, tzinfo=UTC),
        datetime(2026, 12, 4, tzinfo=UTC),
    )


def test_the_wait_reads_in_the_unit_a_person_would_use() -> None:
    assert _readable(45) == "45 seconds"
    assert _readable(600) == "10 minutes"
    assert _readable(10_800) == "3 hours"


def test_every_protected_operation_documents_the_429() -> None:
    spec = build_spec()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if operation["security"]:
                assert "429" in operation["responses"], (method, path)
