"""Evaluations: drafted by an admin the video was shared with, released, acknowledged."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.auth.principal import Role
from tests.support.api import Api
from tests.support.seed import ready_video

pytestmark = pytest.mark.integration

SCORES = {"high-expectations": 3, "collaborative": 4}


@pytest.fixture
def setup(api_as: Callable[..., Api]) -> dict[str, Any]:
    tag = secrets.token_hex(3)
    video = ready_video(f"teacher-{tag}", shared_with=(f"evaluator-{tag}",))
    teacher = api_as(f"teacher-{tag}")
    comment = teacher.ok(
        "POST",
        f"/videos/{video.video_id}/comments",
        201,
        json={"at_s": 5, "body": "Students explain their thinking"},
    )
    return {
        "video": video.video_id,
        "teacher": teacher,
        "evaluator": api_as(f"evaluator-{tag}", Role.ADMIN, school=None),
        "other_admin": api_as(f"admin2-{tag}", Role.ADMIN, school=None),
        "comment": comment["id"],
    }


def test_draft_release_acknowledge(setup: dict[str, Any]) -> None:
    video, teacher, evaluator = setup["video"], setup["teacher"], setup["evaluator"]
    base = f"/videos/{video}/evaluations"
    draft = evaluator.ok(
        "POST",
        base,
        201,
        json={"scores": SCORES, "summary": "Strong", "evidence": [setup["comment"]]},
    )
    assert draft["status"] == "draft"
    assert teacher.ok("GET", base)["items"] == []  # drafts are the evaluator's alone
    assert setup["other_admin"].ok("GET", base)["items"] == []
    assert teacher.call("POST", f"{base}/{draft['id']}/acknowledge", json={}).status_code == 404

    evaluator.ok("PATCH", f"{base}/{draft['id']}", json={"summary": "Strong questioning"})
    released = evaluator.ok("POST", f"{base}/{draft['id']}/release")
    assert released["status"] == "released" and released["released_at"]
    [seen] = teacher.ok("GET", base)["items"]
    assert seen["summary"] == "Strong questioning" and seen["scores"] == SCORES
    assert (
        evaluator.call("PATCH", f"{base}/{draft['id']}", json={"summary": "x"}).status_code == 409
    )

    assert evaluator.call("POST", f"{base}/{draft['id']}/acknowledge", json={}).status_code == 403
    done = teacher.ok(
        "POST",
        f"{base}/{draft['id']}/acknowledge",
        json={"response": "I'd like to talk about the exit ticket."},
    )
    assert done["status"] == "acknowledged"
    assert done["teacher_response"].startswith("I'd like")
    again = teacher.call("POST", f"{base}/{draft['id']}/acknowledge", json={})
    assert again.status_code == 409


def test_only_an_admin_the_video_was_shared_with_may_evaluate(
    setup: dict[str, Any], api_as: Callable[..., Api]
) -> None:
    base = f"/videos/{setup['video']}/evaluations"
    body = {"scores": SCORES, "summary": "x"}
    assert setup["other_admin"].call("POST", base, json=body).status_code == 403
    assert setup["teacher"].call("POST", base, json=body).status_code == 403
    outsider = api_as("admin-b", Role.ADMIN, district="district-b", school=None)
    assert outsider.call("POST", base, json=body).status_code == 404


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ({"scores": {"collaborative": 5}, "summary": "x"}, "Scores on this rubric are 1, 2, 3, 4"),
        ({"scores": {"punctuality": 3}, "summary": "x"}, "Not an active element"),
        ({"scores": {}, "summary": "x"}, "at least 1"),
        ({"scores": SCORES, "summary": "x", "evidence": ["000001000deadbeef"]}, "No such comment"),
        ({"scores": SCORES, "summary": "x", "evidence": ["junk"]}, "Not a comment id"),
    ],
)
def test_invalid_evaluations(setup: dict[str, Any], body: dict[str, Any], phrase: str) -> None:
    response = setup["evaluator"].call("POST", f"/videos/{setup['video']}/evaluations", json=body)
    assert response.status_code == 400
    assert phrase in response.json()["message"]
