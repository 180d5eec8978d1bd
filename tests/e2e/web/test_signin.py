"""AWS sign-in in the browser: the hosted UI's authorization-code + PKCE round
trip, with Cognito played by routes (the ID token is a local dev token, which
the local API verifies as it verifies Cognito's)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

HOSTED_UI = "https://classreel-test.auth.us-east-1.amazoncognito.com"


def test_hosted_ui_sign_in_with_pkce(new_page: Callable[..., Page]) -> None:
    # Locally there is no hosted UI for the policy to name (in AWS CloudFront's policy
    # names it: tests/infrastructure/test_web_headers.py); this test is about PKCE.
    page = new_page(bypass_csp=True)
    id_token = page.request.post("/local/dev-token", data={"user_id": "coach-ben"}).json()["token"]
    authorize: dict[str, str] = {}
    exchanged: dict[str, str] = {}

    def cognito_config(route: Route) -> None:
        config = route.fetch().json()
        config.update(auth="cognito", hosted_ui_url=HOSTED_UI, client_id="client123")
        route.fulfill(json=config)

    def authorize_page(route: Route) -> None:
        authorize.update({k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()})
        back = f"{authorize['redirect_uri']}?code=the-code&state={authorize['state']}"
        route.fulfill(status=302, headers={"Location": back})

    def token_endpoint(route: Route) -> None:
        exchanged.update({k: v[0] for k, v in parse_qs(route.request.post_data or "").items()})
        route.fulfill(
            headers={"Access-Control-Allow-Origin": "*"},
            content_type="application/json",
            body=json.dumps({"id_token": id_token, "token_type": "Bearer", "expires_in": 3600}),
        )

    page.route("**/web-config.json", cognito_config)
    page.route(f"{HOSTED_UI}/oauth2/authorize*", authorize_page)
    page.route(f"{HOSTED_UI}/oauth2/token", token_endpoint)

    page.goto("/#/sign-in")
    page.click("#hosted-sign-in")
    expect(page.locator("#who .who-name")).to_contain_text("coach")
    assert "code=" not in page.url  # the single-use code leaves the address bar

    assert authorize["response_type"] == "code"
    assert authorize["client_id"] == "client123"
    assert authorize["scope"] == "openid email profile"
    assert authorize["code_challenge_method"] == "S256"
    assert exchanged["grant_type"] == "authorization_code"
    assert exchanged["code"] == "the-code"
    assert exchanged["redirect_uri"] == authorize["redirect_uri"]
    digest = hashlib.sha256(exchanged["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == authorize["code_challenge"]

    # A redirect that this tab did not start (no matching state) is refused.
    page.evaluate("localStorage.clear()")
    page.goto("/?code=stolen&state=forged#/sign-in")
    expect(page.locator("[role=alert]")).to_contain_text("state mismatch")
