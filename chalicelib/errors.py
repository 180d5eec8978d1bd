"""Domain errors raised by services; ``chalicelib.api.middleware`` maps them to HTTP.

They derive from Chalice's ``ChaliceUnhandledError`` only because that is the one
exception type Chalice lets escape a view function to the middleware; services
never construct HTTP responses themselves.
"""

from __future__ import annotations

from typing import Any

from chalice.app import ChaliceUnhandledError


class DomainError(ChaliceUnhandledError):
    """Base class. ``code`` is a stable machine-readable slug for clients."""

    code = "error"

    def __init__(
        self, message: str, *, field: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Extra machine-readable context, e.g. the current state on a 409.
        self.details = details


class InvalidInput(DomainError):
    code = "invalid_input"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class Gone(DomainError):
    code = "gone"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class TooManyRequests(DomainError):
    """A quota or rate limit (chalicelib/limits/): the client may retry after a while."""

    code = "too_many_requests"

    def __init__(
        self, message: str, *, retry_after_s: int, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, details={**(details or {}), "retry_after_s": retry_after_s})
        self.retry_after_s = retry_after_s


class DependencyUnavailable(DomainError):
    code = "dependency_unavailable"
