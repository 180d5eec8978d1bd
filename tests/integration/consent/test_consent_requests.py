"""Asking the teacher for library consent: the nomination waits, and goes to review when given.

The hand-off runs as the outbox's subscriber (chalicelib/orchestration/library_consent.py),
right after the teacher's answer commits or from the runner's sweep.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from chalicelib.config import get_settings
from chalicelib.consent import rules
from chalicelib.consent import service as consent
from chalicelib.consent.models import ConsentRequestRecord, ConsentRequestStatus
from chalicelib.orchestration.library_consent import hand_off
from chalicelib.review import service as review
from chalicelib.review.schemas import NominateRequest
from chalicelib.videos.models import VideoRecord
from tests.support.api import Api
from tests.support.seed import ready_clip, ready_video
from tests.support.workflow import Workflow

pytestmark = pytest.mark.integration

NOMINATION = {"note": "Partner talk before sharing", "elements": ["collaborative"]}


def _unconsented(workflow: Workflow) -> VideoRecord:
    return ready_video(
        "teacher-r", district=workflow.district, school_coaches=True, consent_to_library=False
    )


def _settled(api: Api, clip_id: str, timeout_s: float = 30) -> dict[str, Any]:
    """The clip's latest request once the hand-off has settled it."""
    deadline = time.monotonic() + timeout_s
    while True:
        request: dict[str, Any] = api.ok("GET", f"/clips/{clip_id}/library-consent")["request"]
        if request["status"] in ("nominated", "not_nominated"):
            return request
        assert time.monotonic() < deadline, request
        time.sleep(0.2)


def test_asked_consent_sends_the_waiting_nomination_to_review_not_to_the_library(
    workflow: Workflow,
) -> None:
    video = _unconsented(workflow)
    clip = ready_clip(video, created_by="coach-r", title="Partner talk")

    before = workflow.coach.ok("GET", f"/clips/{clip.clip_id}/library-consent")
    assert before["state"] == "not_given"
    assert before["can_ask"] is True
    assert "has not agreed yet" in before["message"]
    assert "consent_to_library" not in before["message"]

    asked = workflow.coach.ok(
        "POST", f"/clips/{clip.clip_id}/consent-requests", 201, json=NOMINATION
    )
    assert asked["status"] == "open"
    again = workflow.coach.call("POST", f"/clips/{clip.clip_id}/consent-requests", json=NOMINATION)
    assert again.status_code == 409
    assert "already asked" in again.json()["message"]
    waiting = workflow.coach.ok("GET", f"/clips/{clip.clip_id}/library-consent")
    assert waiting["can_ask"] is False
    assert waiting["request"]["id"] == asked["id"]

    # The teacher sees the request on the video and agrees.
    listed = workflow.teacher.ok("GET", f"/videos/{video.video_id}/consent-requests")["items"]
    assert [(r["id"], r["clip_title"], r["note"]) for r in listed] == [
        (asked["id"], "Partner talk", NOMINATION["note"])
    ]
    refused = workflow.coach.call(
        "POST", f"/videos/{video.video_id}/consent-requests/{asked['id']}/answer",
        json={"agree": True},
    )  # fmt: skip
    assert refused.status_code == 403  # only the teacher answers
    answered = workflow.teacher.ok(
        "POST",
        f"/videos/{video.video_id}/consent-requests/{asked['id']}/answer",
        json={"agree": True},
    )
    assert answered["status"] in ("agreed", "nominated")
    assert workflow.teacher.ok("GET", f"/videos/{video.video_id}")["consent_to_library"] is True

    # Without the coach coming back: a pending nomination, as the coach, not approved.
    settled = _settled(workflow.coach, clip.clip_id)
    assert settled["status"] == "nominated"
    item = workflow.reviewer.ok("GET", f"/review-queue/{settled['review_id']}")
    assert item["status"] == "pending"
    assert item["nominated_by"] == "coach-r"
    assert item["note"] == NOMINATION["note"]
    assert item["elements"] == ["collaborative"]
    assert [h["to_status"] for h in item["history"]] == ["pending"]
    assert item["recording"]["consent_to_library"] is True
    assert workflow.coach.ok("GET", f"/clips/{clip.clip_id}")["published"] is False

    trail = workflow.teacher.ok("GET", f"/videos/{video.video_id}/audit")["items"]
    actions = {(e["action"], e["actor_id"]) for e in trail}
    assert {
        ("consent.requested", "coach-r"),
        ("consent.given", "teacher-r"),
        ("video.consent_changed", "teacher-r"),
        ("clip.nominated", "coach-r"),
    } <= actions


def test_consent_given_from_the_video_settings_hands_off_too_and_a_refusal_is_explained(
    workflow: Workflow,
) -> None:
    video = _unconsented(workflow)
    kept = ready_clip(video, created_by="coach-r")
    deleted = ready_clip(video, created_by="coach-r")
    for clip in (kept, deleted):
        workflow.coach.ok("POST", f"/clips/{clip.clip_id}/consent-requests", 201, json=NOMINATION)
    # The deleted clip's nomination is refused with a reason, not retried for ever.
    deleted.delete()

    workflow.teacher.ok("PATCH", f"/videos/{video.video_id}", json={"consent_to_library": True})
    assert _settled(workflow.coach, kept.clip_id)["status"] == "nominated"
    requests = workflow.teacher.ok("GET", f"/videos/{video.video_id}/consent-requests")["items"]
    refused = next(r for r in requests if r["clip_id"] == deleted.clip_id)
    assert refused["status"] == "not_nominated"
    assert refused["outcome"] == "Clip not found"


def test_declined_asks_nothing_of_review_and_may_be_asked_again(workflow: Workflow) -> None:
    video = _unconsented(workflow)
    clip = ready_clip(video, created_by="coach-r")
    asked = workflow.coach.ok(
        "POST", f"/clips/{clip.clip_id}/consent-requests", 201, json=NOMINATION
    )
    declined = workflow.teacher.ok(
        "POST",
        f"/videos/{video.video_id}/consent-requests/{asked['id']}/answer",
        json={"agree": False},
    )
    assert declined["status"] == "declined"
    assert workflow.teacher.ok("GET", f"/videos/{video.video_id}")["consent_to_library"] is False
    view = workflow.coach.ok("GET", f"/clips/{clip.clip_id}/library-consent")
    assert view["request"]["status"] == "declined"
    assert view["can_ask"] is True
    twice = workflow.teacher.call(
        "POST",
        f"/videos/{video.video_id}/consent-requests/{asked['id']}/answer",
        json={"agree": True},
    )
    assert twice.status_code == 409


def test_asking_is_refused_in_words_when_agreeing_would_not_help(workflow: Workflow) -> None:
    consented = ready_clip(workflow.video, created_by="coach-r")
    given = workflow.coach.call(
        "POST", f"/clips/{consented.clip_id}/consent-requests", json=NOMINATION
    )
    assert given.status_code == 409
    assert "already agreed" in given.json()["message"]

    flagged = _unconsented(workflow)
    workflow.teacher.ok(
        "PUT", f"/videos/{flagged.video_id}/safeguards",
        json={"contains_students_without_consent": True},
    )  # fmt: skip
    clip = ready_clip(flagged, created_by="coach-r")
    view = workflow.coach.ok("GET", f"/clips/{clip.clip_id}/library-consent")
    assert view["state"] == "students_without_consent"
    assert view["can_ask"] is False
    refused = workflow.coach.call(
        "POST", f"/clips/{clip.clip_id}/consent-requests", json=NOMINATION
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == "consent_required"
    assert "families have not agreed" in refused.json()["message"]


def test_a_hand_off_that_runs_again_after_a_crash_makes_one_nomination(
    workflow: Workflow,
) -> None:
    video = _unconsented(workflow)
    clip = ready_clip(video, created_by="coach-r")
    asked = workflow.coach.ok(
        "POST", f"/clips/{clip.clip_id}/consent-requests", 201, json=NOMINATION
    )
    record = ConsentRequestRecord.load(video.video_id, asked["id"])
    assert record is not None
    video.refresh()
    video.update(actions=[VideoRecord.consent_to_library.set(True)])
    # A relay nominated, then died before settling the request; the next one runs it again.
    review_id = rules.review_id_for(record.request_id)
    review.nominate(
        consent.requester(record),
        clip.clip_id,
        NominateRequest(**NOMINATION),
        get_settings(),
        review_id=review_id,
    )
    hand_off(record)
    settled = ConsentRequestRecord.load(video.video_id, asked["id"])
    assert settled is not None
    assert settled.status is ConsentRequestStatus.NOMINATED
    assert settled.review_id == review_id
    assert workflow.coach.ok("GET", f"/clips/{clip.clip_id}")["review"]["id"] == review_id
