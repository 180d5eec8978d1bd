"""Every route but /health and /openapi.json needs a valid token."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Role
from chalicelib.config import Settings
from classreel.local.stack import LocalStack
from tests.support.forged_tokens import forged_tokens
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration


def _get(stack: LocalStack, path: str, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{stack.api_url}{path}", headers=headers, timeout=10)


def _assert_401(response: requests.Response, reason: str) -> None:
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "unauthenticated"
    assert reason in body["message"]


def test_valid_token_is_accepted(local_stack: LocalStack, tokens: TokenFactory) -> None:
    response = _get(local_stack, "/me", tokens.token("coach-1", Role.COACH, school="s9"))
    assert response.status_code == 200
    assert response.json() == {
        "user_id": "coach-1",
        "name": None,
        "email": None,
        "roles": ["coach"],
        "district": "district-a",
        "school": "s9",
        "schools": ["s9"],
        "groups": [],
    }


def test_missing_token_is_401(local_stack: LocalStack) -> None:
    _assert_401(_get(local_stack, "/me"), "no Authorization header")


def test_expired_token_is_401(local_stack: LocalStack, tokens: TokenFactory) -> None:
    stale = tokens.token("t1", Role.TEACHER, ttl_s=60, now=time.time() - 7200)
    _assert_401(_get(local_stack, "/me", stale), "expired")


def test_token_from_another_key_is_401(local_stack: LocalStack, tmp_path: Path) -> None:
    foreign = DevIssuer(local_stack.settings().model_copy(update={"data_dir": tmp_path})).mint(
        user_id="intruder", district="district-a"
    )
    _assert_401(_get(local_stack, "/me", foreign), "unknown key")


def test_token_for_another_audience_is_401(local_stack: LocalStack) -> None:
    settings: Settings = local_stack.settings()
    other = DevIssuer(settings.model_copy(update={"jwt_audience": "another-app"})).mint(
        user_id="t1", district="district-a"
    )
    _assert_401(_get(local_stack, "/me", other), "udience")


def test_every_forged_or_misused_token_form_is_a_json_401(local_stack: LocalStack) -> None:
    """alg=none, HS256 keyed with the public key, wrong iss, no kid, Cognito access
    tokens, a future nbf, another audience: each a 401 with a JSON error body."""
    forms = forged_tokens(local_stack.settings())
    assert len(forms) >= 7
    for form, token in forms.items():
        response = _get(local_stack, "/me", token)
        assert response.status_code == 401, (form, response.text)
        assert response.headers["Content-Type"].startswith("application/json"), form
        assert response.json()["error"] == "unauthenticated", form
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), form


def test_malformed_header_is_401(local_stack: LocalStack) -> None:
    response = requests.get(
        f"{local_stack.api_url}/me", headers={"Authorization": "Token abc"}, timeout=10
    )
    _assert_401(response, "Bearer")


def test_health_is_public(local_stack: LocalStack) -> None:
    response = _get(local_stack, "/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_unknown_route_is_a_json_404(local_stack: LocalStack) -> None:
    response = _get(local_stack, "/no/such/thing")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
