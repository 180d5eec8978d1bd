"""The district framework: defaults, admin edits, retire-not-delete for elements in use."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.auth.principal import Role
from tests.support.api import Api
from tests.support.seed import ready_video

pytestmark = pytest.mark.integration

SIX = [
    "data-informed",
    "high-expectations",
    "collaborative",
    "student-centered",
    "culturally-relevant",
    "differentiated",
]


@pytest.fixture
def district() -> str:
    """Each test edits the framework of a district of its own."""
    return f"district-fw-{secrets.token_hex(3)}"


def test_every_district_starts_with_the_six_elements(
    api_as: Callable[..., Api], district: str
) -> None:
    framework = api_as("t", district=district).ok("GET", "/framework")
    assert [e["id"] for e in framework["elements"]] == SIX
    assert framework["elements"][0]["label"] == "Data-informed"
    assert all(e["teacher_actions"] for e in framework["elements"])
    assert framework["version"] == 0


def _elements(**changes: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": i, "label": i.replace("-", " ").title(), **changes.get(i, {})} for i in SIX]


def test_admin_edits_others_cannot(api_as: Callable[..., Api], district: str) -> None:
    admin = api_as("a", Role.ADMIN, district=district, school=None)
    body = {"name": "Our vision", "elements": [*_elements(), {"id": "joy", "label": "Joy"}]}
    for role in (Role.TEACHER, Role.COACH, Role.REVIEWER):
        assert (
            api_as("x", role, district=district).call("PUT", "/framework", json=body).status_code
            == 403
        )
    saved = admin.ok("PUT", "/framework", json=body)
    assert saved["name"] == "Our vision" and saved["elements"][-1]["id"] == "joy"
    assert saved["version"] == 1
    stale = admin.call("PUT", "/framework", json={**body, "version": 0})
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 1


def test_elements_in_use_can_be_retired_but_not_deleted(
    api_as: Callable[..., Api], district: str
) -> None:
    admin = api_as("a", Role.ADMIN, district=district, school=None)
    owner = api_as("t", district=district)
    video = ready_video("t", district=district)
    owner.ok(
        "POST",
        f"/videos/{video.video_id}/comments",
        201,
        json={"at_s": 1, "body": "x", "tags": ["differentiated"]},
    )
    without = {"name": "v", "elements": _elements()[:-1]}
    refused = admin.call("PUT", "/framework", json=without)
    assert refused.status_code == 409
    assert "differentiated (1 uses)" in refused.json()["message"]

    retired = admin.ok(
        "PUT",
        "/framework",
        json={"name": "v", "elements": _elements(differentiated={"retired": True})},
    )
    assert retired["elements"][-1]["retired"] is True
    new_tag = owner.call(
        "POST",
        f"/videos/{video.video_id}/comments",
        json={"at_s": 1, "body": "x", "tags": ["differentiated"]},
    )
    assert new_tag.status_code == 400 and new_tag.json()["field"] == "tags"
    # An unused element may simply go.
    assert (
        admin.call(
            "PUT",
            "/framework",
            json={
                "name": "v",
                "elements": [
                    e for e in _elements(differentiated={"retired": True}) if e["id"] != "joy"
                ],
            },
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("elements", "phrase"),
    [
        ([], "at least 1"),
        ([{"id": "a", "label": "A"}, {"id": "a", "label": "B"}], "repeated: a"),
        ([{"id": "Bad Id", "label": "A"}], "pattern"),
        ([{"id": "a", "label": "A", "retired": True}], "must stay active"),
    ],
)
def test_invalid_frameworks(
    api_as: Callable[..., Api], district: str, elements: list[Any], phrase: str
) -> None:
    admin = api_as("a", Role.ADMIN, district=district, school=None)
    response = admin.call("PUT", "/framework", json={"name": "v", "elements": elements})
    assert response.status_code == 400
    assert phrase in response.json()["message"]
