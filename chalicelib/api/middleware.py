"""HTTP middleware: correlation ids, authentication, and domain errors → JSON."""

from __future__ import annotations

import threading
from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.api.context import reset_principal, set_principal
from chalicelib.api.errors import error_response
from chalicelib.api.routing import PUBLIC_PATHS
from chalicelib.auth.principal import Principal
from chalicelib.auth.tokens import TokenVerifier, bearer_token, verifier_from_settings
from chalicelib.config import get_settings
from chalicelib.errors import DomainError
from chalicelib.events import relay
from chalicelib.observability import logger

_verifier_lock = threading.Lock()
_verifier: TokenVerifier | None = None


def token_verifier() -> TokenVerifier:
    global _verifier  # noqa: PLW0603  (one verifier per process: it caches keys)
    with _verifier_lock:
        if _verifier is None:
            _verifier = verifier_from_settings(get_settings())
        return _verifier


def http_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    try:
        return _authenticated(event, get_response)
    finally:
        # Events the request committed are delivered now (best effort); the
        # stream and the sweep deliver whatever this misses.
        relay.flush()


def _authenticated(event: Request, get_response: Callable[[Request], Response]) -> Response:
    request_id = event.context.get("requestId")
    if request_id:
        logger.set_correlation_id(request_id)
    resource_path = event.context.get("resourcePath", "")
    try:
        principal: Principal | None = None
        if resource_path not in PUBLIC_PATHS:
            principal = token_verifier().verify(bearer_token(event.headers.get("authorization")))
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
