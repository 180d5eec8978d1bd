"""The one place where failures become HTTP responses."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from chalice.app import Response

from chalicelib.errors import (
    Conflict,
    DependencyUnavailable,
    DomainError,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthenticated,
)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    PayloadTooLarge: 413,
    TooManyRequests: 429,
    DependencyUnavailable: 503,
}

_OUTAGE_ERRORS = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
    ConnectionError,
)


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def error_body(
    code: str, message: str, field: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"error": code, "message": message}
    if field is not None:
        body["field"] = field
    if details:
        body.update(details)
    return body


def error_response(error: DomainError) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json"}
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="classreel"'
    if isinstance(error, DependencyUnavailable):
        headers["Retry-After"] = "5"
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after_s)
    return Response(
        body=error_body(error.code, error.message, error.field, error.details),
        status_code=status_for(error),
        headers=headers,
    )


def dependency_outage(exc: BaseException) -> DependencyUnavailable | None:
    """If ``exc`` (or anything that caused it) is a lost connection, say which service.

    PynamoDB wraps botocore errors in its own types, so the cause chain is walked.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _OUTAGE_ERRORS):
            endpoint = getattr(current, "kwargs", {}).get("endpoint_url", "a storage service")
            return DependencyUnavailable(
                f"A backing service is unavailable ({endpoint}); please retry shortly"
            )
        current = current.__cause__ or current.__context__
    return None
