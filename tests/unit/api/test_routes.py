"""The API's routes through Chalice's own test client: what is decided before any record is
read (authentication, request validation, the documents) needs no local twin."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

import app as application
from chalicelib.api.middleware import install_people_resolver
from chalicelib.api.routing import PUBLIC_PATHS, ROUTES
from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings, reset_settings_cache
from chalicelib.directory import membership
from tests.support.principals import StaticDirectory, person

PROTECTED = sorted(
    {(route.method, route.path) for route in ROUTES if route.path not in PUBLIC_PATHS}
)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    # Request rates are counted in the table: off here (tests/integration/limits has them).
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CLASSREEL_LIMIT_REQUESTS_PER_USER_PER_MINUTE", "0")
        env.setenv("CLASSREEL_LIMIT_REQUESTS_PER_DISTRICT_PER_MINUTE", "0")
        env.setenv("CLASSREEL_LIMIT_ANONYMOUS_REQUESTS_PER_ADDRESS_PER_MINUTE", "0")
        reset_settings_cache()
        # Who is who, without a table: the admin the body tests sign in as.
        install_people_resolver(StaticDirectory(person("a", Role.ADMIN, district="d")))
        try:
            with Client(application.app) as test_client:
                yield test_client
        finally:
            install_people_resolver(membership.resolve)
    reset_settings_cache()


@pytest.fixture(scope="module")
def issuer() -> DevIssuer:
    dev_issuer = DevIssuer(get_settings())
    dev_issuer.ensure_key()
    return dev_issuer


def _call(client: Client, method: str, path: str, token: str | None, body: Any = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.http.request(
        method,
        _concrete(path),
        headers=headers,
        body=json.dumps(body if body is not None else {}).encode(),
    )


def test_every_route_but_the_public_ones_is_protected() -> None:
    assert len(PROTECTED) > 40
    assert {"/health", "/openapi.json", "/docs"} <= PUBLIC_PATHS


@pytest.fixture(scope="module")
def bad_tokens(issuer: DevIssuer, tmp_path_factory: pytest.TempPathFactory) -> list[str | None]:
    """None, garbage, an expired token, one signed by a key the API does not trust."""
    foreign = DevIssuer(
        get_settings().model_copy(update={"data_dir": tmp_path_factory.mktemp("foreign")})
    )
    expired = issuer.mint(user_id="teacher", district="d", ttl_s=60, now=time.time() - 3600)
    untrusted = foreign.mint(user_id="t", district="d")
    return [None, "not-a-jwt", expired, untrusted]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_without_a_valid_token_every_protected_route_is_a_json_401(
    client: Client, bad_tokens: list[str | None], method: str, path: str
) -> None:
    for token in bad_tokens:
        response = _call(client, method, path, token)
        assert response.status_code == 401, (token, response.body[:200])
        assert response.headers["Content-Type"].startswith("application/json")
        assert json.loads(response.body)["error"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/videos", {"title": ""}, "title"),
        ("POST", "/videos/{video_id}/comments", {"at_s": -1, "body": "x"}, "at_s"),
        ("POST", "/webhooks", {"url": "https://example.org/h", "events": []}, "events"),
        ("PUT", "/framework", {"name": "F", "elements": [], "extra": 1}, None),
    ],
)
def test_a_body_that_is_not_a_request_is_a_400_naming_the_field(
    client: Client, issuer: DevIssuer, method: str, path: str, body: Any, field: str | None
) -> None:
    token = issuer.mint(user_id="a", district="d")
    response = _call(client, method, path, token, body)
    assert response.status_code == 400, response.body[:300]
    error = json.loads(response.body)
    assert error["error"] == "invalid_input"
    if field is not None:
        assert error["field"] == field


def test_the_api_documents_itself_to_anyone(client: Client) -> None:
    spec = client.http.get("/openapi.json")
    assert spec.status_code == 200
    assert json.loads(spec.body)["openapi"].startswith("3.")
    docs = client.http.get("/docs")
    assert docs.status_code == 200
    assert b"openapi.json" in docs.body
