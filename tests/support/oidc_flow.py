"""The authorization-code flow with PKCE against the local OpenID Connect provider, driven
as a browser would drive it (redirects, the login form), for tests that need its tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

CLIENT_ID = "classreel-web"
TIMEOUT_S = 30


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class SignInRefused(Exception):
    def __init__(self, status: int, page: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.page = page


def sign_in(issuer: str, redirect_uri: str, email: str, password: str) -> dict[str, Any]:
    """The token response (id_token, refresh_token, ...) for this account."""
    browser = requests.Session()
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(16)
    response = browser.get(
        f"{issuer}/auth",
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": "openid email profile",
            "state": state,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
        },
        timeout=TIMEOUT_S,
    )
    login = urljoin(response.url + "/", "login")
    response = browser.post(
        login, data={"email": email, "password": password}, allow_redirects=False, timeout=TIMEOUT_S
    )
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(redirect_uri):
            query = parse_qs(urlsplit(location).query)
            assert query["state"] == [state]
            return _token(
                browser,
                issuer,
                {
                    "grant_type": "authorization_code",
                    "code": query["code"][0],
                    "redirect_uri": redirect_uri,
                    "client_id": CLIENT_ID,
                    "code_verifier": verifier,
                },
            )
        response = browser.get(location, allow_redirects=False, timeout=TIMEOUT_S)
    raise SignInRefused(response.status_code, response.text)


def refresh(issuer: str, refresh_token: str) -> dict[str, Any]:
    return _token(
        requests.Session(),
        issuer,
        {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": CLIENT_ID},
    )


def _token(browser: requests.Session, issuer: str, form: dict[str, str]) -> dict[str, Any]:
    response = browser.post(f"{issuer}/token", data=form, timeout=TIMEOUT_S)
    body: dict[str, Any] = response.json()
    if response.status_code != 200:
        raise SignInRefused(response.status_code, str(body))
    return body
