"""The security headers of the web client's responses, decided once.

In AWS CloudFront sends them (infrastructure/constructs/web.py, a response
headers policy on the distribution); locally the API server sends the same
ones (classreel/local/api_server.py), so the browser tests run the client under
the policy it gets in production.

The web client is one same-origin bundle (app.js, styles.css; Uppy included):
no inline script or style, no eval. It talks to its own origin (the API), to
the uploads bucket (presigned POST and multipart part PUTs), to the media
bucket (playback links, posters, storyboard sprites and their WebVTT) and, in
AWS, to Cognito's hosted UI (the code exchange and refresh at /oauth2/token; locally, the
local OpenID Connect provider).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

HSTS_MAX_AGE_S = 2 * 365 * 24 * 3600

# Sent as they are, everywhere (CloudFront has a field for the first three).
CONTENT_TYPE_OPTIONS = "nosniff"
FRAME_OPTIONS = "DENY"
REFERRER_POLICY = "no-referrer"
# The client needs none of these; file inputs (a phone's camera roll) need no permission.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()"
CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"


def content_security_policy(
    *, connect: Sequence[str], media: Sequence[str], https_only: bool
) -> str:
    """``connect``: origins the client calls (hosted UI, uploads bucket); ``media``:
    origins of playback links, posters and sprites (fetched too: the WebVTT)."""
    directives: list[tuple[str, list[str]]] = [
        ("default-src", ["'none'"]),
        ("script-src", ["'self'"]),
        ("style-src", ["'self'"]),
        ("img-src", ["'self'", "data:", "blob:", *media]),
        # blob: for Media Source playback (an HLS player feeds <video> from blob: URLs).
        ("media-src", ["'self'", "blob:", *media]),
        ("connect-src", ["'self'", *connect, *media]),
        ("worker-src", ["'self'", "blob:"]),
        ("font-src", ["'self'"]),
        ("manifest-src", ["'self'"]),
        ("form-action", ["'self'"]),
        ("frame-ancestors", ["'none'"]),
        ("base-uri", ["'none'"]),
        ("object-src", ["'none'"]),
    ]
    policy = "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives)
    return f"{policy}; upgrade-insecure-requests" if https_only else policy


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def local_headers(s3_endpoint_url: str | None, *, sign_in: str | None = None) -> dict[str, str]:
    """What the local API server sends with the web client's files (no HSTS on http).
    ``sign_in``: the local OpenID Connect provider (discovery, token exchange, refresh)."""
    storage = [origin_of(s3_endpoint_url)] if s3_endpoint_url else []
    provider = [origin_of(sign_in)] if sign_in else []
    return {
        "Content-Security-Policy": content_security_policy(
            connect=[*storage, *provider], media=storage, https_only=False
        ),
        "X-Content-Type-Options": CONTENT_TYPE_OPTIONS,
        "X-Frame-Options": FRAME_OPTIONS,
        "Referrer-Policy": REFERRER_POLICY,
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": CROSS_ORIGIN_OPENER_POLICY,
        "Cross-Origin-Resource-Policy": CROSS_ORIGIN_RESOURCE_POLICY,
    }
