"""The local OpenID Connect provider `make run` starts: the authorization code with PKCE, short
ID tokens renewed by refresh tokens, accounts that follow the directory; the API trusts its
tokens and finds their people by email."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import jwt
import pytest
import requests

from chalicelib.auth.principal import Role
from classreel.local.demo_users import DEMO_DISTRICT
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.oidc_flow import SignInRefused, refresh, sign_in

pytestmark = pytest.mark.integration


def _me(stack: LocalStack, token: str) -> requests.Response:
    return requests.get(
        f"{stack.api_url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def test_a_demo_teacher_signs_in_and_refreshes(local_stack: LocalStack) -> None:
    issuer, settings = local_stack.oidc_url, local_stack.settings()
    assert issuer is not None
    tokens = sign_in(
        issuer, f"{local_stack.api_url}/", "teacher-ana@demo-district.test", settings.oidc_password
    )
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["iss"] == issuer and claims["aud"] == "classreel-web"
    assert claims["exp"] - claims["iat"] == settings.oidc_id_token_ttl_s  # short-lived
    me = _me(local_stack, tokens["id_token"]).json()
    assert (me["user_id"], me["roles"], me["school"]) == (
        "teacher-ana",
        ["teacher"],
        "north-elementary",
    )
    # The access token is for the provider's own endpoints: the API wants the ID token.
    assert _me(local_stack, tokens["access_token"]).status_code == 401
    renewed = refresh(issuer, tokens["refresh_token"])
    assert renewed["id_token"] != tokens["id_token"]
    assert _me(local_stack, renewed["id_token"]).json()["user_id"] == "teacher-ana"
    with pytest.raises(SignInRefused) as wrong:
        sign_in(issuer, f"{local_stack.api_url}/", "teacher-ana@demo-district.test", "guess")
    assert wrong.value.status == 401 and "do not match" in wrong.value.page


def test_accounts_follow_the_directory(local_stack: LocalStack, api_as: Callable[..., Api]) -> None:
    issuer, password = local_stack.oidc_url, local_stack.settings().oidc_password
    assert issuer is not None
    admin = api_as("admin-dee", Role.ADMIN, district=DEMO_DISTRICT, school=None)
    email = f"zed-{secrets.token_hex(3)}@demo-district.example"
    with pytest.raises(SignInRefused):
        sign_in(issuer, f"{local_stack.api_url}/", email, password)
    person = admin.ok(
        "POST",
        "/directory/people",
        201,
        json={
            "given_name": "Zed",
            "family_name": "Local",
            "email": email,
            "roles": ["coach"],
            "schools": ["south-middle"],
        },
    )
    tokens = sign_in(issuer, f"{local_stack.api_url}/", email.upper(), password)
    assert _me(local_stack, tokens["id_token"]).json()["roles"] == ["coach"]

    admin.ok(
        "PATCH",
        f"/directory/people/{person['id']}",
        json={"version": person["version"], "active": False},
    )
    refused = _me(local_stack, tokens["id_token"])
    assert refused.status_code == 403 and refused.json()["error"] == "account_inactive"
    with pytest.raises(SignInRefused):
        refresh(issuer, tokens["refresh_token"])
    with pytest.raises(SignInRefused) as off:
        sign_in(issuer, f"{local_stack.api_url}/", email, password)
    assert off.value.status == 403 and "switched off" in off.value.page
