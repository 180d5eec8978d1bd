"""Nobody who may not watch a recording is shown the students in it: checked over the route table.

The world: a recording flagged for students without media consent, with clips in every
state a reviewer or a library reader can meet — nominated with a signed-off redaction,
nominated with a redaction not yet signed off, published redacted, and published as cut
before the flag (the flag is set straight in the table, as if the relay that takes such
clips out had not run yet). Each route whose response can hold a playback link
(chalicelib/api/links.py) needs a case here, or ``test_every_route_that_can_show_media_has
_a_case`` fails: the case calls it as someone who may see the clips but not the recording
(a reviewer, a teacher of another school reading the library), and the response — body and
cookies — must name no media of the recording or of a clip as cut, only redacted runs.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from chalicelib.clips.models import ClipRecord
from chalicelib.videos.models import VideoRecord
from tests.support.api import Api
from tests.support.media_routes import assert_a_case_per_media_route, media_routes
from tests.support.seed import ready_redaction
from tests.support.workflow import CHECKLIST, Workflow, new_workflow

pytestmark = pytest.mark.integration

ELEMENTS = ["collaborative"]


@dataclass
class World:
    w: Workflow
    reader: Api  # a teacher of another school: sees the library, not the recording
    signed: ClipRecord  # nominated, redaction signed off
    unsigned: ClipRecord  # nominated, redaction ready but not signed off
    published_redacted: ClipRecord
    published_original: ClipRecord  # approved before the flag, no redaction
    signed_review: str
    unsigned_review: str

    @property
    def video_id(self) -> str:
        return self.w.video.video_id

    def clip_ids(self) -> list[str]:
        found = ClipRecord.by_video.query(f"VIDEOCLIPS#{self.video_id}")
        return [clip.clip_id for clip in found]

    def redacted_nomination(self, signed: bool = True) -> str:
        """A fresh nomination of a redacted clip (a case that changes its item has its own)."""
        clip = self.w.clip()
        ready_redaction(clip, signed_off_by="reviewer-2" if signed else None)
        return self.w.nominate(clip, ELEMENTS)


@pytest.fixture(scope="module")
def world(api_as: Callable[..., Api]) -> Iterator[World]:
    w = new_workflow(api_as)
    reader = api_as("teacher-elsewhere", district=w.district, school="school-2")
    signed, unsigned, redacted, original = (w.clip() for _ in range(4))
    ready_redaction(signed, signed_off_by="reviewer-2")
    ready_redaction(unsigned)
    ready_redaction(redacted, signed_off_by="reviewer-2")
    signed_review = w.nominate(signed, ELEMENTS)
    unsigned_review = w.nominate(unsigned, ELEMENTS)
    w.approve(w.nominate(redacted, ELEMENTS))
    w.approve(w.nominate(original, ELEMENTS))
    # Flagged without its event: what every route shows before the relay has run.
    VideoRecord.unread(*VideoRecord.key(w.video.video_id)).update(
        actions=[VideoRecord.contains_students_without_consent.set(True)],
        add_version_condition=False,
    )
    yield World(w, reader, signed, unsigned, redacted, original, signed_review, unsigned_review)


@dataclass(frozen=True)
class Call:
    caller: Api
    method: str
    path: str
    kwargs: dict[str, Any]
    # The call succeeds (it shows the caller clips); otherwise it is refused, showing nothing.
    answers: bool = True
    # The caller may watch the recording itself (the route is theirs alone): originals allowed.
    may_watch: bool = False


Case = Callable[[World], Call]


def _reviewer(method: str, path: str, *, answers: bool = True, **kwargs: Any) -> Case:
    def build(world: World) -> Call:
        return Call(
            world.w.reviewer,
            method,
            path.format(v=world.video_id, c=world.signed.clip_id, r=world.signed_review),
            kwargs,
            answers=answers,
        )

    return build


def _refused(method: str, path: str, **kwargs: Any) -> Case:
    """A route of the recording itself: whoever may not watch it is refused."""
    return _reviewer(method, path, answers=False, **kwargs)


def _claimed(suffix: str, **kwargs: Any) -> Case:
    def build(world: World) -> Call:
        review_id = world.redacted_nomination()
        world.w.reviewer.ok("POST", f"/review-queue/{review_id}/claim")
        return Call(world.w.reviewer, "POST", f"/review-queue/{review_id}{suffix}", kwargs)

    return build


def _claim(world: World) -> Call:
    review_id = world.redacted_nomination(signed=False)
    return Call(world.w.reviewer, "POST", f"/review-queue/{review_id}/claim", {})


def _reader(method: str, path: str, **kwargs: Any) -> Case:
    def build(world: World) -> Call:
        clip = world.published_redacted.clip_id
        return Call(world.reader, method, path.format(v=world.video_id, c=clip), kwargs)

    return build


def _unpublish(world: World) -> Call:
    # Only admins unpublish, and an admin may watch every recording of the district.
    clip_id = world.w.approve(world.redacted_nomination())["clip_id"]
    path = f"/library/{clip_id}/unpublish"
    return Call(world.w.admin, "POST", path, {"json": {"reason": "Asked"}}, may_watch=True)


NOMINATION = {"note": "n", "elements": ELEMENTS}
CASES: dict[str, Case] = {
    # The recording's own routes: whoever may not watch it is not shown it at all.
    "GET /videos": _reviewer("GET", "/videos", params={"scope": "shared"}),
    "GET /videos/{video_id}": _refused("GET", "/videos/{v}"),
    "POST /videos/{video_id}/playback": _refused("POST", "/videos/{v}/playback"),
    "PUT /videos/{video_id}/safeguards": _refused(
        "PUT", "/videos/{v}/safeguards", json={"contains_students_without_consent": True}
    ),
    "GET /videos/{video_id}/clips": _refused("GET", "/videos/{v}/clips"),
    "POST /videos/{video_id}/clips": _refused(
        "POST", "/videos/{v}/clips", json={"start_s": 1, "end_s": 10, "title": "c"}
    ),
    "POST /clips/{clip_id}/retrim": _refused(
        "POST", "/clips/{c}/retrim", json={"start_s": 12, "end_s": 40}
    ),
    "POST /clips/{clip_id}/nominate": _refused("POST", "/clips/{c}/nominate", json=NOMINATION),
    # A reviewer uploads nothing; their own recordings are not this one either way.
    "POST /videos": _refused(
        "POST",
        "/videos",
        json={"title": "t", "filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 10},
    ),
    "PATCH /videos/{video_id}": _refused("PATCH", "/videos/{v}", json={"title": "renamed"}),
    # A clip in review, as its reviewer sees it.
    "GET /clips/{clip_id}": _reviewer("GET", "/clips/{c}"),
    "POST /clips/{clip_id}/playback": _reviewer("POST", "/clips/{c}/playback"),
    "POST /clips/{clip_id}/redaction/playback": _reviewer("POST", "/clips/{c}/redaction/playback"),
    "GET /review-queue": _reviewer("GET", "/review-queue"),
    "GET /review-queue/{review_id}": _reviewer("GET", "/review-queue/{r}"),
    "POST /review-queue/{review_id}/claim": _claim,
    "POST /review-queue/{review_id}/release": _claimed("/release"),
    "POST /review-queue/{review_id}/approve": _claimed("/approve", json={"checklist": CHECKLIST}),
    "POST /review-queue/{review_id}/reject": _claimed("/reject", json={"reason": "unclear"}),
    # The library, as a teacher of another school reads it.
    "GET /library": _reader("GET", "/library"),
    "POST /library/{clip_id}/unpublish": _unpublish,
}


def test_every_route_that_can_show_media_has_a_case() -> None:
    assert_a_case_per_media_route(CASES)


def _policy_resources(response: requests.Response) -> list[str]:
    """The resources the playback cookies grant (CloudFront's base64 alphabet)."""
    found = []
    for cookie in response.cookies:
        if cookie.name == "CloudFront-Policy" and cookie.value:
            raw = base64.b64decode(cookie.value.translate(str.maketrans("-_~", "+=/")))
            found += [s["Resource"] for s in json.loads(raw)["Statement"]]
    return found


def original_media(world: World, response: requests.Response) -> list[str]:
    """Every mention of the recording's media or a clip's media as cut: body, cookie paths,
    the resource each cookie grants."""
    text = "\n".join(
        [
            response.text,
            *response.headers.get("Set-Cookie", "").split(","),
            *_policy_resources(response),
        ]
    )
    patterns = [rf"videos/{re.escape(world.video_id)}/"] + [
        rf"clips/{re.escape(clip_id)}/(?!redacted/)" for clip_id in world.clip_ids()
    ]
    return [m.group(0) for p in patterns for m in re.finditer(p, text)]


@pytest.mark.parametrize("route", media_routes())
def test_no_response_shows_the_recording_to_those_who_may_not_watch_it(
    route: str, world: World
) -> None:
    call = CASES[route](world)
    response = call.caller.call(call.method, call.path, **call.kwargs)
    if call.answers:
        assert response.status_code < 300, response.text
    else:
        assert response.status_code in (403, 404), response.text
    if not call.may_watch:
        assert original_media(world, response) == []


def _links(view: dict[str, Any]) -> list[str]:
    return [r["url"] for r in view["renditions"]] + [
        view[k] for k in ("poster_url", "storyboard_url", "storyboard_vtt_url") if view.get(k)
    ]


def test_a_reviewer_sees_the_redacted_clip_and_the_coach_the_clip_as_cut(world: World) -> None:
    redacted = f"clips/{world.signed.clip_id}/redacted/"
    seen = world.w.reviewer.ok("GET", f"/clips/{world.signed.clip_id}")
    assert seen["redacted"] is True
    assert seen["renditions"] and seen["poster_url"]
    assert all(redacted in link for link in _links(seen))
    item = world.w.reviewer.ok("GET", f"/review-queue/{world.unsigned_review}")
    assert item["clip"]["redacted"] is True and item["clip"]["renditions"]
    own = world.w.coach.ok("GET", f"/clips/{world.signed.clip_id}")
    assert own["redacted"] is False
    assert all(redacted not in link for link in _links(own)) and own["renditions"]
    # The cookies open the redacted run only.
    grant = world.w.reviewer.call("POST", f"/clips/{world.unsigned.clip_id}/playback")
    assert grant.status_code == 200
    assert _policy_resources(grant)
    assert all("/redacted/run_seeded/" in r for r in _policy_resources(grant))


def test_the_library_lists_the_redacted_clip_and_not_one_the_flag_no_longer_allows(
    world: World,
) -> None:
    items = world.reader.ok("GET", "/library")["items"]
    listed = {i["clip_id"] for i in items}
    assert world.published_redacted.clip_id in listed
    assert world.published_original.clip_id not in listed
    for item in items:
        assert item["redacted"] is True and item["renditions"]
        assert all(f"clips/{item['clip_id']}/redacted/" in link for link in _links(item))
    # Still published until the relay runs, it shows no picture to its readers meanwhile.
    stale = world.reader.ok("GET", f"/clips/{world.published_original.clip_id}")
    assert stale["redacted"] is True
    assert _links(stale) == []
    refused = world.reader.call("POST", f"/clips/{world.published_original.clip_id}/playback")
    assert refused.status_code == 409
    assert refused.json()["field"] == "clip_id"


def test_a_role_that_may_watch_the_recording_still_sees_it(world: World) -> None:
    """The rule is about those who may not watch it: an admin sees the clip as cut."""
    seen = world.w.admin.ok("GET", f"/clips/{world.published_original.clip_id}")
    assert seen["redacted"] is False and seen["renditions"]
