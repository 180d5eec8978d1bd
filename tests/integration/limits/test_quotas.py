"""Per-user, per-district and per-address limits, counted in DynamoDB Local, refused with
429s.

The counters are exercised with small limits of their own (a Settings copy, or the
environment of an in-process app); over HTTP, the running stack's default webhook quota.
Anonymous callers are told apart by source address (documentation ranges: labels only,
nothing connects to them).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chalice.app import Chalice
from chalice.config import Config
from chalice.test import Client
from werkzeug.test import Client as WsgiClient

import app as application
from chalicelib.auth.principal import Principal, Role
from chalicelib.config import Settings, get_settings, reset_settings_cache
from chalicelib.errors import TooManyRequests
from chalicelib.limits.service import DAY_S, MINUTE_S, Quota, consume
from classreel.local.api_server import ApiGatewayLikeLocalGateway, ApiServerApp
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration


def _person(district: str, name: str = "") -> Principal:
    return Principal(name or f"t-{secrets.token_hex(3)}", frozenset({Role.TEACHER}), district, None)


def _settings(local_stack: LocalStack, **limits: int) -> Settings:
    return get_settings().model_copy(update=limits)


def test_a_user_gets_their_quota_and_then_a_429_until_the_window_ends(
    local_stack: LocalStack,
) -> None:
    settings = _settings(local_stack, limit_clips_per_user_per_day=2)
    district = f"d-{secrets.token_hex(3)}"
    teacher = _person(district)
    consume(teacher, Quota.CLIPS, settings)
    consume(teacher, Quota.CLIPS, settings)
    with pytest.raises(TooManyRequests) as refused:
        consume(teacher, Quota.CLIPS, settings)
    assert 0 < refused.value.retry_after_s <= DAY_S
    assert refused.value.details is not None
    assert refused.value.details["quota"] == "clips"
    assert refused.value.details["scope"] == "user"
    assert "limit of 2 clips today" in refused.value.message
    # A colleague, and the same user id in another district, are counted apart.
    consume(_person(district), Quota.CLIPS, settings)
    consume(_person(f"d-{secrets.token_hex(3)}", teacher.user_id), Quota.CLIPS, settings)


def test_one_district_using_its_share_leaves_the_others_theirs(local_stack: LocalStack) -> None:
    settings = _settings(
        local_stack, limit_videos_per_user_per_day=0, limit_videos_per_district_per_day=3
    )
    busy, quiet = f"d-{secrets.token_hex(3)}", f"d-{secrets.token_hex(3)}"
    for _ in range(3):
        consume(_person(busy), Quota.VIDEOS, settings)
    with pytest.raises(TooManyRequests) as refused:
        consume(_person(busy), Quota.VIDEOS, settings)
    assert refused.value.details is not None and refused.value.details["scope"] == "district"
    assert refused.value.message.startswith("Your district has reached the limit of 3 videos")
    consume(_person(quiet), Quota.VIDEOS, settings)


def test_bytes_count_by_size_and_one_too_large_for_the_day_is_refused(
    local_stack: LocalStack,
) -> None:
    settings = _settings(local_stack, limit_upload_bytes_per_user_per_day=1000)
    teacher = _person(f"d-{secrets.token_hex(3)}")
    with pytest.raises(TooManyRequests):
        consume(teacher, Quota.UPLOAD_BYTES, settings, 1001)
    consume(teacher, Quota.UPLOAD_BYTES, settings, 600)
    with pytest.raises(TooManyRequests):
        consume(teacher, Quota.UPLOAD_BYTES, settings, 401)
    consume(teacher, Quota.UPLOAD_BYTES, settings, 400)


def test_a_limit_of_zero_is_no_limit(local_stack: LocalStack) -> None:
    settings = _settings(local_stack, limit_exports_per_user_per_day=0)
    teacher = _person(f"d-{secrets.token_hex(3)}")
    for _ in range(3):
        consume(teacher, Quota.EXPORTS, settings)


@pytest.fixture
def rate_limited_app(local_stack: LocalStack) -> Iterator[Client]:
    """The app in this process, allowed 3 requests a minute per user."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CLASSREEL_LIMIT_REQUESTS_PER_USER_PER_MINUTE", "3")
        reset_settings_cache()
        with Client(application.app) as client:
            yield client
    reset_settings_cache()


def test_the_api_answers_a_flood_with_429_and_retry_after(
    rate_limited_app: Client, tokens: TokenFactory
) -> None:
    district = f"d-{secrets.token_hex(3)}"

    def me(user: str) -> int:
        token = tokens.token(user, Role.TEACHER, district=district)
        response = rate_limited_app.http.get("/me", headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 429:
            assert 0 < int(response.headers["Retry-After"]) <= MINUTE_S
            assert json.loads(response.body)["quota"] == "requests"
        return int(response.status_code)

    assert [me("flooder") for _ in range(4)] == [200, 200, 200, 429]
    assert me("neighbour") == 200
    # Public routes are not counted.
    assert rate_limited_app.http.get("/health").status_code in (200, 503)


def test_creating_webhooks_past_the_district_quota_is_a_429(
    api_as: Callable[..., Api],
) -> None:
    district = f"d-{secrets.token_hex(3)}"
    admin = api_as("admin-q", Role.ADMIN, district=district, school=None)
    body = {"url": "http://127.0.0.1:9/h", "events": ["video.ready"]}
    quota = get_settings().limit_webhooks_per_district_per_day
    for _ in range(quota):
        admin.ok("POST", "/webhooks", 201, json=body)
    refused = admin.call("POST", "/webhooks", json=body)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"] == "too_many_requests"
    assert refused.json()["quota"] == "webhooks"
    assert len(admin.ok("GET", "/webhooks")["items"]) == quota
    # Another district's admin is not held back.
    other = api_as("admin-q", Role.ADMIN, district=f"d-{secrets.token_hex(3)}", school=None)
    other.ok("POST", "/webhooks", 201, json=body)


ANONYMOUS_PER_MINUTE = 4
# Calls the app in this process as the local API server does: (address, path, token).
Gateway = Callable[..., dict[str, Any]]


@pytest.fixture
def anonymous_limited_app(local_stack: LocalStack) -> Iterator[Gateway]:
    """The app in this process, allowing 4 requests a minute per address without sign-in."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(
            "CLASSREEL_LIMIT_ANONYMOUS_REQUESTS_PER_ADDRESS_PER_MINUTE", str(ANONYMOUS_PER_MINUTE)
        )
        reset_settings_cache()
        config = Config.create(app_name="limits", lambda_timeout=60, lambda_memory_size=1024)
        gateway = ApiGatewayLikeLocalGateway(application.app, config)

        def call(address: str, path: str, token: str | None = None) -> dict[str, Any]:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            response: dict[str, Any] = gateway.handle_request_from(
                address, "GET", path, headers, None
            )
            return response

        yield call
    reset_settings_cache()


def _address() -> str:
    return f"2001:db8::{secrets.token_hex(2)}"


def _refusal(status: int, headers: Any, body: dict[str, Any], limit: int) -> int:
    """Checks a 429 says which limit and when to come back; returns its Retry-After."""
    assert status == 429
    retry_after = int(headers["Retry-After"])
    assert 0 < retry_after <= MINUTE_S
    assert body["error"] == "too_many_requests"
    assert (body["quota"], body["scope"], body["limit"]) == ("anonymous_requests", "address", limit)
    assert body["retry_after_s"] == retry_after
    assert f"limit of {limit} requests without sign-in this minute" in body["message"]
    return retry_after


def _flood(call: Gateway, address: str) -> tuple[list[int], dict[str, Any]]:
    """Anonymous requests from ``address`` (public routes, no token) until one is refused."""
    statuses: list[int] = []
    for path in ["/openapi.json", "/health", "/videos"] * ANONYMOUS_PER_MINUTE:
        response = call(address, path)
        statuses.append(int(response["statusCode"]))
        if response["statusCode"] == 429:
            return statuses, response
    raise AssertionError(f"never refused: {statuses}")


def test_an_anonymous_flood_gets_429s_while_a_signed_in_teacher_at_that_address_goes_on(
    anonymous_limited_app: Gateway, tokens: TokenFactory
) -> None:
    call, flooder = anonymous_limited_app, _address()
    teacher = tokens.token("teacher-anon", Role.TEACHER, district=f"d-{secrets.token_hex(3)}")
    for _ in range(3):
        statuses, refused = _flood(call, flooder)
        refused_at = time.monotonic()
        retry_after = _refusal(
            refused["statusCode"],
            refused["headers"],
            json.loads(refused["body"]),
            ANONYMOUS_PER_MINUTE,
        )
        # In the same window, from the same address (a school's one network address):
        # the teacher, interleaved with more of the flood, then a token that fails.
        moment = [(call(flooder, "/me", teacher), call(flooder, "/health")) for _ in range(3)]
        forged = call(flooder, "/me", "not-a-token")
        elsewhere = call(_address(), "/health")
        # Valid only if all of it fell in the window the flood used up; a window that
        # ended in between (a minute's turn) resets the count: flood the new one.
        if time.monotonic() - refused_at < retry_after - 1:
            break
    else:
        raise AssertionError("three minutes turned mid-test")
    assert statuses[:-1] and 429 not in statuses[:-1]
    assert len(statuses) >= ANONYMOUS_PER_MINUTE + 1
    assert [teacher_me["statusCode"] for teacher_me, _ in moment] == [200, 200, 200]
    assert [flood["statusCode"] for _, flood in moment] == [429, 429, 429]
    # A token that fails is a request without a sign-in: refused like one, not a 401.
    _refusal(forged["statusCode"], forged["headers"], json.loads(forged["body"]), 4)
    # Another address has its own allowance.
    assert elsewhere["statusCode"] in (200, 503)


def test_the_local_dev_sign_in_is_held_to_the_same_limit(local_stack: LocalStack) -> None:
    settings = local_stack.settings().model_copy(
        update={"limit_anonymous_requests_per_address_per_minute": 2}
    )
    server = WsgiClient(ApiServerApp(Chalice(app_name="dev-sign-in-limit"), None, settings))
    # Any 127/8 address is this machine: one of its own, counted apart from the suite's.
    peer = f"127.0.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    statuses: list[int] = []
    for _ in range(5):
        response = server.post(
            "/local/dev-token",
            json={"user_id": "coach-ben"},
            headers={"Host": "127.0.0.1:8000"},
            environ_base={"REMOTE_ADDR": peer},
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}, statuses
    _refusal(429, response.headers, response.get_json(), 2)
