"""Per-user and per-district limits, counted in DynamoDB Local, refused with 429s.

The counters are exercised with small limits of their own (a Settings copy, or the
environment of an in-process app); over HTTP, the running stack's default webhook quota.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator

import pytest
from chalice.test import Client

import app as application
from chalicelib.auth.principal import Principal, Role
from chalicelib.config import Settings, get_settings, reset_settings_cache
from chalicelib.errors import TooManyRequests
from chalicelib.limits.service import DAY_S, MINUTE_S, Quota, consume
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
