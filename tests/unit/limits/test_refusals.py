"""What a refused caller is told: 429, Retry-After, and which limit, in words and in JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from chalice.app import Request

from chalicelib.api.errors import error_response
from chalicelib.api.middleware import source_address
from chalicelib.api.openapi import build_spec
from chalicelib.config import Settings
from chalicelib.errors import TooManyRequests
from chalicelib.limits.service import DAY_S, MINUTE_S, Quota, _readable, _refusal, _window, limits


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


def test_every_operation_documents_the_429() -> None:
    # Protected ones for their callers' rates, public ones for anonymous callers' addresses.
    spec = build_spec()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], (method, path)


def test_an_anonymous_refusal_names_the_addresss_limit() -> None:
    limit = limits(Settings())[Quota.ANONYMOUS_REQUESTS]
    refused = _refusal("address", Quota.ANONYMOUS_REQUESTS, limit, 120, 41.2)
    assert refused.message == (
        "Your address has reached the limit of 120 requests without sign-in this minute; "
        "try again in 42 seconds."
    )
    assert refused.details == {
        "quota": "anonymous_requests",
        "scope": "address",
        "limit": 120,
        "retry_after_s": 42,
    }


def _request(identity: dict[str, str] | None, headers: dict[str, str]) -> Request:
    context: dict[str, object] = {"httpMethod": "GET", "resourcePath": "/health"}
    if identity is not None:
        context["identity"] = identity
    event = {
        "requestContext": context,
        "headers": headers,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "body": None,
    }
    return Request(event)


def test_the_address_is_the_one_api_gateway_saw_never_a_header() -> None:
    spoofed = {"x-forwarded-for": "198.51.100.1", "cloudfront-viewer-address": "198.51.100.2:1"}
    assert source_address(_request({"sourceIp": "203.0.113.9"}, spoofed)) == "203.0.113.9"
    assert source_address(_request(None, spoofed)) == "unknown"
