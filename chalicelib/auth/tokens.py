"""JWT verification: the same code checks Cognito tokens in AWS and dev tokens locally.

Only the source of public keys differs: Cognito publishes a JWKS URL, the local
dev issuer writes a JWKS file. Either way the signature, issuer, audience and
expiry are checked by PyJWT; there is no "auth off" mode.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Protocol

import jwt

from chalicelib.auth.principal import Principal
from chalicelib.config import Settings
from chalicelib.errors import Unauthenticated

ALGORITHMS = ["RS256"]
CLOCK_SKEW_S = 30
# Cognito marks its tokens ``token_use`` = "id" or "access"; RFC 9068 access
# tokens say ``typ: at+jwt``. Only ID tokens name the person and their groups for
# this app (an access token's audience is not checked the same way).
ID_TOKEN_USE = "id"  # noqa: S105  (a claim value, not a secret)
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})


class KeySource(Protocol):
    def signing_key(self, token: str) -> Any: ...


class JwksFileKeys:
    """Keys from a JWKS document on disk, re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._keys: dict[str, Any] = {}

    def signing_key(self, token: str) -> Any:
        kid = _unverified_kid(token)
        keys = self._load()
        if kid not in keys:
            raise Unauthenticated("The token was signed by an unknown key")
        return keys[kid]

    def _load(self) -> dict[str, Any]:
        try:
            mtime = self._path.stat().st_mtime
        except FileNotFoundError:
            raise Unauthenticated("No signing keys are configured on this server") from None
        with self._lock:
            if mtime != self._mtime:
                document = json.loads(self._path.read_text())
                jwk_set = jwt.PyJWKSet.from_dict(document)
                self._keys = {key.key_id: key.key for key in jwk_set.keys if key.key_id}
                self._mtime = mtime
            return self._keys


class JwksUrlKeys:
    """Keys from a remote JWKS endpoint (Cognito), cached by PyJWT."""

    def __init__(self, url: str) -> None:
        self._client = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)

    def signing_key(self, token: str) -> Any:
        try:
            return self._client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as exc:
            raise Unauthenticated("The identity provider's keys could not be fetched") from exc
        except jwt.PyJWKClientError as exc:
            raise Unauthenticated("The token was signed by an unknown key") from exc


def _unverified_kid(token: str) -> str:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as exc:
        raise Unauthenticated("The token is malformed") from exc
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise Unauthenticated("The token names no signing key")
    return kid


class TokenVerifier:
    def __init__(self, *, issuer: str, audience: str, keys: KeySource) -> None:
        self._issuer = issuer
        self._audience = audience
        self._keys = keys

    def verify(self, token: str) -> Principal:
        _refuse_access_tokens(token)
        key = self._keys.signing_key(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=CLOCK_SKEW_S,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("The token has expired") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthenticated("The token's signature is not valid") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthenticated("The token is not valid yet") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthenticated("The token was issued for another audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthenticated("The token comes from an issuer this API does not trust") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise Unauthenticated("The token's signing algorithm is not accepted") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"The token has no '{exc.claim}' claim") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated("The token is not valid") from exc
        return Principal.from_claims(claims)


def _refuse_access_tokens(token: str) -> None:
    """Refuse access tokens up front (reading unverified parts only ever refuses)."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.DecodeError as exc:
        raise Unauthenticated("The token is malformed") from exc
    typ = str(header.get("typ", "")).lower()
    if typ in ACCESS_TOKEN_TYPES or claims.get("token_use", ID_TOKEN_USE) != ID_TOKEN_USE:
        raise Unauthenticated("An ID token is required, not an access token")


def verifier_from_settings(settings: Settings) -> TokenVerifier:
    keys: KeySource
    if settings.jwks_url:
        keys = JwksUrlKeys(settings.jwks_url)
    else:
        keys = JwksFileKeys(settings.local_jwks_path)
    return TokenVerifier(issuer=settings.jwt_issuer, audience=settings.jwt_audience, keys=keys)


def bearer_token(authorization_header: str | None) -> str:
    if not authorization_header:
        raise Unauthenticated("Sign in first: the request has no Authorization header")
    scheme, _, token = authorization_header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header must be 'Bearer <token>'")
    return token.strip()
