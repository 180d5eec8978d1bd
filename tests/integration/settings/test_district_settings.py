"""A district's settings change without breaking what was decided under the old ones:
the QC checklist and the rubric are versioned, framework elements in use are kept."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import Api
from tests.support.workflow import CHECKLIST, Workflow

pytestmark = pytest.mark.integration

NEW_CHECKLIST = [
    {"key": "supports_all_learners", "label": "The practice shown supports all learners"},
    {"key": "consent_on_file", "label": "Every family's media consent is on file"},
]


def approve(workflow: Workflow, review_id: str, body: dict[str, Any], status: int) -> Any:
    reviewer = workflow.reviewer
    reviewer.ok("POST", f"/review-queue/{review_id}/claim")
    response = reviewer.call("POST", f"/review-queue/{review_id}/approve", json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_the_next_approval_uses_the_edited_checklist_and_old_ones_keep_theirs(
    workflow: Workflow,
) -> None:
    before = workflow.approve(workflow.nominate(workflow.clip(), ["collaborative"]))
    assert before["checklist_version"] == 0

    assert (
        workflow.coach.call(
            "PUT", "/review-queue/checklist", json={"items": NEW_CHECKLIST, "version": 0}
        ).status_code
        == 403
    )
    saved = workflow.admin.ok(
        "PUT", "/review-queue/checklist", json={"items": NEW_CHECKLIST, "version": 0}
    )
    assert (saved["version"], len(saved["items"])) == (1, 2)
    stale = workflow.admin.call(
        "PUT", "/review-queue/checklist", json={"items": NEW_CHECKLIST, "version": 0}
    )
    assert (stale.status_code, stale.json()["field"]) == (409, "version")
    assert workflow.reviewer.ok("GET", "/review-queue/checklist")["version"] == 1

    review_id = workflow.nominate(workflow.clip(), ["collaborative"])
    # The old criteria no longer approve; confirming the version one read before is a 409.
    old = approve(workflow, review_id, {"checklist": CHECKLIST}, 400)
    assert old["field"] == "checklist"
    changed = workflow.reviewer.call(
        "POST",
        f"/review-queue/{review_id}/approve",
        json={"checklist": {i["key"]: True for i in NEW_CHECKLIST}, "checklist_version": 0},
    )
    assert (changed.status_code, changed.json()["field"]) == (409, "checklist_version")
    approved = workflow.reviewer.ok(
        "POST",
        f"/review-queue/{review_id}/approve",
        json={"checklist": {i["key"]: True for i in NEW_CHECKLIST}, "checklist_version": 1},
    )
    assert approved["checklist_version"] == 1
    assert set(approved["checklist"]) == {"supports_all_learners", "consent_on_file"}

    # The approval made under the built-in checklist reads as it was.
    kept = workflow.reviewer.ok("GET", f"/review-queue/{before['id']}")
    assert kept["checklist_version"] == 0 and kept["checklist"] == CHECKLIST
    built_in = workflow.reviewer.ok("GET", "/review-queue/checklist", params={"version": 0})
    assert {i["key"] for i in built_in["items"]} == set(CHECKLIST)


def _evaluate(admin: Api, video: str, score: int, status: int = 201) -> Any:
    response = admin.call(
        "POST",
        f"/videos/{video}/evaluations",
        json={"scores": {"collaborative": score}, "summary": "Clear routines"},
    )
    assert response.status_code == status, response.text
    return response.json()


def test_a_one_to_five_rubric_scores_new_evaluations_and_leaves_old_ones(
    workflow: Workflow,
) -> None:
    video = workflow.video.video_id
    workflow.teacher.ok(
        "PATCH",
        f"/videos/{video}",
        json={"sharing": {"users": ["admin-r"], "school_coaches": True}},
    )
    first = _evaluate(workflow.admin, video, 4)
    assert _evaluate(workflow.admin, video, 5, 400)["field"] == "scores"

    for bad in (
        [{"score": 1, "label": "Only one"}],
        [{"score": 2, "label": "b"}, {"score": 1, "label": "a"}],
        [{"score": 1, "label": "Same"}, {"score": 2, "label": "same"}],
        [{"score": 1, "label": "a"}, {"score": 11, "label": "b"}],
    ):
        refused = workflow.admin.call(
            "PUT", "/evaluations/rubric", json={"levels": bad, "version": 0}
        )
        assert (refused.status_code, refused.json()["field"]) == (400, "levels"), bad
    levels = [
        {"score": n, "label": label}
        for n, label in enumerate(
            ("Beginning", "Emerging", "Developing", "Proficient", "Leading"), 1
        )
    ]
    saved = workflow.admin.ok("PUT", "/evaluations/rubric", json={"levels": levels, "version": 0})
    assert saved["version"] == 1
    rubric = workflow.teacher.ok("GET", "/evaluations/rubric")
    assert [level["score"] for level in rubric["levels"]] == [1, 2, 3, 4, 5]

    second = _evaluate(workflow.admin, video, 5)
    assert (first["rubric_version"], second["rubric_version"]) == (0, 1)
    workflow.admin.ok("POST", f"/videos/{video}/evaluations/{first['id']}/release")
    released = workflow.teacher.ok("GET", f"/videos/{video}/evaluations")["items"]
    assert [(e["id"], e["scores"], e["rubric_version"]) for e in released] == [
        (first["id"], {"collaborative": 4}, 0)
    ]
    old_rubric = workflow.teacher.ok("GET", "/evaluations/rubric", params={"version": 0})
    assert old_rubric["levels"][-1] == {"score": 4, "label": "Distinguished"}


def test_an_element_in_use_is_refused_with_its_count_or_retired_with_its_colour(
    workflow: Workflow,
) -> None:
    video = workflow.video.video_id
    workflow.coach.ok(
        "POST",
        f"/videos/{video}/comments",
        201,
        json={"at_s": 3, "body": "Pairs", "tags": ["collaborative"]},
    )
    current = workflow.admin.ok("GET", "/framework")
    others = [e for e in current["elements"] if e["id"] != "collaborative"]
    refused = workflow.admin.call(
        "PUT", "/framework", json={"name": current["name"], "elements": others}
    )
    assert refused.status_code == 409
    assert "collaborative (1 uses)" in refused.json()["message"]
    bad_colour = workflow.admin.call(
        "PUT",
        "/framework",
        json={"name": "F", "elements": [{"id": "a", "label": "A", "colour": "teal"}]},
    )
    assert (bad_colour.status_code, bad_colour.json()["field"]) == (400, "elements.0.colour")
    retired = [
        {**e, "retired": e["id"] == "collaborative", "colour": "#0b6e69"}
        for e in current["elements"]
    ]
    saved = workflow.admin.ok(
        "PUT", "/framework", json={"name": current["name"], "elements": retired}
    )
    assert {e["id"]: (e["retired"], e["colour"]) for e in saved["elements"]}["collaborative"] == (
        True,
        "#0b6e69",
    )
    # The comment keeps its tag.
    [thread] = workflow.teacher.ok("GET", f"/videos/{video}/comments")["threads"]
    assert thread["tags"] == ["collaborative"]
