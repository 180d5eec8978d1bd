"""Tokens an attacker (or a confused client) might present, each one way wrong.

Each is built with the dev issuer's real key wherever a signature is involved,
so the only thing wrong with it is the one named.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import DISTRICT_CLAIM
from chalicelib.config import Settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "intruder",
        "token_use": "id",
        "iat": now,
        "exp": now + 600,
        # What a Cognito token of a pool with groups would claim: never read.
        "cognito:groups": ["admin"],
        DISTRICT_CLAIM: "district-a",
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def _kid(settings: Settings) -> str:
    DevIssuer(settings).ensure_key()
    return str(json.loads(settings.local_jwks_path.read_text())["keys"][0]["kid"])


def _signed(settings: Settings, claims: dict[str, Any], **headers: Any) -> str:
    key = serialization.load_pem_private_key(
        (settings.dev_issuer_dir / "private.pem").read_bytes(), password=None
    )
    header = {"kid": _kid(settings), **headers}
    header = {name: value for name, value in header.items() if value is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers=header)  # type: ignore[arg-type]


def _public_pem(settings: Settings) -> bytes:
    key = serialization.load_pem_private_key(
        (settings.dev_issuer_dir / "private.pem").read_bytes(), password=None
    )
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def forged_tokens(settings: Settings) -> dict[str, str]:
    """Name of the flaw → a token with exactly that flaw."""
    kid = _kid(settings)
    claims = _claims(settings)
    unsigned = f"{_segment({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_segment(claims)}."
    # The classic confusion: HS256 keyed with the RSA public key everyone can read.
    hs_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_segment(claims)}"
    hs_signature = hmac.new(_public_pem(settings), hs_input.encode(), hashlib.sha256).digest()
    now = int(time.time())
    return {
        "alg_none": unsigned,
        "hs256_with_public_key": f"{hs_input}.{_b64(hs_signature)}",
        "wrong_issuer": _signed(settings, _claims(settings, iss="https://evil.example/")),
        "no_kid": _signed(settings, claims, kid=None),
        # What Cognito issues as an access token: no aud, client_id, token_use=access.
        "cognito_access_token": _signed(
            settings,
            _claims(
                settings,
                aud=None,
                client_id=settings.jwt_audience,
                token_use="access",
                scope="openid",
            ),
        ),
        "access_token_with_audience": _signed(settings, _claims(settings, token_use="access")),
        "access_token_typ": _signed(settings, claims, typ="at+jwt"),
        "not_yet_valid": _signed(settings, _claims(settings, nbf=now + 3600)),
        "another_audience": _signed(settings, _claims(settings, aud="another-app")),
    }


def forged_with_claims(settings: Settings, extra: dict[str, Any]) -> str:
    """A correctly signed dev-issuer token with ``extra`` claims besides the usual ones."""
    return _signed(settings, _claims(settings, **extra))
