"""Where the playback signer's private key comes from: Secrets Manager in AWS, a file locally.

Read once per process (a warm Lambda keeps it); the local stack writes the
file (and its public half, which the local media server checks cookies with).
"""

from __future__ import annotations

import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.playback.signing import PlaybackSigner

_lock = threading.Lock()
_signers: dict[tuple[str, str], PlaybackSigner] = {}


def signer(settings: Settings) -> PlaybackSigner:
    source = settings.playback_private_key_secret or str(settings.local_playback_key_path)
    key = (settings.playback_key_pair_id, source)
    with _lock:
        found = _signers.get(key)
    if found is None:
        found = PlaybackSigner.from_pem(settings.playback_key_pair_id, _private_pem(settings))
        with _lock:
            _signers[key] = found
    return found


def _private_pem(settings: Settings) -> bytes:
    if settings.playback_private_key_secret:
        secret = aws.secrets_client(settings).get_secret_value(
            SecretId=settings.playback_private_key_secret
        )
        return str(secret["SecretString"]).encode()
    return settings.local_playback_key_path.read_bytes()


def ensure_local_key(path: Path) -> None:
    """Make the local twin's key pair once (private.pem and public.pem beside it)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    public_path(path).write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def public_path(private_path: Path) -> Path:
    return private_path.with_name("public.pem")


def load_public_key(private_path: Path) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(public_path(private_path).read_bytes())
    if not isinstance(key, rsa.RSAPublicKey):
        raise TypeError("the playback key is RSA")
    return key
