"""Every response that shows someone else's media writes a view into the owner's trail.

The routes come from the app's route table: each route whose response model can hold a
playback link (chalicelib/api/links.py) needs a case here, or
``test_every_route_that_can_show_media_has_a_case`` fails. Each case calls the route as
someone other than the video's teacher, in a world where the response does hold a link, and
finds that caller's view in the teacher's trail; a route whose response can only ever be the
caller's own video is called by its owner and must write nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.api import Api
from tests.support.media_routes import assert_a_case_per_media_route, media_routes
from tests.support.seed import ready_redaction
from tests.support.workflow import CHECKLIST, Workflow

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Call:
    caller: Api
    caller_id: str
    method: str
    path: str
    kwargs: dict[str, Any]
    # The view the response records; None: the caller's own media, nothing recorded.
    action: str | None


Case = Callable[[Workflow], Call]


def _coach(method: str, path: str, action: str | None, **kwargs: Any) -> Case:
    def build(w: Workflow) -> Call:
        return Call(
            w.coach,
            "coach-r",
            method,
            path.format(v=w.video.video_id, c=w.clip().clip_id),
            kwargs,
            action,
        )

    return build


def _review(method: str, suffix: str, claimed: bool = False, **kwargs: Any) -> Case:
    def build(w: Workflow) -> Call:
        review_id = w.nominate(w.clip(), ["collaborative"])
        if claimed:
            w.reviewer.ok("POST", f"/review-queue/{review_id}/claim")
        path = f"/review-queue/{review_id}{suffix}"
        return Call(w.reviewer, "reviewer-1", method, path, kwargs, "clip.viewed")

    return build


def _queue(w: Workflow) -> Call:
    w.nominate(w.clip(), ["collaborative"])
    return Call(w.reviewer, "reviewer-1", "GET", "/review-queue", {}, "clip.viewed")


def _library(w: Workflow) -> Call:
    w.approve(w.nominate(w.clip(), ["collaborative"]))
    return Call(w.reviewer2, "reviewer-2", "GET", "/library", {}, "clip.viewed")


def _unpublish(w: Workflow) -> Call:
    clip_id = w.approve(w.nominate(w.clip(), ["collaborative"]))["clip_id"]
    path = f"/library/{clip_id}/unpublish"
    return Call(w.admin, "admin-r", "POST", path, {"json": {"reason": "withdrawn"}}, "clip.viewed")


def _redacted_preview(w: Workflow) -> Call:
    clip = w.clip()
    ready_redaction(clip)
    path = f"/clips/{clip.clip_id}/redaction/playback"
    return Call(w.coach, "coach-r", "POST", path, {}, "clip.viewed")


def _owner(method: str, path: str, **kwargs: Any) -> Case:
    def build(w: Workflow) -> Call:
        return Call(w.teacher, "teacher-r", method, path.format(v=w.video.video_id), kwargs, None)

    return build


NEW_VIDEO = {"title": "t", "filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 10}
CASES: dict[str, Case] = {
    "GET /videos": _coach("GET", "/videos", "video.viewed", params={"scope": "school"}),
    "GET /videos/{video_id}": _coach("GET", "/videos/{v}", "video.viewed"),
    "POST /videos/{video_id}/playback": _coach("POST", "/videos/{v}/playback", "video.viewed"),
    "PUT /videos/{video_id}/safeguards": _coach(
        "PUT",
        "/videos/{v}/safeguards",
        "video.viewed",
        json={"contains_students_without_consent": False},
    ),
    "GET /videos/{video_id}/clips": _coach("GET", "/videos/{v}/clips", "clip.viewed"),
    "GET /clips/{clip_id}": _coach("GET", "/clips/{c}", "clip.viewed"),
    "POST /clips/{clip_id}/playback": _coach("POST", "/clips/{c}/playback", "clip.viewed"),
    "POST /clips/{clip_id}/redaction/playback": _redacted_preview,
    "POST /clips/{clip_id}/nominate": _coach(
        "POST",
        "/clips/{c}/nominate",
        "clip.viewed",
        json={"note": "n", "elements": ["collaborative"]},
    ),
    # A new clip has no files yet: the response shows nothing to record.
    "POST /videos/{video_id}/clips": _coach(
        "POST", "/videos/{v}/clips", None, json={"start_s": 1, "end_s": 10, "title": "c"}
    ),
    "POST /clips/{clip_id}/retrim": _coach(
        "POST", "/clips/{c}/retrim", None, json={"start_s": 12, "end_s": 40}
    ),
    "GET /review-queue": _queue,
    "GET /review-queue/{review_id}": _review("GET", ""),
    "POST /review-queue/{review_id}/claim": _review("POST", "/claim"),
    "POST /review-queue/{review_id}/release": _review("POST", "/release", claimed=True),
    "POST /review-queue/{review_id}/approve": _review(
        "POST", "/approve", claimed=True, json={"checklist": CHECKLIST}
    ),
    "POST /review-queue/{review_id}/reject": _review(
        "POST", "/reject", claimed=True, json={"reason": "not focused"}
    ),
    "GET /library": _library,
    "POST /library/{clip_id}/unpublish": _unpublish,
    # Only ever the caller's own video.
    "POST /videos": _owner("POST", "/videos", json=NEW_VIDEO),
    "PATCH /videos/{video_id}": _owner("PATCH", "/videos/{v}", json={"title": "renamed"}),
}


def test_every_route_that_can_show_media_has_a_case() -> None:
    assert_a_case_per_media_route(CASES)


def _trail(w: Workflow) -> list[tuple[str, str]]:
    items = w.teacher.ok("GET", f"/videos/{w.video.video_id}/audit", params={"limit": 100})
    return [(i["action"], i["actor_id"]) for i in items["items"]]


@pytest.mark.parametrize("route", media_routes())
def test_a_response_showing_media_records_the_view(route: str, workflow: Workflow) -> None:
    call = CASES[route](workflow)
    before = _trail(workflow)
    response = call.caller.call(call.method, call.path, **call.kwargs)
    assert response.status_code < 300, response.text
    after = _trail(workflow)  # newest first
    new = after[: len(after) - len(before)]
    viewed = [entry for entry in new if entry[0].endswith(".viewed")]
    if call.action is None:
        assert viewed == []
    else:
        assert (call.action, call.caller_id) in viewed, new
