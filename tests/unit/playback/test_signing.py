"""Signed playback cookies: CloudFront's custom-policy format, checked as CloudFront checks it."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from chalicelib.playback.signing import (
    KEY_PAIR_COOKIE,
    POLICY_COOKIE,
    SIGNATURE_COOKIE,
    AccessDenied,
    PlaybackSigner,
    verify,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SIGNER = PlaybackSigner("K2JCJMDEHXQW5F", KEY)
PUBLIC = {"K2JCJMDEHXQW5F": KEY.public_key()}
RESOURCE = "http://127.0.0.1:8000/media/videos/abc/*"
LATER = NOW + timedelta(hours=1)


def _cookies(expires: datetime = NOW + timedelta(hours=1)) -> dict[str, str]:
    return SIGNER.cookies(RESOURCE, expires)


def test_the_cookies_grant_the_videos_media_until_they_expire() -> None:
    cookies = _cookies()
    verify(cookies, "http://127.0.0.1:8000/media/videos/abc/j1/hls/720p/seg_00001.m4s", NOW, PUBLIC)
    with pytest.raises(AccessDenied, match="expired"):
        verify(
            cookies, "http://127.0.0.1:8000/media/videos/abc/x", NOW + timedelta(hours=1), PUBLIC
        )


def test_the_format_is_cloudfronts() -> None:
    cookies = _cookies()
    assert cookies[KEY_PAIR_COOKIE] == "K2JCJMDEHXQW5F"
    for value in (cookies[POLICY_COOKIE], cookies[SIGNATURE_COOKIE]):
        assert not set(value) & set("+=/"), "CloudFront's base64 alphabet"
    raw = cookies[POLICY_COOKIE].translate(str.maketrans("-_~", "+=/"))
    policy = base64.b64decode(raw)
    assert b" " not in policy
    statement = json.loads(policy)["Statement"][0]
    assert statement["Resource"] == RESOURCE
    assert statement["Condition"]["DateLessThan"]["AWS:EpochTime"] == int(
        (NOW + timedelta(hours=1)).timestamp()
    )
    signature = base64.b64decode(cookies[SIGNATURE_COOKIE].translate(str.maketrans("-_~", "+=/")))
    KEY.public_key().verify(signature, policy, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/media/videos/other/seg.m4s", "not this resource"),
        ("http://127.0.0.1:8000/media/clips/abc/seg.m4s", "not this resource"),
    ],
)
def test_another_videos_media_is_refused(url: str, reason: str) -> None:
    with pytest.raises(AccessDenied, match=reason):
        verify(_cookies(), url, NOW, PUBLIC)


def test_forged_missing_or_foreign_cookies_are_refused() -> None:
    cookies = _cookies()
    url = "http://127.0.0.1:8000/media/videos/abc/seg.m4s"
    longer = SIGNER.cookies(RESOURCE, NOW + timedelta(days=30))
    with pytest.raises(AccessDenied, match="bad signature"):
        verify({**cookies, POLICY_COOKIE: longer[POLICY_COOKIE]}, url, NOW, PUBLIC)
    with pytest.raises(AccessDenied, match="missing"):
        verify({POLICY_COOKIE: cookies[POLICY_COOKIE]}, url, NOW, PUBLIC)
    other = PlaybackSigner("OTHER", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with pytest.raises(AccessDenied, match="unknown key pair"):
        verify(other.cookies(RESOURCE, NOW + timedelta(hours=1)), url, NOW, PUBLIC)
    with pytest.raises(AccessDenied, match="malformed"):
        verify({**cookies, SIGNATURE_COOKIE: "***"}, url, NOW, PUBLIC)
