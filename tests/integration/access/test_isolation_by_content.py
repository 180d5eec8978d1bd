"""Isolation between districts, checked by what responses contain, not by status codes.

Two districts are seeded alike — the same user ids in both (a token names its
district; an index keyed by user id alone would leak), two of everything so every
listing has a next page. Then every GET route, with every scope and filter, is
called as every role of one district, and no response may contain anything of
the other district: no id, no title, no district name. A cursor minted in one
partition is refused (400) in another; a comment, evaluation or multipart
upload of one video is not found under another.

``test_every_get_route_is_covered`` keeps this honest: a new GET route needs
its requests in ``REQUESTS``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import app as application
from chalicelib.auth.principal import Role
from chalicelib.clips.models import ClipRecord
from chalicelib.db.base import utcnow
from chalicelib.evaluations.models import EvaluationRecord, EvaluationStatus
from chalicelib.webhooks.models import DeliveryRecord, WebhookRecord, new_delivery_id
from tests.support.api import Api
from tests.support.seed import ready_clip, ready_video
from tests.support.workflow import CHECKLIST

pytestmark = pytest.mark.integration

ROLES = {
    "teacher": (Role.TEACHER, "school-1"),
    "peer": (Role.TEACHER, "school-2"),
    "coach": (Role.COACH, "school-1"),
    "reviewer": (Role.REVIEWER, None),
    "admin": (Role.ADMIN, None),
}
STATUSES = (None, "uploading", "processing", "ready", "failed")
QUEUE_STATUSES = ("pending", "in_review", "approved", "rejected", "unpublished")
DEAD_URL = "http://127.0.0.1:9/isolation"


@dataclass
class District:
    name: str
    api: dict[str, Api]
    videos: list[str] = field(default_factory=list)
    comments: dict[str, list[str]] = field(default_factory=dict)
    evaluations: dict[str, str] = field(default_factory=dict)
    clips: list[str] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)
    hook: str = ""
    deliveries: list[str] = field(default_factory=list)
    export: str = ""
    uploads: list[dict[str, Any]] = field(default_factory=list)
    cycle: str = ""
    title: str = ""
    # The directory: a person and a PLC that only this district has.
    person: str = ""
    group: str = ""
    collection: str = ""

    def markers(self) -> set[str]:
        """Strings that only this district's data contains."""
        found = {self.name, self.title, self.hook, self.export, self.cycle}
        found |= {*self.videos, *self.clips}
        found |= {self.person, self.group, self.collection}
        found |= {*self.reviews, *self.deliveries, *self.evaluations.values()}
        found |= {c for comments in self.comments.values() for c in comments}
        found |= {u["upload_id"] for u in self.uploads}
        return {m for m in found if m}


def _seed(api_as: Callable[..., Api]) -> District:
    name = f"district-iso-{secrets.token_hex(3)}"
    title = f"Lesson of {name}"
    api = {
        who: api_as(f"{who}-1", role, district=name, school=school)
        for who, (role, school) in ROLES.items()
    }
    district = District(name=name, api=api, title=title)
    # Names start alike in both districts ("Person of ..."), so one search finds both.
    district.person = api["admin"].ok(
        "POST",
        "/directory/people",
        201,
        json={"given_name": f"Person of {name}", "email": f"p@{name}.example", "roles": ["coach"]},
    )["id"]
    district.group = api["teacher"].ok(
        "POST",
        "/directory/groups",
        201,
        json={"name": f"PLC of {name}", "members": [{"id": "peer-1"}]},
    )["id"]
    for _ in range(2):
        video = ready_video(
            "teacher-1",
            district=name,
            title=title,
            school_coaches=True,
            shared_with=("peer-1", "admin-1"),
            shared_groups=(district.group,),
            consent_to_library=True,
        )
        district.videos.append(video.video_id)
        district.comments[video.video_id] = [
            api["coach"].ok(
                "POST",
                f"/videos/{video.video_id}/comments",
                201,
                json={
                    "at_s": at,
                    "end_s": at + 20,
                    "body": f"{title} {at}",
                    "tags": ["collaborative"],
                },
            )["id"]
            for at in (5, 40)
        ]
        evaluation_id = f"ev_{secrets.token_hex(8)}"
        EvaluationRecord(
            *EvaluationRecord.key(video.video_id, evaluation_id),
            evaluation_id=evaluation_id,
            video_id=video.video_id,
            district=name,
            evaluator_id="admin-1",
            scores={"collaborative": 3},
            summary="s",
            status=EvaluationStatus.RELEASED.value,
        ).save()
        district.evaluations[video.video_id] = evaluation_id
        api["coach"].ok("GET", f"/videos/{video.video_id}")  # a view in the audit trail
        for outcome in ("pending", "approved", "approved"):
            clip = ready_clip(video, created_by="coach-1", title=title, tags=("collaborative",))
            district.clips.append(clip.clip_id)
            review_id = api["coach"].ok(
                "POST",
                f"/clips/{clip.clip_id}/nominate",
                201,
                json={"note": title, "elements": ["collaborative"]},
            )["id"]
            district.reviews.append(review_id)
            if outcome == "approved":
                api["reviewer"].ok("POST", f"/review-queue/{review_id}/claim")
                api["reviewer"].ok(
                    "POST", f"/review-queue/{review_id}/approve", json={"checklist": CHECKLIST}
                )
    district.hook = f"wh_{secrets.token_hex(6)}"
    WebhookRecord(
        *WebhookRecord.key(name, district.hook),
        hook_id=district.hook,
        district=name,
        url=DEAD_URL,
        events=["video.ready"],
        secret="s",
        created_by="admin-1",
    ).save()
    for _ in range(2):
        delivery_id = new_delivery_id()
        now = utcnow()
        DeliveryRecord(
            DeliveryRecord.partition(district.hook),
            f"DELIVERY#{now.isoformat()}#{delivery_id}",
            delivery_id=delivery_id,
            hook_id=district.hook,
            district=name,
            event_type="video.ready",
            body=json.dumps({"id": delivery_id, "district": name}),
            created_at=now,
        ).save()
        district.deliveries.append(delivery_id)
    district.export = api["teacher"].ok("POST", "/me/exports", 202)["id"]
    district.cycle = api["coach"].ok(
        "POST",
        "/cycles",
        201,
        json={"goal": title, "element": "collaborative", "teacher_id": "teacher-1"},
    )["id"]
    # A collection of the district's library clips, shared with its PLC.
    published = [c for c in district.clips if (ClipRecord.load(c) or ClipRecord()).published]
    district.collection = api["teacher"].ok(
        "POST",
        "/collections",
        201,
        json={
            "title": title,
            "items": [{"clip_id": c} for c in published[:2]],
            "sharing": {"groups": [district.group]},
        },
    )["id"]
    for _ in range(2):
        created = api["teacher"].ok(
            "POST",
            "/videos",
            201,
            json={
                "title": title,
                "filename": "big.mp4",
                "content_type": "video/mp4",
                "size_bytes": 12 * 1024 * 1024,
            },
        )
        district.videos.append(created["video"]["id"])
        district.uploads.append(created["upload"])
    return district


@pytest.fixture(scope="module")
def districts(api_as: Callable[..., Api]) -> Iterator[tuple[District, District]]:
    pair = (_seed(api_as), _seed(api_as))
    yield pair
    for district in pair:
        WebhookRecord(*WebhookRecord.key(district.name, district.hook)).delete()


Request = tuple[str, str, dict[str, Any]]


def _with(params: dict[str, Any]) -> dict[str, Any]:
    return {"params": {k: v for k, v in params.items() if v is not None}}


def _list_requests(d: District) -> dict[str, list[Request]]:
    """GET route → (caller, path, request kwargs): every scope and filter."""
    video, clip, review = d.videos[0], d.clips[0], d.reviews[0]
    return {
        "GET /me": [(who, "/me", {}) for who in ROLES],
        "GET /videos": [
            (who, "/videos", _with({"scope": scope, "status": status}))
            for who in ROLES
            for scope in ("mine", "shared", "school", "caseload", "district")
            for status in STATUSES
        ],
        "GET /videos/{video_id}": [(who, f"/videos/{video}", {}) for who in ROLES],
        "GET /s3/multipart/{upload_id}": [
            ("teacher", f"/s3/multipart/{u['upload_id']}", _with({"key": u["key"]}))
            for u in d.uploads
        ],
        "GET /s3/multipart/{upload_id}/{part_number}": [
            (
                "teacher",
                f"/s3/multipart/{d.uploads[0]['upload_id']}/1",
                _with({"key": d.uploads[0]["key"]}),
            )
        ],
        "GET /framework": [(who, "/framework", {}) for who in ROLES],
        "GET /videos/{video_id}/comments": [
            (who, f"/videos/{v}/comments", {}) for who in ROLES for v in d.videos[:2]
        ],
        "GET /videos/{video_id}/evaluations": [
            (who, f"/videos/{v}/evaluations", {}) for who in ROLES for v in d.videos[:2]
        ],
        "GET /webhooks": [("admin", "/webhooks", {})],
        "GET /webhooks/{hook_id}/deliveries": [("admin", f"/webhooks/{d.hook}/deliveries", {})],
        "GET /videos/{video_id}/clips": [
            (who, f"/videos/{v}/clips", {}) for who in ROLES for v in d.videos[:2]
        ],
        "GET /clips/{clip_id}": [(who, f"/clips/{clip}", {}) for who in ROLES],
        "GET /clips/{clip_id}/comments": [(who, f"/clips/{clip}/comments", {}) for who in ROLES],
        "GET /clips/{clip_id}/redaction": [(who, f"/clips/{clip}/redaction", {}) for who in ROLES],
        "GET /review-queue": [
            (who, "/review-queue", _with({"status": status, "element": element, "school": school}))
            for who in ("reviewer", "admin")
            for status in QUEUE_STATUSES
            for element in (None, "collaborative", "differentiated")
            for school in (None, "school-1")
        ],
        "GET /review-queue/stats": [
            (who, "/review-queue/stats", {}) for who in ("reviewer", "admin")
        ],
        "GET /review-queue/checklist": [("reviewer", "/review-queue/checklist", {})],
        "GET /review-queue/{review_id}": [(who, f"/review-queue/{review}", {}) for who in ROLES],
        "GET /library": [
            (who, "/library", _with({"element": element, "q": q, "school": school}))
            for who in ("teacher", "reviewer", "admin")
            for element in (None, "collaborative")
            for q in (None, "Lesson", d.title)
            for school in (None, "school-1")
        ],
        "GET /videos/{video_id}/audit": [
            (who, f"/videos/{video}/audit", {}) for who in ("teacher", "admin")
        ],
        "GET /audit": [("admin", "/audit", _with({"since": "2000-01-01", "limit": 1000}))],
        "GET /retention": [("admin", "/retention", {})],
        "GET /retention/preview": [
            ("admin", "/retention/preview", _with({"as_of": "2999-01-01T00:00:00Z"}))
        ],
        "GET /me/exports/{export_id}": [("teacher", f"/me/exports/{d.export}", {})],
        "GET /directory/search": [
            (who, "/directory/search", _with({"q": q}))
            for who in ROLES
            for q in ("Person", "PLC", "p@")
        ],
        # Asking for the other district's ids by name: they are not found.
        "GET /directory/names": [
            (who, "/directory/names", _with({"ids": f"{d.person},{d.group},{other}"}))
            for who in ROLES
            for other in ("teacher-1", "peer-1")
        ],
        "GET /directory/schools": [(who, "/directory/schools", {}) for who in ROLES],
        "GET /directory/people": [("admin", "/directory/people", _with({"limit": 500}))],
        "GET /directory/people/{person_id}": [
            ("admin", f"/directory/people/{d.person}", {}),
            ("teacher", "/directory/people/teacher-1", {}),
        ],
        "GET /directory/groups": [(who, "/directory/groups", {}) for who in ROLES],
        "GET /directory/groups/{group_id}": [
            (who, f"/directory/groups/{d.group}", {}) for who in ROLES
        ],
        "GET /collections": [(who, "/collections", {}) for who in ROLES],
        "GET /collections/{collection_id}": [
            (who, f"/collections/{d.collection}", {}) for who in ROLES
        ],
        # The coach's comments and the cycle reached the teacher's inbox (titles included).
        "GET /me/notifications": [
            (who, "/me/notifications", _with({"unread": unread}))
            for who in ROLES
            for unread in (None, "true")
        ],
        "GET /me/notifications/unread": [(who, "/me/notifications/unread", {}) for who in ROLES],
        "GET /me/notification-preferences": [
            (who, "/me/notification-preferences", {}) for who in ROLES
        ],
        "GET /cycles": [
            (who, "/cycles", _with({"status": status}))
            for who in ROLES
            for status in ("open", "closed", "all")
        ],
        "GET /cycles/{cycle_id}": [(who, f"/cycles/{d.cycle}", {}) for who in ROLES],
        "GET /evaluations/rubric": [(who, "/evaluations/rubric", {}) for who in ROLES],
        "GET /clips/{clip_id}/library-consent": [
            (who, f"/clips/{clip}/library-consent", {}) for who in ROLES
        ],
        "GET /videos/{video_id}/consent-requests": [
            (who, f"/videos/{video}/consent-requests", {}) for who in ROLES
        ],
    }


UNLISTED = {"GET /health", "GET /openapi.json", "GET /docs"}  # public, no district data


def _get_routes() -> set[str]:
    return {f"GET {path}" for path, methods in application.app.routes.items() if "GET" in methods}


def test_every_get_route_is_covered() -> None:
    probe = District(
        name="d",
        api={},
        videos=["v", "w"],
        clips=["c"],
        reviews=["r"],
        person="p",
        group="g",
        collection="k",
        cycle="y",
    )
    probe.uploads = [{"upload_id": "u", "key": "k"}]
    assert set(_list_requests(probe)) | UNLISTED == _get_routes()


def test_no_response_contains_anything_of_the_other_district(
    districts: tuple[District, District],
) -> None:
    leaks = []
    for mine, theirs in (districts, districts[::-1]):
        foreign = theirs.markers()
        seen_own: set[str] = set()
        for route, requests in _list_requests(mine).items():
            for who, path, kwargs in requests:
                response = mine.api[who].call("GET", path, **kwargs)
                assert response.status_code in (200, 403, 404), (route, who, response.text)
                text = response.text
                leaks += [f"{route} as {who} {kwargs}: {m}" for m in foreign if m in text]
                seen_own |= {m for m in mine.markers() if m in text}
        # The listings are not just empty: they show the caller's own district.
        own = {*mine.videos, *mine.clips, *mine.reviews, *mine.deliveries, mine.cycle}
        own |= {mine.person, mine.group, mine.collection}
        assert own <= seen_own
    assert leaks == []


def _cursor(api: Api, path: str, params: dict[str, Any]) -> str:
    page = api.ok("GET", path, params={**params, "limit": 1})
    cursor = page.get("next_cursor")
    assert cursor, (path, params, page)
    return str(cursor)


def test_a_cursor_from_another_partition_is_refused(districts: tuple[District, District]) -> None:
    a, b = districts
    cases: list[tuple[Api, str, dict[str, Any], Api, str, dict[str, Any]]] = [
        # (minted by, path, params) → (replayed by, path, params)
        *[
            (b.api[who], "/videos", {"scope": scope}, a.api[who], "/videos", {"scope": scope})
            for who, scope in (
                ("teacher", "mine"),
                ("peer", "shared"),
                ("coach", "school"),
                ("admin", "district"),
            )
        ],
        # Another scope of the same district is another partition too.
        (
            a.api["admin"],
            "/videos",
            {"scope": "shared"},
            a.api["admin"],
            "/videos",
            {"scope": "district"},
        ),
        (
            b.api["coach"],
            f"/videos/{b.videos[0]}/comments",
            {},
            a.api["coach"],
            f"/videos/{a.videos[0]}/comments",
            {},
        ),
        (
            a.api["coach"],
            f"/videos/{a.videos[1]}/comments",
            {},
            a.api["coach"],
            f"/videos/{a.videos[0]}/comments",
            {},
        ),
        (
            b.api["reviewer"],
            "/review-queue",
            {"status": "approved"},
            a.api["reviewer"],
            "/review-queue",
            {"status": "approved"},
        ),
        (
            a.api["reviewer"],
            "/review-queue",
            {"status": "approved"},
            a.api["reviewer"],
            "/review-queue",
            {"status": "pending"},
        ),
        (b.api["teacher"], "/library", {}, a.api["teacher"], "/library", {}),
        (
            b.api["admin"],
            "/audit",
            {"since": "2000-01-01"},
            a.api["admin"],
            "/audit",
            {"since": "2000-01-01"},
        ),
        (
            b.api["admin"],
            f"/videos/{b.videos[0]}/audit",
            {},
            a.api["admin"],
            f"/videos/{a.videos[0]}/audit",
            {},
        ),
        (
            b.api["admin"],
            f"/webhooks/{b.hook}/deliveries",
            {},
            a.api["admin"],
            f"/webhooks/{a.hook}/deliveries",
            {},
        ),
    ]
    accepted = []
    for minter, minted_path, minted_params, caller, path, params in cases:
        cursor = _cursor(minter, minted_path, minted_params)
        response = caller.call("GET", path, params={**params, "cursor": cursor})
        if response.status_code != 400 or response.json().get("field") != "cursor":
            accepted.append(
                f"{minted_path} {minted_params} → {path} {params}: {response.status_code}"
            )
    assert accepted == []


def test_a_comment_or_evaluation_of_one_video_is_not_found_under_another(
    districts: tuple[District, District],
) -> None:
    a, b = districts
    own, other_video = a.videos[0], a.videos[1]
    coach, teacher, admin = a.api["coach"], a.api["teacher"], a.api["admin"]
    for stranger in (a.comments[other_video][0], b.comments[b.videos[0]][0]):
        base = f"/videos/{own}/comments/{stranger}"
        calls = [
            coach.call("PATCH", base, json={"body": "moved", "version": 1}),
            coach.call("POST", f"{base}/resolve"),
            coach.call("POST", f"{base}/reopen"),
            teacher.call(
                "POST",
                f"/videos/{own}/comments",
                json={"at_s": 1, "body": "r", "parent_id": stranger},
            ),
            admin.call("DELETE", base),
        ]
        assert [c.status_code for c in calls] == [404] * len(calls), [c.text for c in calls]
    # Nothing happened to the comments addressed the wrong way.
    threads = coach.ok("GET", f"/videos/{other_video}/comments")["threads"]
    bodies = [t["body"] for t in threads]
    assert all(body.startswith(a.title) for body in bodies) and len(bodies) == 2
    for stranger in (a.evaluations[other_video], b.evaluations[b.videos[0]]):
        base = f"/videos/{own}/evaluations/{stranger}"
        calls = [
            admin.call("PATCH", base, json={"summary": "moved"}),
            admin.call("POST", f"{base}/release"),
            teacher.call("POST", f"{base}/acknowledge", json={}),
        ]
        assert [c.status_code for c in calls] == [404] * len(calls), [c.text for c in calls]


def test_a_multipart_upload_id_of_one_video_is_refused_with_another_videos_key(
    districts: tuple[District, District],
) -> None:
    a, b = districts
    teacher = a.api["teacher"]
    first, second = a.uploads
    for upload_id, key in (
        (first["upload_id"], second["key"]),
        (second["upload_id"], first["key"]),
        (b.uploads[0]["upload_id"], first["key"]),
        (first["upload_id"], b.uploads[0]["key"]),
    ):
        params = {"key": key}
        calls = [
            teacher.call("GET", f"/s3/multipart/{upload_id}", params=params),
            teacher.call("GET", f"/s3/multipart/{upload_id}/1", params=params),
            teacher.call(
                "POST",
                f"/s3/multipart/{upload_id}/complete",
                params=params,
                json={"parts": [{"PartNumber": 1, "ETag": "x"}]},
            ),
            teacher.call("DELETE", f"/s3/multipart/{upload_id}", params=params),
        ]
        assert [c.status_code for c in calls] == [404] * len(calls), [c.text for c in calls]
    # Both uploads are still open and usable with their own keys.
    for upload in a.uploads:
        teacher.ok("GET", f"/s3/multipart/{upload['upload_id']}/1", params={"key": upload["key"]})
