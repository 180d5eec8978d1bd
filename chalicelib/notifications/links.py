"""Absolute links in emails: the web client's address, and the unsubscribe links.

Locally the web client is the API server's own origin (``CLASSREEL_WEB_URL``). In AWS
the address is CloudFront's, known only once the distribution exists, while the
functions that mail are created before it: the stack writes it to an SSM
parameter (``CLASSREEL_WEB_URL_PARAMETER``) that is read here, once per process.
"""

from __future__ import annotations

import threading
from urllib.parse import quote

from chalicelib import aws
from chalicelib.config import Settings

_lock = threading.Lock()
_web_urls: dict[str, str] = {}


def web_url(settings: Settings) -> str:
    if not settings.web_url_parameter:
        return settings.web_url.rstrip("/")
    with _lock:
        if settings.web_url_parameter not in _web_urls:
            answer = aws.ssm_client(settings).get_parameter(Name=settings.web_url_parameter)
            _web_urls[settings.web_url_parameter] = str(answer["Parameter"]["Value"]).rstrip("/")
        return _web_urls[settings.web_url_parameter]


def page(settings: Settings, web_path: str) -> str:
    """``#/videos/v_1?t=3`` → the web client's address of that page."""
    return f"{web_url(settings)}/{web_path.lstrip('/')}"


def unsubscribe_page(settings: Settings, token: str) -> str:
    """The link in the email's text: a page that asks before it turns email off (a mail
    scanner that follows links must not unsubscribe anyone)."""
    return page(settings, f"#/unsubscribe?token={quote(token, safe='')}")


def one_click_unsubscribe(settings: Settings, token: str) -> str:
    """RFC 8058's List-Unsubscribe target: a POST from the mail client turns email off."""
    base = f"{web_url(settings)}{settings.api_base_path}"
    return f"{base}/unsubscribe/one-click?token={quote(token, safe='')}"
