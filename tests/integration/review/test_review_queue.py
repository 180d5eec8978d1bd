"""Nominations, the claimable queue, decisions with their checklist, history and stats."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.auth.principal import Role
from chalicelib.db.base import utcnow
from chalicelib.review.models import ReviewRecord
from tests.support.seed import ready_clip, ready_video
from tests.support.workflow import CHECKLIST, Workflow

pytestmark = pytest.mark.integration


def test_nomination_needs_the_teachers_consent(workflow: Workflow) -> None:
    private = ready_video(
        "teacher-r", district=workflow.district, school_coaches=True, consent_to_library=False
    )
    clip = workflow.clip()
    unconsented = ready_clip(private, created_by="coach-r")
    response = workflow.coach.call(
        "POST",
        f"/clips/{unconsented.clip_id}/nominate",
        json={"note": "Great", "elements": ["collaborative"]},
    )
    assert response.status_code == 409
    assert response.json()["error"] == "consent_required"
    assert "has not agreed to share this recording" in response.json()["message"]

    item = workflow.coach.ok(
        "POST",
        f"/clips/{clip.clip_id}/nominate",
        201,
        json={"note": "Great", "elements": ["collaborative"]},
    )
    assert item["status"] == "pending"
    assert [h["to_status"] for h in item["history"]] == ["pending"]
    again = workflow.coach.call(
        "POST", f"/clips/{clip.clip_id}/nominate", json={"note": "x", "elements": ["collaborative"]}
    )
    assert again.status_code == 409
    assert workflow.teacher.ok("GET", f"/clips/{clip.clip_id}")["review"]["status"] == "pending"


def test_the_queue_is_oldest_first_and_filtered(workflow: Workflow) -> None:
    first = workflow.nominate(workflow.clip(title="First"), ["collaborative"])
    other_school_video = ready_video(
        "teacher-r",
        district=workflow.district,
        school="school-2",
        consent_to_library=True,
        shared_with=("coach-r",),
    )
    second = workflow.nominate(
        ready_clip(other_school_video, created_by="coach-r", title="Second"), ["differentiated"]
    )

    def ids(**params: Any) -> list[str]:
        return [
            i["id"] for i in workflow.reviewer.ok("GET", "/review-queue", params=params)["items"]
        ]

    assert ids() == [first, second]
    assert ids(element="differentiated") == [second]
    assert ids(school="school-1") == [first]
    page = workflow.reviewer.ok("GET", "/review-queue", params={"limit": 1})
    assert [i["id"] for i in page["items"]] == [first]
    rest = workflow.reviewer.ok(
        "GET", "/review-queue", params={"limit": 1, "cursor": page["next_cursor"]}
    )
    assert [i["id"] for i in rest["items"]] == [second]

    workflow.reviewer.ok("POST", f"/review-queue/{first}/claim")
    assert ids() == [second]
    assert ids(status="in_review") == [first]

    assert workflow.teacher.call("GET", "/review-queue").status_code == 403
    assert workflow.coach.call("POST", f"/review-queue/{first}/claim").status_code == 403


def test_ten_concurrent_claims_have_exactly_one_winner(workflow: Workflow, api_as: Any) -> None:
    review_id = workflow.nominate(workflow.clip(), ["collaborative"])
    reviewers = [
        api_as(f"reviewer-c{n}", Role.REVIEWER, district=workflow.district, school=None)
        for n in range(10)
    ]
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(
            pool.map(lambda api: api.call("POST", f"/review-queue/{review_id}/claim"), reviewers)
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 9, [r.text for r in responses]
    winner = next(r.json() for r in responses if r.status_code == 200)
    losers = [r.json() for r in responses if r.status_code == 409]
    assert all(loser["error"] in ("already_claimed", "conflict") for loser in losers)
    item = workflow.reviewer.ok("GET", f"/review-queue/{review_id}")
    assert item["status"] == "in_review"
    assert item["claimed_by"] == winner["claimed_by"]


def test_a_lapsed_claim_frees_the_item(workflow: Workflow) -> None:
    review_id = workflow.nominate(workflow.clip(), ["collaborative"])
    workflow.reviewer.ok("POST", f"/review-queue/{review_id}/claim")
    taken = workflow.reviewer2.call("POST", f"/review-queue/{review_id}/claim")
    assert taken.status_code == 409 and taken.json()["error"] == "already_claimed"
    assert taken.json()["claimed_by"] == "reviewer-1"
    # Time passes: the claim lapses (written directly rather than waiting 30 min).
    record = ReviewRecord.load(review_id)
    assert record is not None
    record.update(actions=[ReviewRecord.claim_expires_at.set(utcnow() - timedelta(seconds=1))])
    assert workflow.reviewer.ok("GET", f"/review-queue/{review_id}")["status"] == "pending"
    claimed = workflow.reviewer2.ok("POST", f"/review-queue/{review_id}/claim")
    assert claimed["claimed_by"] == "reviewer-2"
    # The first reviewer can no longer decide on it.
    late = workflow.reviewer.call(
        "POST", f"/review-queue/{review_id}/approve", json={"checklist": CHECKLIST}
    )
    assert late.status_code == 409


def test_release_gives_the_item_back(workflow: Workflow) -> None:
    review_id = workflow.nominate(workflow.clip(), ["collaborative"])
    workflow.reviewer.ok("POST", f"/review-queue/{review_id}/claim")
    released = workflow.reviewer.ok("POST", f"/review-queue/{review_id}/release")
    assert released["status"] == "pending" and released["claimed_by"] is None
    assert [h["to_status"] for h in released["history"]] == ["pending", "in_review", "pending"]


def test_approval_needs_a_claim_and_the_full_checklist(workflow: Workflow) -> None:
    review_id = workflow.nominate(workflow.clip(), ["collaborative"])
    unclaimed = workflow.reviewer.call(
        "POST", f"/review-queue/{review_id}/approve", json={"checklist": CHECKLIST}
    )
    assert unclaimed.status_code == 409 and "Claim" in unclaimed.json()["message"]
    workflow.reviewer.ok("POST", f"/review-queue/{review_id}/claim")
    partial = workflow.reviewer.call(
        "POST",
        f"/review-queue/{review_id}/approve",
        json={"checklist": {**CHECKLIST, "audio_intelligible": False}},
    )
    assert partial.status_code == 400
    assert partial.json()["field"] == "checklist"
    assert "audio_intelligible" in partial.json()["message"]
    approved = workflow.reviewer.ok(
        "POST", f"/review-queue/{review_id}/approve", json={"checklist": CHECKLIST, "note": "Yes"}
    )
    assert approved["status"] == "approved"
    assert approved["checklist"] == CHECKLIST
    assert approved["decided_by"] == "reviewer-1"
    assert [(h["from_status"], h["to_status"], h["by"]) for h in approved["history"]] == [
        (None, "pending", "coach-r"),
        ("pending", "in_review", "reviewer-1"),
        ("in_review", "approved", "reviewer-1"),
    ]
    assert approved["clip"]["published"] is True


def test_the_nominator_cannot_review_their_own_clip(workflow: Workflow, api_as: Any) -> None:
    both = api_as("coach-r", Role.REVIEWER, district=workflow.district, school="school-1")
    review_id = workflow.nominate(workflow.clip(), ["collaborative"])
    assert both.call("POST", f"/review-queue/{review_id}/claim").status_code == 403


def test_rejection_needs_a_reason_the_nominator_sees_and_allows_renomination(
    workflow: Workflow,
) -> None:
    clip = workflow.clip()
    review_id = workflow.nominate(clip, ["collaborative"])
    workflow.reviewer.ok("POST", f"/review-queue/{review_id}/claim")
    no_reason = workflow.reviewer.call("POST", f"/review-queue/{review_id}/reject", json={})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    rejected = workflow.reviewer.ok(
        "POST",
        f"/review-queue/{review_id}/reject",
        json={"reason": "A student's face is visible at 0:40; trim the start"},
    )
    assert rejected["status"] == "rejected"
    seen = workflow.coach.ok("GET", f"/clips/{clip.clip_id}")["review"]
    assert seen == {
        "id": review_id,
        "status": "rejected",
        "reason": "A student's face is visible at 0:40; trim the start",
    }
    again = workflow.nominate(clip, ["collaborative"], note="Trimmed as asked")
    assert again != review_id
    assert workflow.coach.ok("GET", f"/clips/{clip.clip_id}")["review"]["status"] == "pending"


def test_consent_withdrawn_after_nomination_withdraws_it(workflow: Workflow) -> None:
    review_id = workflow.nominate(workflow.clip(), ["collaborative"])
    workflow.reviewer.ok("POST", f"/review-queue/{review_id}/claim")
    workflow.teacher.ok(
        "PATCH", f"/videos/{workflow.video.video_id}", json={"consent_to_library": False}
    )
    item = workflow.reviewer.ok("GET", f"/review-queue/{review_id}")
    assert item["status"] == "withdrawn"
    assert item["claimed_by"] is None
    response = workflow.reviewer.call(
        "POST", f"/review-queue/{review_id}/approve", json={"checklist": CHECKLIST}
    )
    assert response.status_code == 409


def test_stats_follow_every_step(workflow: Workflow) -> None:
    def stats() -> dict[str, Any]:
        result: dict[str, Any] = workflow.reviewer.ok("GET", "/review-queue/stats")
        return result

    empty = stats()
    assert empty["by_status"] == {
        "pending": 0, "in_review": 0, "approved": 0, "rejected": 0, "unpublished": 0,
        "withdrawn": 0,
    }  # fmt: skip
    assert empty["oldest_pending_age_s"] is None and empty["median_decision_s_30d"] is None

    a = workflow.nominate(workflow.clip(), ["collaborative", "student-centered"])
    b = workflow.nominate(workflow.clip(), ["collaborative"])
    workflow.nominate(workflow.clip(), ["differentiated"])
    after_nominations = stats()
    assert after_nominations["by_status"]["pending"] == 3
    assert after_nominations["oldest_pending_age_s"] > 0
    assert after_nominations["by_element"]["collaborative"] == {"pending": 2}

    workflow.reviewer.ok("POST", f"/review-queue/{a}/claim")
    claimed = stats()["by_status"]
    assert (claimed["pending"], claimed["in_review"]) == (2, 1)
    workflow.reviewer.ok("POST", f"/review-queue/{a}/approve", json={"checklist": CHECKLIST})
    workflow.reviewer2.ok("POST", f"/review-queue/{b}/claim")
    workflow.reviewer2.ok("POST", f"/review-queue/{b}/reject", json={"reason": "Off-topic"})
    final = stats()
    assert final["by_status"] == {
        "pending": 1, "in_review": 0, "approved": 1, "rejected": 1, "unpublished": 0,
        "withdrawn": 0,
    }  # fmt: skip
    assert final["by_element"]["collaborative"] == {"approved": 1, "rejected": 1}
    assert final["by_element"]["differentiated"] == {"pending": 1}
    assert final["by_reviewer"] == {"reviewer-1": {"approved": 1}, "reviewer-2": {"rejected": 1}}
    assert final["decisions_30d"] == 2
    assert final["median_decision_s_30d"] > 0


def test_items_of_another_district_are_not_found(workflow: Workflow, api_as: Any) -> None:
    review_id = workflow.nominate(workflow.clip(), ["collaborative"])
    outsider = api_as("reviewer-x", Role.REVIEWER, district="district-elsewhere", school=None)
    assert outsider.call("GET", f"/review-queue/{review_id}").status_code == 404
    assert outsider.call("POST", f"/review-queue/{review_id}/claim").status_code == 404
    assert outsider.ok("GET", "/review-queue")["items"] == []


def test_a_decided_item_stops_its_clock_and_shows_the_recordings_privacy(
    workflow: Workflow,
) -> None:
    clip = workflow.clip(title="To be re-cut")
    review_id = workflow.nominate(clip, ["collaborative"])
    pending = workflow.reviewer.ok("GET", f"/review-queue/{review_id}")
    assert pending["decision_age_s"] is None
    recording = pending["recording"]
    assert recording["teacher_id"] == "teacher-r"
    assert recording["school"] == "school-1"
    assert recording["consent_to_library"] is True
    assert recording["contains_students_without_consent"] is False
    assert recording["privacy"].startswith("The teacher agreed to share this recording")

    # Cutting it again waits until it is out of the queue.
    refused = workflow.coach.call(
        "POST", f"/clips/{clip.clip_id}/retrim", json={"start_s": 12, "end_s": 60}
    )
    assert refused.status_code == 409

    workflow.reviewer.ok("POST", f"/review-queue/{review_id}/claim")
    workflow.reviewer.ok(
        "POST", f"/review-queue/{review_id}/reject", json={"reason": "Start at the question"}
    )
    decided = workflow.reviewer.ok("GET", f"/review-queue/{review_id}")
    assert decided["decided_by"] == "reviewer-1"
    assert decided["decision_age_s"] is not None
    assert decided["decision_age_s"] <= decided["age_s"]
    assert (
        workflow.reviewer.ok("GET", f"/review-queue/{review_id}")["decision_age_s"]
        == (decided["decision_age_s"])
    )

    recut = workflow.coach.ok(
        "POST", f"/clips/{clip.clip_id}/retrim", 201, json={"start_s": 12, "end_s": 60}
    )
    assert recut["revision_of"] == clip.clip_id
    assert recut["video_id"] == clip.video_id
    assert (recut["title"], recut["start_s"], recut["end_s"]) == ("To be re-cut", 12, 60)
    assert recut["status"] == "processing"
    assert workflow.coach.ok("GET", f"/clips/{clip.clip_id}")["review"]["status"] == "rejected"
