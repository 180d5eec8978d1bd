"""Playback access as CloudFront signed cookies: a custom policy, signed with RSA-SHA1.

A viewer gets three cookies (``CloudFront-Policy``, ``CloudFront-Signature``,
``CloudFront-Key-Pair-Id``) scoped to one video's or clip's media path. In AWS
CloudFront checks them on every playlist and segment request; on the local
twin the local media server checks them the same way (``verify``), so an
expired or foreign cookie is refused locally as it is in AWS.

Format (AWS CloudFront developer guide, "Setting signed cookies using a custom
policy"): the policy is JSON without whitespace, and policy and signature are
base64 with ``+`` → ``-``, ``=`` → ``_``, ``/`` → ``~``.
"""

from __future__ import annotations

import base64
import fnmatch
import json
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

POLICY_COOKIE = "CloudFront-Policy"
SIGNATURE_COOKIE = "CloudFront-Signature"
KEY_PAIR_COOKIE = "CloudFront-Key-Pair-Id"
COOKIE_NAMES = (POLICY_COOKIE, SIGNATURE_COOKIE, KEY_PAIR_COOKIE)

_TO_CLOUDFRONT = str.maketrans("+=/", "-_~")
_FROM_CLOUDFRONT = str.maketrans("-_~", "+=/")


class AccessDenied(Exception):
    """The cookies do not grant this request (missing, forged, expired or another path)."""


def _encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode().translate(_TO_CLOUDFRONT)


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.translate(_FROM_CLOUDFRONT), validate=True)
    except ValueError as exc:
        raise AccessDenied("malformed cookie") from exc


def policy_document(resource: str, expires_at: datetime) -> str:
    statement = {
        "Resource": resource,
        "Condition": {"DateLessThan": {"AWS:EpochTime": int(expires_at.timestamp())}},
    }
    return json.dumps({"Statement": [statement]}, separators=(",", ":"))


@dataclass(frozen=True)
class PlaybackSigner:
    key_pair_id: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def from_pem(cls, key_pair_id: str, pem: bytes) -> PlaybackSigner:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError("CloudFront signs with an RSA key")
        return cls(key_pair_id, key)

    def cookies(self, resource: str, expires_at: datetime) -> dict[str, str]:
        """The three cookie values granting ``resource`` (a URL pattern) until ``expires_at``."""
        policy = policy_document(resource, expires_at).encode()
        signature = self.private_key.sign(policy, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
        return {
            POLICY_COOKIE: _encode(policy),
            SIGNATURE_COOKIE: _encode(signature),
            KEY_PAIR_COOKIE: self.key_pair_id,
        }


def verify(
    cookies: dict[str, str],
    url: str,
    now: datetime,
    public_keys: dict[str, rsa.RSAPublicKey],
) -> None:
    """Raise ``AccessDenied`` unless ``cookies`` grant ``url`` at ``now`` (what CloudFront does)."""
    missing = [name for name in COOKIE_NAMES if not cookies.get(name)]
    if missing:
        raise AccessDenied(f"missing {', '.join(missing)}")
    key = public_keys.get(cookies[KEY_PAIR_COOKIE])
    if key is None:
        raise AccessDenied("unknown key pair")
    policy = _decode(cookies[POLICY_COOKIE])
    try:
        key.verify(_decode(cookies[SIGNATURE_COOKIE]), policy, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    except InvalidSignature as exc:
        raise AccessDenied("bad signature") from exc
    try:
        (statement,) = json.loads(policy)["Statement"]
        resource = str(statement["Resource"])
        expires = int(statement["Condition"]["DateLessThan"]["AWS:EpochTime"])
    except (ValueError, KeyError, TypeError) as exc:
        raise AccessDenied("malformed policy") from exc
    if now.timestamp() >= expires:
        raise AccessDenied("expired")
    # CloudFront's wildcards: * matches any characters (also "/"), ? one character.
    if not fnmatch.fnmatchcase(url, resource):
        raise AccessDenied("not this resource")
