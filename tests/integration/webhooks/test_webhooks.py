"""Webhooks: admin-managed, signed, carrying delivery ids, retried, with visible history."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from chalicelib.auth.principal import Role
from chalicelib.webhooks.signing import new_secret, verify
from tests.support.api import Api, upload_sample
from tests.support.media_corpus import BY_NAME, build
from tests.support.receiver import webhook_receiver
from tests.support.seed import ready_video

pytestmark = pytest.mark.integration


@pytest.fixture
def district() -> str:
    return f"district-wh-{secrets.token_hex(3)}"


def _deliveries(admin: Api, hook_id: str, until: Callable[[list[Any]], bool]) -> list[Any]:
    deadline = time.monotonic() + 30
    while True:
        items: list[Any] = admin.ok("GET", f"/webhooks/{hook_id}/deliveries")["items"]
        if until(items) or time.monotonic() > deadline:
            return items
        time.sleep(0.3)


def test_comment_created_is_signed_and_retried_until_delivered(
    api_as: Callable[..., Api], district: str
) -> None:
    admin = api_as("admin", Role.ADMIN, district=district, school=None)
    teacher = api_as("teacher", district=district)
    video = ready_video("teacher", district=district).video_id
    with webhook_receiver(fail_first=2) as receiver:
        hook = admin.ok(
            "POST", "/webhooks", 201, json={"url": receiver.url, "events": ["comment.created"]}
        )
        assert hook["secret"].startswith("whsec_")
        assert "secret" not in admin.ok("GET", "/webhooks")["items"][0]
        comment = teacher.ok(
            "POST", f"/videos/{video}/comments", 201, json={"at_s": 2, "body": "Reflection"}
        )
        [arrived] = receiver.wait_for(1)

    body = arrived.json
    assert body["type"] == "comment.created"
    assert body["data"]["comment"]["id"] == comment["id"]
    headers = {k.lower(): v for k, v in arrived.headers.items()}
    assert headers["webhook-id"] == body["id"]
    assert headers["classreel-event"] == "comment.created"
    # Standard Webhooks: the official library verifies with the secret shown once.
    Webhook(hook["secret"]).verify(arrived.body, headers)
    assert verify(hook["secret"], arrived.body, headers)
    assert not verify(new_secret(), arrived.body, headers)

    [delivery] = _deliveries(
        admin, hook["id"], lambda items: bool(items) and items[0]["status"] == "delivered"
    )
    assert delivery["status"] == "delivered"
    assert delivery["attempts"] == 3  # two 500s, then success
    assert delivery["id"] == body["id"]


def test_failures_are_visible_and_give_up(api_as: Callable[..., Api], district: str) -> None:
    admin = api_as("admin", Role.ADMIN, district=district, school=None)
    teacher = api_as("teacher", district=district)
    video = ready_video("teacher", district=district).video_id
    with webhook_receiver(fail_first=1000) as receiver:
        hook = admin.ok(
            "POST", "/webhooks", 201, json={"url": receiver.url, "events": ["comment.created"]}
        )
        teacher.ok("POST", f"/videos/{video}/comments", 201, json={"at_s": 2, "body": "x"})
        items = _deliveries(
            admin, hook["id"], lambda items: bool(items) and items[0]["attempts"] >= 2
        )
    assert items[0]["status"] in ("pending", "failed")
    assert items[0]["last_status_code"] == 500
    assert items[0]["last_error"] == "HTTP 5xx"


def test_an_unreachable_target_shows_a_coarse_outcome_only(
    api_as: Callable[..., Api], district: str
) -> None:
    admin = api_as("admin", Role.ADMIN, district=district, school=None)
    teacher = api_as("teacher", district=district)
    video = ready_video("teacher", district=district).video_id
    hook = admin.ok(
        "POST",
        "/webhooks",
        201,
        json={"url": "http://127.0.0.1:9/h", "events": ["comment.created"]},
    )
    teacher.ok("POST", f"/videos/{video}/comments", 201, json={"at_s": 2, "body": "x"})
    [item] = _deliveries(admin, hook["id"], lambda items: bool(items) and items[0]["attempts"] >= 1)
    assert item["last_error"] == "could not connect"  # no errno, no address, no exception name
    assert item["last_status_code"] is None
    assert admin.call("DELETE", f"/webhooks/{hook['id']}").status_code == 204


def test_a_rotated_secret_and_the_previous_one_both_verify_for_a_while(
    api_as: Callable[..., Api], district: str
) -> None:
    admin = api_as("admin", Role.ADMIN, district=district, school=None)
    teacher = api_as("teacher", district=district)
    video = ready_video("teacher", district=district).video_id
    with webhook_receiver() as receiver:
        hook = admin.ok(
            "POST", "/webhooks", 201, json={"url": receiver.url, "events": ["comment.created"]}
        )
        rotated = admin.ok("POST", f"/webhooks/{hook['id']}/rotate-secret")
        assert rotated["secret"] != hook["secret"] and rotated["id"] == hook["id"]
        assert rotated["previous_secret_expires_at"] > datetime.now(UTC).isoformat()
        teacher.ok("POST", f"/videos/{video}/comments", 201, json={"at_s": 2, "body": "x"})
        [arrived] = receiver.wait_for(1)
    assert len(arrived.headers["webhook-signature"].split(" ")) == 2
    assert verify(hook["secret"], arrived.body, arrived.headers)
    assert verify(rotated["secret"], arrived.body, arrived.headers)
    assert not verify(new_secret(), arrived.body, arrived.headers)
    # Only the district's admins rotate.
    other = api_as("admin-b", Role.ADMIN, district="district-b", school=None)
    assert other.call("POST", f"/webhooks/{hook['id']}/rotate-secret").status_code == 404
    assert teacher.call("POST", f"/webhooks/{hook['id']}/rotate-secret").status_code == 403


def test_video_playable_then_ready_and_failed_events_from_the_pipeline(
    api_as: Callable[..., Api], district: str, corpus_dir: Path
) -> None:
    admin = api_as("admin", Role.ADMIN, district=district, school=None)
    teacher = api_as("teacher", district=district)
    with webhook_receiver() as receiver:
        admin.ok(
            "POST",
            "/webhooks",
            201,
            json={"url": receiver.url, "events": ["video.playable", "video.ready", "video.failed"]},
        )
        good = BY_NAME["no_audio"]
        bad = BY_NAME["audio_only"]
        ready_id = upload_sample(teacher, build(good, corpus_dir), good.filename, good.content_type)
        failed_id = upload_sample(teacher, build(bad, corpus_dir), bad.filename, bad.content_type)
        arrived = receiver.wait_for(3, timeout_s=180)
    by_type = {r.json["type"]: r.json for r in arrived}
    assert set(by_type) == {"video.playable", "video.ready", "video.failed"}
    playable, ready = by_type["video.playable"], by_type["video.ready"]
    assert playable["data"]["video_id"] == ready["data"]["video_id"] == ready_id
    # Announced while the rest still encoded: it happened before ``ready``.
    assert playable["data"]["status"] == "processing"
    assert datetime.fromisoformat(playable["created_at"]) < datetime.fromisoformat(
        ready["created_at"]
    )
    assert by_type["video.failed"]["data"]["video_id"] == failed_id
    assert "no video track" in by_type["video.failed"]["data"]["failure_reason"]


def test_management_is_admin_only_and_validated(api_as: Callable[..., Api], district: str) -> None:
    admin = api_as("admin", Role.ADMIN, district=district, school=None)
    for role in (Role.TEACHER, Role.COACH, Role.REVIEWER):
        api = api_as("x", role, district=district)
        assert (
            api.call(
                "POST",
                "/webhooks",
                json={"url": "https://example.org/h", "events": ["video.ready"]},
            ).status_code
            == 403
        )
        assert api.call("GET", "/webhooks").status_code == 403
    assert (
        admin.call(
            "POST", "/webhooks", json={"url": "ftp://x/y", "events": ["video.ready"]}
        ).status_code
        == 400
    )
    assert (
        admin.call(
            "POST", "/webhooks", json={"url": "https://example.org/h", "events": ["video.exploded"]}
        ).status_code
        == 400
    )
    hook = admin.ok(
        "POST", "/webhooks", 201, json={"url": "http://127.0.0.1:9/h", "events": ["video.ready"]}
    )
    other = api_as("admin-b", Role.ADMIN, district="district-b", school=None)
    assert other.call("DELETE", f"/webhooks/{hook['id']}").status_code == 404
    assert admin.call("DELETE", f"/webhooks/{hook['id']}").status_code == 204
    assert admin.ok("GET", "/webhooks")["items"] == []
