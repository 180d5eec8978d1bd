"""The local dev-token route: this machine only, by this machine's name (no DNS rebinding)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from chalice.app import Chalice
from werkzeug.test import Client

from chalicelib.config import Settings
from classreel.local.api_server import ApiServerApp

DEMO = {"user_id": "coach-ben"}


@pytest.fixture
def client(tmp_path: Path) -> Client:
    # No table here: the sign-in's anonymous rate is tests/integration/limits' to prove.
    settings = Settings(data_dir=tmp_path, limit_anonymous_requests_per_address_per_minute=0)
    return Client(ApiServerApp(Chalice(app_name="guard-test"), None, settings))


def _post(client: Client, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    response = client.post("/local/dev-token", json=DEMO, **kwargs)
    return response.status_code, response.get_json()


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "127.0.0.1"]
)
def test_loopback_names_get_a_token(client: Client, host: str) -> None:
    status, body = _post(client, headers={"Host": host}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert status == 200, body
    assert body["token"].count(".") == 2


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example:8000",  # a rebinding page: its name now resolves to 127.0.0.1
        "127.0.0.1.nip.io:8000",
        "localhost.attacker.example",
        "0.0.0.0:8000",
        "192.168.1.20:8000",
    ],
)
def test_other_host_names_are_refused(client: Client, host: str) -> None:
    status, body = _post(client, headers={"Host": host}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert status == 403
    assert body["error"] == "forbidden"
    assert "token" not in body


def test_a_peer_off_loopback_is_refused_even_with_a_loopback_host(client: Client) -> None:
    # As if the server had been started with --host 0.0.0.0 and reached from the LAN.
    status, _ = _post(
        client, headers={"Host": "127.0.0.1:8000"}, environ_base={"REMOTE_ADDR": "192.0.2.10"}
    )
    assert status == 403


def test_a_foreign_origin_is_refused(client: Client) -> None:
    loopback = {"REMOTE_ADDR": "127.0.0.1"}
    status, _ = _post(
        client,
        headers={"Host": "127.0.0.1:8000", "Origin": "https://attacker.example"},
        environ_base=loopback,
    )
    assert status == 403
    status, _ = _post(
        client,
        headers={"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000"},
        environ_base=loopback,
    )
    assert status == 200
