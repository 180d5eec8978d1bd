"""HTTP middleware: correlation ids, latency, authentication, domain errors → JSON, and the
relay of the events a request committed.

Authentication is two steps: the token's signature says who (an ``Identity``), then the
district's directory says what they may do (a ``Principal``: roles, schools, groups),
read once per request by the resolver app.py installs (chalicelib/directory/membership.py).

A request nobody is signed in to is held to its source address's limit
(chalicelib/limits/): one without a token, and every request to a public route, before any
work is done for it; one whose token fails, once it has failed (a valid token must never be
refused for what others at the same address, a school's network, send without one).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from botocore.exceptions import BotoCoreError
from chalice.app import Request, Response
from pynamodb.exceptions import PynamoDBException

from chalicelib.api.context import reset_principal, set_principal
from chalicelib.api.errors import dependency_outage, error_response
from chalicelib.api.routing import PUBLIC_PATHS
from chalicelib.auth.principal import Identity, Principal
from chalicelib.auth.tokens import TrustedIssuers, bearer_token, verifier_from_settings
from chalicelib.config import Settings, get_settings
from chalicelib.errors import DomainError, Unauthenticated
from chalicelib.events import relay
from chalicelib.limits.service import consume_anonymous
from chalicelib.observability import correlated, logger, metrics

# Every response names the id its log lines (and the jobs it queued) carry.
CORRELATION_HEADER = "X-Correlation-Id"

_verifier_lock = threading.Lock()
_verifier: tuple[Settings, TrustedIssuers] | None = None

PeopleResolver = Callable[[Identity], Principal]
_resolver: list[PeopleResolver] = []


def install_people_resolver(resolver: PeopleResolver) -> None:
    """Who an identity is in the directory (app.py installs the directory's own)."""
    _resolver[:] = [resolver]


def principal_for(identity: Identity) -> Principal:
    if not _resolver:
        # Fail closed: without the directory nobody's roles are known.
        raise RuntimeError("no people resolver installed: nobody can be authorized")
    try:
        return _resolver[0](identity)
    except (PynamoDBException, BotoCoreError) as exc:
        outage = dependency_outage(exc)
        if outage is None:
            raise
        raise outage from exc


def authenticate(authorization_header: str | None) -> Principal:
    return principal_for(token_verifier().verify(bearer_token(authorization_header)))


def token_verifier() -> TrustedIssuers:
    """One verifier per settings: it caches keys, and settings read again after
    ``reset_settings_cache`` (another issuer or JWKS file) must not meet the old keys."""
    global _verifier  # noqa: PLW0603  (one per process, as the settings are)
    settings = get_settings()
    with _verifier_lock:
        if _verifier is None or _verifier[0] is not settings:
            _verifier = (settings, verifier_from_settings(settings))
        return _verifier[1]


def optional_principal(authorization_header: str | None) -> Principal | None:
    """On a public route: who is calling, if they sent a valid token; else nobody."""
    if not authorization_header:
        return None
    try:
        return authenticate(authorization_header)
    except DomainError:
        return None


def correlation_id(event: Request) -> str:
    """API Gateway's request id; the Lambda request id (or a new one) where there is none."""
    request_id = event.context.get("requestId") or getattr(
        event.lambda_context, "aws_request_id", None
    )
    return str(request_id or uuid.uuid4())


def http_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    started = time.perf_counter()
    with correlated(correlation_id(event)):
        try:
            response = _authenticated(event, get_response)
        finally:
            # Events the request committed are delivered now (best effort); the
            # stream and the sweep deliver whatever this misses.
            relay.flush()
        response.headers[CORRELATION_HEADER] = logger.get_correlation_id() or ""
    metrics.record_milliseconds(
        "ApiLatency",
        (time.perf_counter() - started) * 1000,
        status=f"{response.status_code // 100}xx",
    )
    return response


def source_address(event: Request) -> str:
    """The caller's address as API Gateway saw it (never a header the caller wrote)."""
    identity = event.context.get("identity") or {}
    address = identity.get("sourceIp")
    return address if isinstance(address, str) and address else "unknown"


def count_anonymous(address: str, settings: Settings | None = None) -> None:
    """One request without a sign-in from ``address``, or 429 (``TooManyRequests``)."""
    try:
        consume_anonymous(address, settings or get_settings())
    except (PynamoDBException, BotoCoreError) as exc:
        if dependency_outage(exc) is None:
            raise
        # Not counted while the table is away: /health must still say that it is.
        logger.warning("anonymous request not counted: the table is unreachable")


def _signed_in(event: Request, authorization: str | None) -> Principal:
    try:
        return authenticate(authorization)
    except Unauthenticated:
        if authorization:
            # A token that fails makes a request without a sign-in like any other.
            count_anonymous(source_address(event))
        raise


def _authenticated(event: Request, get_response: Callable[[Request], Response]) -> Response:
    resource_path = event.context.get("resourcePath", "")
    try:
        principal: Principal | None = None
        authorization = event.headers.get("authorization")
        public = resource_path in PUBLIC_PATHS
        if public or not authorization:
            count_anonymous(source_address(event))
        if not public:
            principal = _signed_in(event, authorization)
        token = set_principal(principal)
        try:
            return get_response(event)
        finally:
            reset_principal(token)
    except DomainError as error:
        log = logger.warning if error.code != "dependency_unavailable" else logger.error
        log(
            "request refused",
            extra={"path": event.path, "code": error.code, "reason": error.message},
        )
        return error_response(error)
