"""JWT verification: the same code checks Cognito tokens in AWS and, locally, the dev
issuer's and the local OpenID Connect provider's.

The API trusts exactly the issuers of its settings (``trusted_issuers``): in AWS the
user pool; locally the dev issuer and the local provider. A token names its issuer
(``iss``), which picks the keys and audience to check it against; any other issuer is
refused before its signature is even looked at. The source of public keys differs
(Cognito and the local provider publish a JWKS URL, the dev issuer writes a JWKS
file); the signature, issuer, audience and expiry are checked by PyJWT either way.
There is no "auth off" mode. A verified token gives an ``Identity``; what the person
may do is the directory's to say (chalicelib/directory/membership.py).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Protocol

import jwt

from chalicelib.auth.principal import Identity, PeopleMatch
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
    """One trusted issuer: its keys, the audience its tokens must name, how they name people."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        keys: KeySource,
        match: PeopleMatch = PeopleMatch.SUBJECT,
        trusted_providers: frozenset[str] = frozenset(),
    ) -> None:
        self.issuer = issuer
        self._audience = audience
        self._keys = keys
        self._match = match
        self._trusted_providers = trusted_providers

    def verify(self, token: str) -> Identity:
        _refuse_access_tokens(token)
        key = self._keys.signing_key(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self.issuer,
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
        return Identity.from_claims(claims, self._match, self._trusted_providers)


class TrustedIssuers:
    """Every issuer this API trusts; a token goes to the one its ``iss`` names."""

    def __init__(self, verifiers: list[TokenVerifier]) -> None:
        self._by_issuer = {verifier.issuer: verifier for verifier in verifiers}

    @property
    def issuers(self) -> frozenset[str]:
        return frozenset(self._by_issuer)

    def verify(self, token: str) -> Identity:
        verifier = self._by_issuer.get(_unverified_issuer(token))
        if verifier is None:
            raise Unauthenticated("The token comes from an issuer this API does not trust")
        return verifier.verify(token)


def _unverified_issuer(token: str) -> str:
    """Only picks whose keys to check the token with; the check itself verifies ``iss``."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.DecodeError as exc:
        raise Unauthenticated("The token is malformed") from exc
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else ""


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


def verifier_from_settings(settings: Settings) -> TrustedIssuers:
    """The primary issuer (Cognito in AWS, the dev issuer locally) and, where configured,
    the local OpenID Connect provider: exactly these, no other."""
    keys: KeySource
    if settings.jwks_url:
        keys = JwksUrlKeys(settings.jwks_url)
    else:
        keys = JwksFileKeys(settings.local_jwks_path)
    verifiers = [
        TokenVerifier(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            keys=keys,
            match=PeopleMatch(settings.jwt_people_match),
            trusted_providers=frozenset(settings.jwt_trusted_email_providers),
        )
    ]
    if settings.oidc_issuer and settings.oidc_jwks_url:
        verifiers.append(
            TokenVerifier(
                issuer=settings.oidc_issuer,
                audience=settings.oidc_client_id,
                keys=JwksUrlKeys(settings.oidc_jwks_url),
                match=PeopleMatch.EMAIL,
            )
        )
    return TrustedIssuers(verifiers)


def bearer_token(authorization_header: str | None) -> str:
    if not authorization_header:
        raise Unauthenticated("Sign in first: the request has no Authorization header")
    scheme, _, token = authorization_header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header must be 'Bearer <token>'")
    return token.strip()
