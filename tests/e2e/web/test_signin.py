"""Signing in in the browser: through the local OpenID Connect provider (the code path
Cognito's hosted UI takes in AWS), with short ID tokens renewed by the refresh token; and
against a Cognito played by routes (its hosted UI's endpoints, PKCE, state)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Request, Route, expect

from classreel.local.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

HOSTED_UI = "https://classreel-test.auth.us-east-1.amazoncognito.com"


def _stored(page: Page) -> dict[str, str]:
    return {
        "session": page.evaluate("JSON.stringify(sessionStorage)"),
        "local": page.evaluate("JSON.stringify(localStorage)"),
    }


def provider_sign_in(page: Page, stack: LocalStack, email: str) -> None:
    page.goto("/#/sign-in")
    page.click("#hosted-sign-in")
    # The provider's own page, on its own origin: email and password.
    page.wait_for_url(f"{stack.oidc_url}/interaction/**")
    page.fill("#email", email)
    page.fill("#password", stack.settings().oidc_password)
    page.click("#sign-in")
    page.wait_for_selector("#who .who-name")


def test_sign_in_through_the_local_provider_then_renew(
    new_page: Callable[..., Page], local_stack: LocalStack
) -> None:
    page = new_page()
    token_grants: list[str] = []

    def watch(request: Request) -> None:
        if request.url == f"{local_stack.oidc_url}/token":
            token_grants.append(parse_qs(request.post_data or "")["grant_type"][0])

    page.on("request", watch)
    provider_sign_in(page, local_stack, "teacher-ana@demo-district.test")
    expect(page.locator("#who .who-name")).to_contain_text("Ana Teacher")
    assert "code=" not in page.url  # the single-use code leaves the address bar
    assert token_grants == ["authorization_code"]
    stored = _stored(page)
    assert "id_token" in stored["session"] and "refresh_token" in stored["session"]
    assert "token" not in stored["local"], "no token outlives the tab"
    first = page.evaluate("JSON.parse(sessionStorage.getItem('classreel.session')).token")

    # The API refuses the token once (as it would an expired one): the client renews it with
    # the refresh token, without leaving the page, and the request goes through.
    refused: list[str] = []

    def refuse_once(route: Route) -> None:
        if not refused:
            refused.append(route.request.url)
            route.fulfill(status=401, json={"error": "unauthenticated", "message": "expired"})
        else:
            route.continue_()

    page.route("**/videos?*", refuse_once)
    with page.expect_response(lambda r: "/videos?" in r.url and r.status == 200):
        page.goto("/#/videos?scope=shared")
    expect(page.locator("h1")).to_contain_text("Shared with me")
    assert refused and token_grants == ["authorization_code", "refresh_token"]
    renewed = page.evaluate("JSON.parse(sessionStorage.getItem('classreel.session')).token")
    assert renewed != first
    # Still signed in after a reload of the tab.
    page.reload()
    expect(page.locator("#who .who-name")).to_contain_text("Ana Teacher")


def test_someone_the_directory_refuses_gets_a_page_that_says_so(
    new_page: Callable[..., Page], local_stack: LocalStack
) -> None:
    page = new_page()
    page.route(
        "**/me",
        lambda route: route.fulfill(
            status=403,
            json={
                "error": "not_in_directory",
                "message": "You signed in as teacher-raj@demo-district.test, but your district's "
                "ClassReel directory has nobody by that name.",
            },
        ),
    )
    page.goto("/#/sign-in")
    page.click("#hosted-sign-in")
    page.fill("#email", "teacher-raj@demo-district.test")
    page.fill("#password", local_stack.settings().oidc_password)
    page.click("#sign-in")
    refused = page.locator("#refused")
    expect(refused.locator("h1")).to_have_text("You are not in your district's ClassReel directory")
    expect(refused.locator("[role=alert]")).to_contain_text("teacher-raj@demo-district.test")
    assert page.evaluate("sessionStorage.getItem('classreel.session')") is None
    expect(page.locator("#sign-out-provider")).to_be_visible()


def test_hosted_ui_sign_in_with_pkce(new_page: Callable[..., Page]) -> None:
    # Locally there is no hosted UI for the policy to name (in AWS CloudFront's policy
    # names it: tests/infrastructure/test_web_headers.py); this test is about PKCE.
    page = new_page(bypass_csp=True)
    id_token = page.request.post("/local/dev-token", data={"user_id": "coach-ben"}).json()["token"]
    authorize: dict[str, str] = {}
    exchanged: dict[str, str] = {}

    def cognito_config(route: Route) -> None:
        config = route.fetch().json()
        config.update(
            auth="cognito",
            hosted_ui_url=HOSTED_UI,
            client_id="client123",
            region="us-east-1",
            user_pool_id="us-east-1_Test",
        )
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
            body=json.dumps(
                {
                    "id_token": id_token,
                    "access_token": "opaque",
                    "refresh_token": "refresh-me",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                }
            ),
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
    page.evaluate("sessionStorage.clear()")
    page.goto("/?code=stolen&state=forged#/sign-in")
    expect(page.locator("[role=alert]")).to_contain_text("state mismatch")
