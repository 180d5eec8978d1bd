"""The local stand-in for Cognito: an RSA key on disk that signs dev tokens.

The key is generated on first use and kept under the local data dir; the API
verifies dev tokens through the published JWKS file exactly as it verifies
Cognito tokens through Cognito's JWKS URL.
"""

from __future__ import annotations

import json
import os
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.auth.principal import (
    DISTRICT_CLAIM,
    EMAIL_CLAIM,
    GROUPS_CLAIM,
    NAME_CLAIM,
    SCHOOL_CLAIM,
    Role,
)
from chalicelib.config import Settings


class DevIssuer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._private_key_path = settings.dev_issuer_dir / "private.pem"
        self._jwks_path = settings.local_jwks_path

    def ensure_key(self) -> None:
        """Create the signing key and its JWKS once; later runs reuse them."""
        if self._private_key_path.exists() and self._jwks_path.exists():
            return
        self._private_key_path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Write the private key readable by its owner only, atomically.
        tmp = self._private_key_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        tmp.replace(self._private_key_path)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        jwk.update({"kid": uuid.uuid4().hex, "use": "sig", "alg": "RS256"})
        self._jwks_path.parent.mkdir(parents=True, exist_ok=True)
        self._jwks_path.write_text(json.dumps({"keys": [jwk]}, indent=2))

    def mint(
        self,
        *,
        user_id: str,
        role: Role,
        district: str,
        school: str | None = None,
        name: str | None = None,
        email: str | None = None,
        ttl_s: int | None = None,
        now: float | None = None,
    ) -> str:
        self.ensure_key()
        issued_at = int(now if now is not None else time.time())
        claims: dict[str, object] = {
            "iss": self._settings.jwt_issuer,
            "aud": self._settings.jwt_audience,
            "sub": user_id,
            "token_use": "id",
            "iat": issued_at,
            "exp": issued_at + (ttl_s if ttl_s is not None else self._settings.dev_token_ttl_s),
            GROUPS_CLAIM: [role.value],
            DISTRICT_CLAIM: district,
        }
        if school:
            claims[SCHOOL_CLAIM] = school
        if name:
            claims[NAME_CLAIM] = name
        if email:
            claims[EMAIL_CLAIM] = email
        kid = json.loads(self._jwks_path.read_text())["keys"][0]["kid"]
        private_key = serialization.load_pem_private_key(
            self._private_key_path.read_bytes(), password=None
        )
        return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": kid})  # type: ignore[arg-type]
