"""Every route x every kind of caller → the status the access rules promise.

The route list comes from the app's own route table: a new route without a rule
here fails ``test_every_route_has_a_rule``. Each request runs against a fresh
world (a shared video, a comment, evaluations, a webhook), so a destructive
call can never change what the next caller sees.

Kinds of caller, relative to the world's video (district A, school 1):
- OWNER: the teacher who uploaded it;
- COACH_SCHOOL: a school-1 coach (shared with the school's coaches);
- PEER_NAMED: a school-2 teacher it is shared with by name;
- GROUP_MEMBER: a school-2 teacher in the PLC it is shared with (a group share);
- ADMIN: a district admin it is shared with by name (the evaluator);
- TEACHER_SAME_SCHOOL, COACH_OTHER_SCHOOL, REVIEWER: same district, not shared;
- ADMIN_OTHER_DISTRICT, TEACHER_OTHER_DISTRICT: district B.

Callers without a valid token (none, garbage, expired, signed by a key the API
does not trust) are refused before any record is read, so every route with each of
them runs in the unit tier (tests/unit/api/test_routes.py, Chalice's test
client over the same app); tests/integration/auth shows each form over HTTP.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import requests

import app as application
from chalicelib.auth.principal import Role
from chalicelib.collections.models import CollectionRecord
from chalicelib.consent.models import ConsentRequestRecord, new_request_id
from chalicelib.directory.models import GroupRecord, PersonRecord
from chalicelib.evaluations.models import EvaluationRecord, EvaluationStatus
from chalicelib.webhooks.models import WebhookRecord
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.seed import ready_clip, ready_redaction, ready_video
from tests.support.users import TokenFactory
from tests.support.workflow import CHECKLIST

pytestmark = pytest.mark.integration

OWNER = "OWNER"
COACH_SCHOOL = "COACH_SCHOOL"
PEER_NAMED = "PEER_NAMED"
GROUP_MEMBER = "GROUP_MEMBER"
ADMIN = "ADMIN"
TEACHER_SAME_SCHOOL = "TEACHER_SAME_SCHOOL"
COACH_OTHER_SCHOOL = "COACH_OTHER_SCHOOL"
REVIEWER = "REVIEWER"
ADMIN_OTHER_DISTRICT = "ADMIN_OTHER_DISTRICT"
TEACHER_OTHER_DISTRICT = "TEACHER_OTHER_DISTRICT"

# (role, district, school) of each authenticated kind of caller.
IDENTITIES: dict[str, tuple[Role, str, str | None]] = {
    OWNER: (Role.TEACHER, "district-a", "school-1"),
    COACH_SCHOOL: (Role.COACH, "district-a", "school-1"),
    PEER_NAMED: (Role.TEACHER, "district-a", "school-2"),
    GROUP_MEMBER: (Role.TEACHER, "district-a", "school-2"),
    ADMIN: (Role.ADMIN, "district-a", None),
    TEACHER_SAME_SCHOOL: (Role.TEACHER, "district-a", "school-1"),
    COACH_OTHER_SCHOOL: (Role.COACH, "district-a", "school-2"),
    REVIEWER: (Role.REVIEWER, "district-a", None),
    ADMIN_OTHER_DISTRICT: (Role.ADMIN, "district-b", None),
    TEACHER_OTHER_DISTRICT: (Role.TEACHER, "district-b", "school-1"),
}
DEAD_HOOK_URL = "http://127.0.0.1:9/h"
EVERYONE = tuple(IDENTITIES)
# Teachers it is shared with, by name or through a group: the same rights.
PEERS = {PEER_NAMED, GROUP_MEMBER}
VIEWERS = {OWNER, COACH_SCHOOL, ADMIN, *PEERS}
ADMINS = {ADMIN, ADMIN_OTHER_DISTRICT}
UPLOADERS = {k for k, (role, _, _) in IDENTITIES.items() if role is not Role.REVIEWER}
CURATORS = {OWNER, COACH_SCHOOL}
QUEUE_WORKERS = {REVIEWER, ADMIN, ADMIN_OTHER_DISTRICT}
NOT_QUEUE_WORKERS = set(IDENTITIES) - QUEUE_WORKERS


@dataclass
class Rule:
    """Who succeeds (with ``ok``), who is refused with 403; everyone else gets ``hidden``."""

    ok: set[str]
    ok_status: int = 200
    forbidden: set[str] = field(default_factory=set)
    # Authorised, but the item's state refuses them (e.g. another reviewer's claim).
    conflict: set[str] = field(default_factory=set)
    # Authorised, but what they name is not of their district (400 naming the field).
    invalid: set[str] = field(default_factory=set)
    hidden: int = 404
    # Public routes answer everyone, token or not.
    public: bool = False

    def expected(self, caller: str) -> int:
        if self.public:
            return self.ok_status
        if caller in self.ok:
            return self.ok_status
        if caller in self.forbidden:
            return 403
        if caller in self.conflict:
            return 409
        if caller in self.invalid:
            return 400
        return self.hidden


ALL_AUTHENTICATED = set(IDENTITIES)

RULES: dict[str, Rule] = {
    "GET /health": Rule(ok=set(), public=True),
    "GET /openapi.json": Rule(ok=set(), public=True),
    "GET /docs": Rule(ok=set(), public=True),
    "GET /me": Rule(ok=ALL_AUTHENTICATED),
    "POST /videos": Rule(ok=UPLOADERS, ok_status=201, forbidden={REVIEWER}),
    "GET /videos": Rule(ok=ALL_AUTHENTICATED),
    "GET /videos/{video_id}": Rule(ok=VIEWERS),
    # Playback access: whoever may see the video may watch it (and is audited).
    "POST /videos/{video_id}/playback": Rule(ok=VIEWERS),
    "PATCH /videos/{video_id}": Rule(ok={OWNER}, forbidden=VIEWERS - {OWNER}),
    "DELETE /videos/{video_id}": Rule(
        ok={OWNER, ADMIN}, ok_status=204, forbidden={COACH_SCHOOL, *PEERS}
    ),
    # The multipart video is not shared: only its owner and the admin see it.
    "POST /s3/multipart": Rule(ok={OWNER}, forbidden={ADMIN}),
    "GET /s3/multipart/{upload_id}": Rule(ok={OWNER}, forbidden={ADMIN}),
    "GET /s3/multipart/{upload_id}/{part_number}": Rule(ok={OWNER}, forbidden={ADMIN}),
    # Authorised, then refused for the missing parts: 400 proves auth passed.
    "POST /s3/multipart/{upload_id}/complete": Rule(ok={OWNER}, ok_status=400, forbidden={ADMIN}),
    "DELETE /s3/multipart/{upload_id}": Rule(ok={OWNER}, forbidden={ADMIN}),
    "GET /framework": Rule(ok=ALL_AUTHENTICATED),
    # An admin of district B edits district B's framework: allowed, not a leak.
    "PUT /framework": Rule(ok=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS),
    "POST /videos/{video_id}/comments": Rule(ok=VIEWERS, ok_status=201),
    "GET /videos/{video_id}/comments": Rule(ok=VIEWERS),
    "PATCH /videos/{video_id}/comments/{comment_id}": Rule(
        ok={COACH_SCHOOL}, forbidden=VIEWERS - {COACH_SCHOOL}
    ),
    "DELETE /videos/{video_id}/comments/{comment_id}": Rule(
        ok={COACH_SCHOOL, ADMIN}, ok_status=204, forbidden={OWNER, *PEERS}
    ),
    "POST /videos/{video_id}/comments/{comment_id}/resolve": Rule(
        ok={OWNER, COACH_SCHOOL}, forbidden={*PEERS, ADMIN}
    ),
    "POST /videos/{video_id}/comments/{comment_id}/reopen": Rule(
        ok={OWNER, COACH_SCHOOL}, forbidden={*PEERS, ADMIN}
    ),
    "POST /videos/{video_id}/evaluations": Rule(
        ok={ADMIN}, ok_status=201, forbidden=VIEWERS - {ADMIN}
    ),
    "GET /videos/{video_id}/evaluations": Rule(ok=VIEWERS),
    # A draft is the evaluator's alone: invisible (404) even to the video's viewers.
    "PATCH /videos/{video_id}/evaluations/{evaluation_id}": Rule(ok={ADMIN}),
    "POST /videos/{video_id}/evaluations/{evaluation_id}/release": Rule(ok={ADMIN}),
    # Released: the teacher and admins see it; only the teacher acknowledges.
    "POST /videos/{video_id}/evaluations/{evaluation_id}/acknowledge": Rule(
        ok={OWNER}, forbidden={ADMIN}
    ),
    "POST /webhooks": Rule(ok=ADMINS, ok_status=201, forbidden=ALL_AUTHENTICATED - ADMINS),
    "GET /webhooks": Rule(ok=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS),
    # District A's hook: district B's admin cannot see it.
    "DELETE /webhooks/{hook_id}": Rule(
        ok={ADMIN}, ok_status=204, forbidden=ALL_AUTHENTICATED - ADMINS
    ),
    "GET /webhooks/{hook_id}/deliveries": Rule(ok={ADMIN}, forbidden=ALL_AUTHENTICATED - ADMINS),
    "POST /webhooks/{hook_id}/rotate-secret": Rule(
        ok={ADMIN}, forbidden=ALL_AUTHENTICATED - ADMINS
    ),
    # Clips follow their video; cutting and nominating is for the teacher and coaches.
    "POST /videos/{video_id}/clips": Rule(ok=CURATORS, ok_status=201, forbidden=VIEWERS - CURATORS),
    "GET /videos/{video_id}/clips": Rule(ok=VIEWERS),
    "GET /clips/{clip_id}": Rule(ok=VIEWERS),
    "POST /clips/{clip_id}/playback": Rule(ok=VIEWERS),
    "GET /clips/{clip_id}/comments": Rule(ok=VIEWERS),
    "POST /clips/{clip_id}/nominate": Rule(
        ok=CURATORS, ok_status=201, forbidden=VIEWERS - CURATORS
    ),
    "POST /clips/{clip_id}/retrim": Rule(ok=CURATORS, ok_status=201, forbidden=VIEWERS - CURATORS),
    # Library consent: whoever sees the clip may read its state; the world's video is
    # consented already, so asking is authorised and then refused as needless (409).
    "GET /clips/{clip_id}/library-consent": Rule(ok=VIEWERS),
    "POST /clips/{clip_id}/consent-requests": Rule(
        ok=set(), conflict=CURATORS, forbidden=VIEWERS - CURATORS
    ),
    "GET /videos/{video_id}/consent-requests": Rule(
        ok={OWNER, COACH_SCHOOL, ADMIN}, forbidden=PEERS
    ),
    "POST /videos/{video_id}/consent-requests/{request_id}/answer": Rule(
        ok={OWNER}, forbidden=VIEWERS - {OWNER}
    ),
    # Redaction: whoever sees the clip reads it and watches the redacted version; the
    # teacher and coaches (and a reviewer of its nomination) change it; reviewers and admins
    # sign it off, for a clip under review.
    "GET /clips/{clip_id}/redaction": Rule(ok=VIEWERS),
    "POST /clips/{clip_id}/redaction/playback": Rule(ok=VIEWERS),
    "POST /clips/{clip_id}/redaction": Rule(
        ok=CURATORS, ok_status=202, forbidden=VIEWERS - CURATORS
    ),
    "PUT /clips/{clip_id}/redaction/regions": Rule(
        ok=CURATORS, ok_status=202, forbidden=VIEWERS - CURATORS
    ),
    "POST /clips/{clip_id}/redaction/sign-off": Rule(
        ok={REVIEWER, ADMIN}, forbidden=NOT_QUEUE_WORKERS
    ),
    # The queue is for reviewers and admins, each seeing their own district's.
    "GET /review-queue": Rule(ok=QUEUE_WORKERS, forbidden=NOT_QUEUE_WORKERS),
    "GET /review-queue/stats": Rule(ok=QUEUE_WORKERS, forbidden=NOT_QUEUE_WORKERS),
    "GET /review-queue/checklist": Rule(ok=QUEUE_WORKERS, forbidden=NOT_QUEUE_WORKERS),
    "GET /review-queue/{review_id}": Rule(ok={REVIEWER, ADMIN}, forbidden=NOT_QUEUE_WORKERS),
    "POST /review-queue/{review_id}/claim": Rule(ok={REVIEWER, ADMIN}, forbidden=NOT_QUEUE_WORKERS),
    # The world's claimed item is held by REVIEWER; an admin may release any claim.
    "POST /review-queue/{review_id}/release": Rule(
        ok={REVIEWER, ADMIN}, forbidden=NOT_QUEUE_WORKERS
    ),
    "POST /review-queue/{review_id}/approve": Rule(
        ok={REVIEWER}, conflict={ADMIN}, forbidden=NOT_QUEUE_WORKERS
    ),
    "POST /review-queue/{review_id}/reject": Rule(
        ok={REVIEWER}, conflict={ADMIN}, forbidden=NOT_QUEUE_WORKERS
    ),
    "GET /library": Rule(ok=ALL_AUTHENTICATED),
    # Privacy: the trail of a video is its teacher's and the admins'.
    "GET /videos/{video_id}/audit": Rule(ok={OWNER, ADMIN}, forbidden={COACH_SCHOOL, *PEERS}),
    "GET /audit": Rule(ok=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS),
    "PUT /videos/{video_id}/safeguards": Rule(ok={OWNER, COACH_SCHOOL, ADMIN}, forbidden={*PEERS}),
    "GET /retention": Rule(ok=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS),
    "PUT /retention": Rule(ok=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS),
    "GET /retention/preview": Rule(ok=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS),
    "POST /me/exports": Rule(ok=ALL_AUTHENTICATED, ok_status=202),
    # An export is its requester's alone.
    "GET /me/exports/{export_id}": Rule(ok={OWNER}),
    "POST /library/{clip_id}/unpublish": Rule(ok={ADMIN}, forbidden=ALL_AUTHENTICATED - ADMINS),
    # The directory: everyone in a district finds its people and groups (the picker);
    # admins manage people and schools; a group is its owners' and admins' to change.
    "GET /directory/search": Rule(ok=ALL_AUTHENTICATED),
    "GET /directory/names": Rule(ok=ALL_AUTHENTICATED),
    "GET /directory/schools": Rule(ok=ALL_AUTHENTICATED),
    "PUT /directory/schools/{school_id}": Rule(ok=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS),
    "GET /directory/people": Rule(ok=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS),
    "POST /directory/people": Rule(ok=ADMINS, ok_status=201, forbidden=ALL_AUTHENTICATED - ADMINS),
    # The world's person is the owner: theirs to read, district A's admin's to change.
    "GET /directory/people/{person_id}": Rule(
        ok={OWNER, ADMIN}, forbidden=ALL_AUTHENTICATED - ADMINS - {OWNER}
    ),
    "PATCH /directory/people/{person_id}": Rule(ok={ADMIN}, forbidden=ALL_AUTHENTICATED - ADMINS),
    "GET /directory/groups": Rule(ok=ALL_AUTHENTICATED),
    "POST /directory/groups": Rule(ok=UPLOADERS, ok_status=201, forbidden={REVIEWER}),
    # The world's PLC (the video is shared with it): the owner leads it, GROUP_MEMBER is in it.
    "GET /directory/groups/{group_id}": Rule(ok={OWNER, GROUP_MEMBER, ADMIN}),
    "PATCH /directory/groups/{group_id}": Rule(ok={OWNER, ADMIN}, forbidden={GROUP_MEMBER}),
    "DELETE /directory/groups/{group_id}": Rule(
        ok={OWNER, ADMIN}, ok_status=204, forbidden={GROUP_MEMBER}
    ),
    "POST /directory/groups/{group_id}/members": Rule(ok={OWNER, ADMIN}, forbidden={GROUP_MEMBER}),
    "DELETE /directory/groups/{group_id}/members/{member_id}": Rule(
        ok={OWNER, ADMIN}, forbidden={GROUP_MEMBER}
    ),
    # Collections: anyone curates their own; the world's is the owner's, shared with the PLC.
    "GET /collections": Rule(ok=ALL_AUTHENTICATED),
    "POST /collections": Rule(ok=ALL_AUTHENTICATED, ok_status=201),
    "GET /collections/{collection_id}": Rule(ok={OWNER, GROUP_MEMBER, ADMIN}),
    "PATCH /collections/{collection_id}": Rule(ok={OWNER, ADMIN}, forbidden={GROUP_MEMBER}),
    "DELETE /collections/{collection_id}": Rule(
        ok={OWNER, ADMIN}, ok_status=204, forbidden={GROUP_MEMBER}
    ),
    # A dry run of an empty bundle: a report listing what is missing, for admins only.
    "POST /directory/imports": Rule(ok=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS),
    # Everyone has an inbox of their own; the world's notification (the coach's comment) is
    # the owner's: anyone else's inbox has no such item.
    "GET /me/notifications": Rule(ok=ALL_AUTHENTICATED),
    "GET /me/notifications/unread": Rule(ok=ALL_AUTHENTICATED),
    "POST /me/notifications/{notification_id}/read": Rule(ok={OWNER}),
    "POST /me/notifications/read-all": Rule(ok=ALL_AUTHENTICATED),
    "GET /me/notification-preferences": Rule(ok=ALL_AUTHENTICATED),
    "PUT /me/notification-preferences": Rule(ok=ALL_AUTHENTICATED),
    # District settings: a version that is not the current one proves the admin got past
    # the access check (409) without changing the district's settings for other tests.
    "PUT /review-queue/checklist": Rule(
        ok=set(), conflict=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS
    ),
    "GET /evaluations/rubric": Rule(ok=ALL_AUTHENTICATED),
    "PUT /evaluations/rubric": Rule(
        ok=set(), conflict=ADMINS, forbidden=ALL_AUTHENTICATED - ADMINS
    ),
    # Coaching cycles: opened by coaches and teachers; the world's cycle is the owner's with
    # the school's coach, and an admin of the district may read it.
    # The coach the body names is of district A: nobody in district B's directory.
    "POST /cycles": Rule(
        ok=ALL_AUTHENTICATED - {ADMIN, REVIEWER, ADMIN_OTHER_DISTRICT, TEACHER_OTHER_DISTRICT},
        ok_status=201,
        forbidden={ADMIN, REVIEWER, ADMIN_OTHER_DISTRICT},
        invalid={TEACHER_OTHER_DISTRICT},
    ),
    "GET /cycles": Rule(ok=ALL_AUTHENTICATED),
    "GET /cycles/{cycle_id}": Rule(ok={OWNER, COACH_SCHOOL, ADMIN}),
    "POST /cycles/{cycle_id}/evidence": Rule(
        ok={OWNER, COACH_SCHOOL}, ok_status=201, forbidden={ADMIN}
    ),
    "POST /cycles/{cycle_id}/close": Rule(ok={OWNER, COACH_SCHOOL}, forbidden={ADMIN}),
    # An email's unsubscribe link is its own credential: a token nobody was mailed is a 404
    # for everyone, signed in or not.
    "POST /unsubscribe": Rule(ok=set(), public=True, ok_status=404),
    "POST /unsubscribe/one-click": Rule(ok=set(), public=True, ok_status=404),
}


@dataclass
class World:
    users: dict[str, str]
    video_id: str
    comment_id: str
    draft_id: str
    released_id: str
    hook_id: str
    upload: dict[str, Any]
    upload_video_id: str
    clip_id: str
    review_id: str
    claimed_review_id: str
    published_clip_id: str
    export_id: str
    group_id: str
    collection_id: str
    notification_id: str
    cycle_id: str
    consent_request_id: str = ""


def _served_routes() -> list[str]:
    return sorted(
        f"{method} {path}" for path, methods in application.app.routes.items() for method in methods
    )


class Callers:
    def __init__(self, stack: LocalStack, tokens: TokenFactory) -> None:
        self.stack = stack
        self.tokens = tokens

    def headers(self, caller: str, users: dict[str, str]) -> dict[str, str]:
        role, district, school = IDENTITIES[caller]
        token = self.tokens.token(users[caller], role, district=district, school=school)
        return {"Authorization": f"Bearer {token}"}


def _world(callers: Callers, route: str) -> World:
    tag = secrets.token_hex(3)
    users = {caller: f"{caller.lower()}-{tag}" for caller in IDENTITIES}
    # The PLC the video is shared with (a group share): its owner's, GROUP_MEMBER in it.
    for caller in EVERYONE if "/directory/" in route else (OWNER, GROUP_MEMBER):
        callers.headers(caller, users)  # in the directory before the PLC names them
    as_owner = Api(callers.stack.api_url, "")
    as_owner.session.headers.update(callers.headers(OWNER, users))
    group_id = as_owner.ok(
        "POST",
        "/directory/groups",
        201,
        json={"name": f"PLC {tag}", "members": [{"id": users[GROUP_MEMBER]}]},
    )["id"]
    video = ready_video(
        users[OWNER],
        school_coaches=True,
        shared_with=(users[PEER_NAMED], users[ADMIN]),
        shared_groups=(group_id,),
        consent_to_library=True,
    )
    as_coach = Api(callers.stack.api_url, "")
    as_coach.session.headers.update(callers.headers(COACH_SCHOOL, users))
    comment = as_coach.ok(
        "POST",
        f"/videos/{video.video_id}/comments",
        201,
        json={"at_s": 5, "body": "Wait time", "tags": ["high-expectations"]},
    )
    evaluations = {}
    for status in (EvaluationStatus.DRAFT, EvaluationStatus.RELEASED):
        evaluation_id = f"ev_{secrets.token_hex(8)}"
        EvaluationRecord(
            *EvaluationRecord.key(video.video_id, evaluation_id),
            evaluation_id=evaluation_id,
            video_id=video.video_id,
            district="district-a",
            evaluator_id=users[ADMIN],
            scores={"collaborative": 3},
            summary="s",
            status=status.value,
        ).save()
        evaluations[status] = evaluation_id
    hook_id = f"wh_{tag}"
    WebhookRecord(
        *WebhookRecord.key("district-a", hook_id),
        hook_id=hook_id,
        district="district-a",
        url=DEAD_HOOK_URL,
        events=["video.ready"],
        secret="s",
        created_by=users[ADMIN],
    ).save()
    created = as_owner.ok(
        "POST",
        "/videos",
        201,
        json={
            "title": "big",
            "filename": "big.mp4",
            "content_type": "video/mp4",
            "size_bytes": 12 * 1024 * 1024,
        },
    )
    as_reviewer = Api(callers.stack.api_url, "")
    as_reviewer.session.headers.update(callers.headers(REVIEWER, users))

    def nominated() -> str:
        clip = ready_clip(video, created_by=users[COACH_SCHOOL])
        item = as_coach.ok(
            "POST",
            f"/clips/{clip.clip_id}/nominate",
            201,
            json={"note": "n", "elements": ["collaborative"]},
        )
        return str(item["id"])

    # Review items cost several requests each: only routes that use them get them.
    review_id = claimed = published_clip_id = ""
    if "/review-queue/{review_id}" in route:
        review_id = nominated()
        claimed = nominated()
        as_reviewer.ok("POST", f"/review-queue/{claimed}/claim")
    if route.endswith("/unpublish"):
        approved = nominated()
        as_reviewer.ok("POST", f"/review-queue/{approved}/claim")
        published_clip_id = as_reviewer.ok(
            "POST", f"/review-queue/{approved}/approve", json={"checklist": CHECKLIST}
        )["clip_id"]
    consent_request_id = ""
    if "{request_id}" in route:
        consent_request_id = new_request_id()
        clip = ready_clip(video, created_by=users[COACH_SCHOOL])
        ConsentRequestRecord(
            *ConsentRequestRecord.key(video.video_id, consent_request_id),
            request_id=consent_request_id,
            video_id=video.video_id,
            clip_id=clip.clip_id,
            clip_title=clip.title,
            district="district-a",
            requested_by=users[COACH_SCHOOL],
            requested_by_role="coach",
            requested_by_school="school-1",
            note="n",
            elements=["collaborative"],
        ).save()
    clip = ready_clip(video, created_by=users[COACH_SCHOOL])
    if "/redaction" in route:
        ready_redaction(clip)
    if route.endswith("/sign-off"):
        # Signed off by those who review it: the clip is nominated.
        as_coach.ok(
            "POST",
            f"/clips/{clip.clip_id}/nominate",
            201,
            json={"note": "n", "elements": ["collaborative"]},
        )
    return World(
        consent_request_id=consent_request_id,
        users=users,
        clip_id=clip.clip_id,
        review_id=review_id,
        claimed_review_id=claimed,
        published_clip_id=published_clip_id,
        export_id=(as_owner.ok("POST", "/me/exports", 202)["id"] if "{export_id}" in route else ""),
        group_id=group_id,
        collection_id=(
            as_owner.ok(
                "POST",
                "/collections",
                201,
                json={"title": "Wait time", "sharing": {"groups": [group_id]}},
            )["id"]
            if "{collection_id}" in route
            else ""
        ),
        video_id=video.video_id,
        comment_id=comment["id"],
        draft_id=evaluations[EvaluationStatus.DRAFT],
        released_id=evaluations[EvaluationStatus.RELEASED],
        hook_id=hook_id,
        notification_id=as_owner.ok("GET", "/me/notifications")["items"][0]["id"],
        cycle_id=(
            as_coach.ok(
                "POST",
                "/cycles",
                201,
                json={"goal": "Wait time", "element": "collaborative", "teacher_id": users[OWNER]},
            )["id"]
            if "{cycle_id}" in route
            else ""
        ),
        upload=created["upload"],
        upload_video_id=created["video"]["id"],
    )


def _request(route: str, world: World) -> tuple[str, str, dict[str, Any]]:
    """The concrete, well-formed request for a route in this world."""
    method, template = route.split(" ", 1)
    path = template.format(
        video_id=world.video_id,
        comment_id=world.comment_id,
        hook_id=world.hook_id,
        upload_id=world.upload["upload_id"],
        part_number="1",
        evaluation_id=world.released_id if template.endswith("acknowledge") else world.draft_id,
        clip_id=world.published_clip_id if template.endswith("unpublish") else world.clip_id,
        export_id=world.export_id,
        school_id="school-x",
        person_id=world.users[OWNER],
        group_id=world.group_id,
        collection_id=world.collection_id,
        member_id=world.users[GROUP_MEMBER],
        notification_id=world.notification_id,
        cycle_id=world.cycle_id,
        request_id=world.consent_request_id,
        review_id=world.review_id
        if template.endswith(("{review_id}", "claim"))
        else world.claimed_review_id,
    )
    key = {"params": {"key": world.upload["key"]}}
    bodies: dict[str, dict[str, Any]] = {
        "POST /videos": {
            "json": {
                "title": "t",
                "filename": "a.mp4",
                "content_type": "video/mp4",
                "size_bytes": 10,
            }
        },
        "PATCH /videos/{video_id}": {"json": {"title": "renamed"}},
        "POST /s3/multipart": {"json": {"metadata": {"video_id": world.upload_video_id}}},
        "GET /s3/multipart/{upload_id}": key,
        "GET /s3/multipart/{upload_id}/{part_number}": key,
        "POST /s3/multipart/{upload_id}/complete": {
            **key,
            "json": {"parts": [{"PartNumber": 1, "ETag": "x"}]},
        },
        "DELETE /s3/multipart/{upload_id}": key,
        "PUT /framework": {
            "json": {
                "name": "Instructional vision",
                "elements": [
                    {"id": e, "label": e}
                    for e in (
                        "data-informed",
                        "high-expectations",
                        "collaborative",
                        "student-centered",
                        "culturally-relevant",
                        "differentiated",
                    )
                ],
            }
        },
        "POST /videos/{video_id}/comments": {"json": {"at_s": 1, "body": "hello"}},
        "PATCH /videos/{video_id}/comments/{comment_id}": {
            "json": {"body": "edited", "version": 1}
        },
        "POST /videos/{video_id}/evaluations": {
            "json": {"scores": {"collaborative": 2}, "summary": "s"}
        },
        "PATCH /videos/{video_id}/evaluations/{evaluation_id}": {"json": {"summary": "better"}},
        "POST /videos/{video_id}/evaluations/{evaluation_id}/acknowledge": {"json": {}},
        "POST /webhooks": {"json": {"url": DEAD_HOOK_URL, "events": ["video.ready"]}},
        "POST /videos/{video_id}/clips": {"json": {"start_s": 1, "end_s": 10, "title": "c"}},
        "POST /clips/{clip_id}/nominate": {"json": {"note": "n", "elements": ["collaborative"]}},
        "POST /clips/{clip_id}/retrim": {"json": {"start_s": 12, "end_s": 40}},
        "POST /clips/{clip_id}/redaction": {"json": {"keep": [{"at_s": 1, "x": 0.5, "y": 0.4}]}},
        "PUT /clips/{clip_id}/redaction/regions": {"json": {"regions": []}},
        "POST /clips/{clip_id}/redaction/sign-off": {
            "json": {"run_id": "run_seeded", "privacy_respected": True}
        },
        "POST /clips/{clip_id}/consent-requests": {
            "json": {"note": "n", "elements": ["collaborative"]}
        },
        "POST /videos/{video_id}/consent-requests/{request_id}/answer": {"json": {"agree": False}},
        "POST /review-queue/{review_id}/approve": {"json": {"checklist": CHECKLIST}},
        "POST /review-queue/{review_id}/reject": {"json": {"reason": "not focused"}},
        "POST /library/{clip_id}/unpublish": {"json": {"reason": "withdrawn"}},
        "GET /audit": {"params": {"since": date.today().isoformat()}},
        "PUT /videos/{video_id}/safeguards": {"json": {"contains_students_without_consent": False}},
        "PUT /retention": {"json": {}},
        "GET /directory/search": {"params": {"q": "a"}},
        "GET /directory/names": {"params": {"ids": world.users[OWNER]}},
        "PUT /directory/schools/{school_id}": {"json": {"name": "School X"}},
        "POST /directory/people": {"json": {"given_name": "New", "roles": ["teacher"]}},
        "POST /directory/groups": {"json": {"name": "New PLC"}},
        "POST /directory/imports": {"json": {"files": {}}},
        "POST /collections": {"json": {"title": "Questions that open up talk"}},
        "POST /directory/groups/{group_id}/members": {
            "json": {"id": world.users[TEACHER_SAME_SCHOOL]}
        },
        "PUT /me/notification-preferences": {"json": {"email": "daily"}},
        "POST /unsubscribe": {"json": {"token": "t" * 24}},
        "POST /cycles": {
            "json": {
                "goal": "Wait time",
                "element": "collaborative",
                "teacher_id": world.users[OWNER],
                "coach_id": world.users[COACH_SCHOOL],
            }
        },
        "POST /cycles/{cycle_id}/evidence": {
            "json": {"video_id": world.video_id, "note": "Longer wait time here"}
        },
        "POST /cycles/{cycle_id}/close": {"json": {"reflection": "More students answered"}},
        "PUT /review-queue/checklist": {
            "json": {"items": [{"key": "clear", "label": "Clear"}], "version": 999}
        },
        "PUT /evaluations/rubric": {
            "json": {
                "levels": [{"score": 1, "label": "a"}, {"score": 2, "label": "b"}],
                "version": 999,
            }
        },
        "POST /unsubscribe/one-click": {"params": {"token": "t" * 24}, "json": {}},
    }
    # Versions are read only for the routes that send them (each read is a request).
    if route == "PATCH /directory/people/{person_id}":
        version = _person_version(world.users[OWNER])
        bodies[route] = {"json": {"version": version, "given_name": "Renamed"}}
    if route == "PATCH /directory/groups/{group_id}":
        bodies[route] = {"json": {"version": _group_version(world.group_id), "name": "Renamed"}}
    if route == "PATCH /collections/{collection_id}":
        bodies[route] = {
            "json": {"version": _collection_version(world.collection_id), "title": "New"}
        }
    return method, path, bodies.get(route, {})


def _person_version(person_id: str) -> int:
    person = PersonRecord.get(*PersonRecord.key("district-a", person_id), consistent_read=True)
    return int(person.version)


def _group_version(group_id: str) -> int:
    group = GroupRecord.load("district-a", group_id)
    return int(group.version) if group else 0


def _collection_version(collection_id: str) -> int:
    collection = CollectionRecord.load(collection_id)
    return int(collection.version) if collection else 0


def test_every_route_has_a_rule() -> None:
    served = set(_served_routes())
    assert served - set(RULES) == set(), "new routes need an access rule in RULES"
    assert set(RULES) - served == set(), "RULES names routes that no longer exist"


@pytest.fixture(scope="module")
def callers(local_stack: LocalStack, tokens: TokenFactory) -> Iterator[Callers]:
    yield Callers(local_stack, tokens)
    # The worlds' webhooks point at a closed port; left behind, every later
    # video.ready in district-a would fan out to them and flood the webhook
    # queue with retries that delay other tests' deliveries.
    for hook in WebhookRecord.query(WebhookRecord.partition("district-a")):
        if hook.url == DEAD_HOOK_URL:
            hook.delete()


@pytest.mark.parametrize("route", _served_routes())
def test_access(route: str, callers: Callers, local_stack: LocalStack) -> None:
    rule = RULES[route]
    mismatches = []
    # Refusals must not change anything, so callers share a world until one
    # succeeds (a success may delete or change it); then a fresh one is built.
    world = _world(callers, route)
    for caller in EVERYONE:
        method, path, extra = _request(route, world)
        response = requests.request(
            method,
            f"{local_stack.api_url}{path}",
            headers=callers.headers(caller, world.users),
            timeout=30,
            **extra,
        )
        expected = rule.expected(caller)
        if response.status_code != expected:
            mismatches.append(
                f"{caller}: expected {expected}, got {response.status_code} {response.text[:160]}"
            )
        if response.status_code >= 400:
            assert response.headers["Content-Type"].startswith("application/json")
            assert "error" in response.json()
        elif method != "GET":
            world = _world(callers, route)
    assert not mismatches, "\n".join(mismatches)
