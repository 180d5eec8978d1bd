"""The authenticated caller of the request being handled.

A context variable rather than a global: the local API server handles requests
on several threads, Lambda on one.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

from chalicelib.auth.principal import Principal
from chalicelib.errors import Unauthenticated

_principal: ContextVar[Principal | None] = ContextVar("classreel_principal", default=None)


def current_principal() -> Principal:
    principal = _principal.get()
    if principal is None:
        raise Unauthenticated("Sign in first")
    return principal


def set_principal(principal: Principal | None) -> Token[Principal | None]:
    return _principal.set(principal)


def reset_principal(token: Token[Principal | None]) -> None:
    _principal.reset(token)
