"""The local twin's OpenID Connect provider: a real one (npm oidc-provider, provider.mjs) on
loopback, with the directory's people as its accounts, so the web client signs in with the
authorization code and PKCE exactly as against Cognito's hosted UI in AWS.

This module makes its signing key, writes its first accounts and says how to start it;
`LocalStack` runs it beside the API and tells the API to trust its tokens (and no other
issuer's but the dev issuer's).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.config import Settings

PROVIDER_SCRIPT = Path(__file__).resolve().parent / "provider.mjs"


def signing_keys_path(settings: Settings) -> Path:
    return settings.data_dir / "oidc" / "signing-jwks.json"


def ensure_signing_key(settings: Settings) -> Path:
    """The provider's private signing key as a JWK set, made once, readable by us only."""
    path = signing_keys_path(settings)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    jwk.update({"kid": uuid.uuid4().hex, "use": "sig", "alg": "RS256"})
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"keys": [jwk]}, handle)
    tmp.replace(path)
    return path


def provider_argv() -> list[str]:
    node = shutil.which("node")
    if node is None:
        raise FileNotFoundError("node is missing: scripts/setup.sh installs Node.js")
    return [node, str(PROVIDER_SCRIPT)]


def provider_env(settings: Settings, web_origins: list[str]) -> dict[str, str]:
    """What provider.mjs reads: who it is, its one client, keys, accounts, lifetimes."""
    if not settings.oidc_issuer:
        raise ValueError("CLASSREEL_OIDC_ISSUER names the provider")
    return {
        "OIDC_ISSUER": settings.oidc_issuer,
        "OIDC_CLIENT_ID": settings.oidc_client_id,
        # Cognito's callback is the web client's root; so is this one.
        "OIDC_REDIRECT_URIS": ",".join(f"{origin}/" for origin in web_origins),
        "OIDC_JWKS_PATH": str(ensure_signing_key(settings)),
        "OIDC_ACCOUNTS_PATH": str(settings.local_accounts_path),
        "OIDC_PASSWORD": settings.oidc_password,
        "OIDC_ID_TOKEN_TTL_S": str(settings.oidc_id_token_ttl_s),
    }
