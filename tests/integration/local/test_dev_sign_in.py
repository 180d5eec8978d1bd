"""The local twin's sign-in for the web client: dev tokens for demo users only."""

from __future__ import annotations

import importlib

import pytest
import requests

from classreel.local.demo_users import DEMO_DISTRICT, DEMO_USERS
from classreel.local.stack import LocalStack

pytestmark = pytest.mark.integration


def test_web_config_lists_demo_users_of_two_schools(local_stack: LocalStack) -> None:
    config = requests.get(f"{local_stack.api_url}/web-config.json", timeout=10).json()
    assert config["auth"] == "local"
    assert {u["user_id"] for u in config["demo_users"]} == {u.user_id for u in DEMO_USERS}
    assert {u["role"] for u in config["demo_users"]} == {"teacher", "coach", "reviewer", "admin"}
    assert len({u["school"] for u in config["demo_users"] if u["school"]}) == 2
    assert "mp4" in config["upload"]["extensions"]


def test_dev_token_is_a_real_token_for_a_demo_user(local_stack: LocalStack) -> None:
    response = requests.post(
        f"{local_stack.api_url}/local/dev-token", json={"user_id": "coach-ben"}, timeout=10
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = requests.get(
        f"{local_stack.api_url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()
    assert me == {
        "user_id": "coach-ben",
        "name": "Ben Coach",
        "email": "coach-ben@demo-district.test",
        "roles": ["coach"],
        "district": DEMO_DISTRICT,
        "school": "north-elementary",
        "schools": ["north-elementary"],
        "groups": [],
    }


def test_dev_token_refuses_anyone_else_and_non_json(local_stack: LocalStack) -> None:
    url = f"{local_stack.api_url}/local/dev-token"
    unknown = requests.post(url, json={"user_id": "root", "role": "admin"}, timeout=10)
    assert unknown.status_code == 404
    # A form post needs no CORS preflight; refusing it keeps other sites out.
    form = requests.post(url, data={"user_id": "admin-dee"}, timeout=10)
    assert form.status_code == 415


def test_the_deployed_app_has_no_dev_sign_in() -> None:
    app = importlib.import_module("app").app
    paths = set(app.routes)
    assert "/local/dev-token" not in paths
    assert "/web-config.json" not in paths


def test_dev_token_refuses_a_rebound_host_name(local_stack: LocalStack) -> None:
    """A page of another site whose name now resolves to 127.0.0.1 (DNS rebinding)
    reaches this server with its own name in Host: no token for it."""
    url = f"{local_stack.api_url}/local/dev-token"
    port = url.split(":")[2].split("/", maxsplit=1)[0]
    rebound = requests.post(
        url, json={"user_id": "admin-dee"}, headers={"Host": f"rebind.example:{port}"}, timeout=10
    )
    assert rebound.status_code == 403
    assert rebound.json()["error"] == "forbidden"
    assert "token" not in rebound.json()
