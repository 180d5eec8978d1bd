"""/health reports each component, and names the one that is down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from chalicelib.auth.principal import Role
from classreel.local.stack import LocalStack, StackOptions
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration


def test_every_component_ok(local_stack: LocalStack) -> None:
    response = requests.get(f"{local_stack.api_url}/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "components": {name: {"status": "ok"} for name in ("s3", "sqs", "dynamodb", "ffmpeg")},
    }


@pytest.fixture
def doomed_stack(tmp_path: Path) -> Iterator[LocalStack]:
    """A stack of its own: this test stops its services."""
    stack = LocalStack(
        StackOptions(
            data_dir=tmp_path / "stack",
            api_port=0,
            persist=False,
            start_runner=False,
            start_oidc=False,
        )
    )
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def test_a_stopped_dependency_turns_health_503_naming_it(doomed_stack: LocalStack) -> None:
    # Who is an admin is the directory's to say: both callers are registered while it is up.
    tokens = TokenFactory(doomed_stack.settings())
    admin, teacher = tokens.headers("ops", Role.ADMIN), tokens.headers("t", Role.TEACHER)

    doomed_stack.service("moto").stop()
    started = time.monotonic()
    response = requests.get(f"{doomed_stack.api_url}/health", timeout=30)
    assert time.monotonic() - started < 10, "health must not hang on a dead dependency"
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["components"]["s3"] == {"status": "down"}  # no error text in public
    assert body["components"]["dynamodb"] == {"status": "ok"}
    as_admin = requests.get(f"{doomed_stack.api_url}/health", headers=admin, timeout=30).json()
    assert as_admin["components"]["s3"]["status"] == "down"
    assert as_admin["components"]["s3"]["detail"]  # the reason, for an admin
    for caller in (teacher, {"Authorization": "Bearer forged"}):
        other = requests.get(f"{doomed_stack.api_url}/health", headers=caller, timeout=30)
        assert other.status_code == 503
        assert other.json()["components"]["s3"] == {"status": "down"}

    doomed_stack.service("dynamodb").stop()
    body = requests.get(f"{doomed_stack.api_url}/health", timeout=30).json()
    assert {name for name, c in body["components"].items() if c["status"] == "down"} == {
        "s3",
        "sqs",
        "dynamodb",
    }
    # With the directory down nobody can be known as an admin: no reasons for anyone.
    as_admin = requests.get(f"{doomed_stack.api_url}/health", headers=admin, timeout=30).json()
    assert as_admin["components"]["dynamodb"] == {"status": "down"}
