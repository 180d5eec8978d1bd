"""The library: approved clips, found by element, school and words, with jump targets."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.auth.principal import Role
from chalicelib.clips.models import ClipRecord, clip_partition
from chalicelib.db.base import AnyItem
from chalicelib.library.models import library_partition
from chalicelib.review.models import ReviewRecord
from tests.support.seed import ready_clip, ready_video
from tests.support.workflow import Workflow

pytestmark = pytest.mark.integration


def _publish(workflow: Workflow, **clip: Any) -> str:
    record = workflow.clip(**clip)
    review_id = workflow.nominate(record, clip.get("tags") or ["collaborative"], note="Wait time")
    workflow.approve(review_id)
    return record.clip_id


def test_search_by_element_returns_the_tagged_moments(workflow: Workflow) -> None:
    clip_id = _publish(
        workflow,
        title="Turn and talk",
        tags=["student-centered"],
        comments=(
            (40.0, 55.0, "Students explain their reasoning to a partner", ("student-centered",)),
            (70.0, None, "Checks every group", ("collaborative",)),
        ),
    )
    _publish(workflow, title="Exit tickets", tags=["data-informed"])

    found = workflow.teacher.ok("GET", "/library", params={"element": "student-centered"})
    [item] = found["items"]
    assert item["clip_id"] == clip_id
    assert item["title"] == "Turn and talk"
    assert item["elements"] == ["student-centered"]
    assert item["duration_s"] == 120.0
    assert item["poster_url"]
    assert [(m["element"], m["start_s"], m["end_s"]) for m in item["matches"]] == [
        ("student-centered", 40.0, 55.0)
    ]
    assert item["matches"][0]["body"] == "Students explain their reasoning to a partner"

    everything = workflow.coach.ok("GET", "/library")["items"]
    assert [i["title"] for i in everything] == ["Exit tickets", "Turn and talk"]  # newest first


def test_text_search_covers_title_note_and_comment_bodies(workflow: Workflow) -> None:
    _publish(
        workflow,
        title="Fractions on a number line",
        comments=((5.0, 9.0, "Uses student names when praising", ("collaborative",)),),
    )
    _publish(workflow, title="Reading circle")

    def titles(q: str) -> list[str]:
        items = workflow.reviewer.ok("GET", "/library", params={"q": q})["items"]
        return [i["title"] for i in items]

    assert titles("fractions") == ["Fractions on a number line"]
    assert titles("PRAISING names") == ["Fractions on a number line"]
    assert titles("wait time") == ["Reading circle", "Fractions on a number line"]  # the note
    assert titles("nothing-like-this") == []


def test_school_filter_and_district_isolation(workflow: Workflow, api_as: Any) -> None:
    _publish(workflow, title="School one example")
    elsewhere = ready_video(
        "teacher-r",
        district=workflow.district,
        school="school-2",
        consent_to_library=True,
        shared_with=("coach-r",),
    )
    clip = ready_clip(elsewhere, created_by="coach-r", title="School two example")
    workflow.approve(workflow.nominate(clip, ["collaborative"]))

    school_two = workflow.teacher.ok("GET", "/library", params={"school": "school-2"})["items"]
    assert [i["title"] for i in school_two] == ["School two example"]
    outsider = api_as("teacher-x", Role.TEACHER, district="district-elsewhere")
    assert outsider.ok("GET", "/library")["items"] == []


def test_a_published_clip_is_visible_to_the_whole_district(workflow: Workflow, api_as: Any) -> None:
    clip_id = _publish(workflow, title="Open to all")
    stranger = api_as("teacher-far", Role.TEACHER, district=workflow.district, school="school-9")
    assert stranger.ok("GET", f"/clips/{clip_id}")["published"] is True
    unpublished_clip = workflow.clip(title="Still private")
    assert stranger.call("GET", f"/clips/{unpublished_clip.clip_id}").status_code == 404


def test_unpublish_removes_it_and_records_why(workflow: Workflow) -> None:
    clip_id = _publish(workflow, title="To withdraw", tags=["collaborative"])
    refused = workflow.reviewer.call(
        "POST", f"/library/{clip_id}/unpublish", json={"reason": "Parent asked"}
    )
    assert refused.status_code == 403
    item = workflow.admin.ok(
        "POST", f"/library/{clip_id}/unpublish", json={"reason": "A parent withdrew consent"}
    )
    assert item["status"] == "unpublished"
    assert item["unpublish_reason"] == "A parent withdrew consent"
    assert item["history"][-1]["from_status"] == "approved"
    assert item["history"][-1]["to_status"] == "unpublished"
    assert item["history"][-1]["by"] == "admin-r"
    assert workflow.teacher.ok("GET", "/library")["items"] == []
    assert (
        workflow.teacher.ok("GET", "/library", params={"element": "collaborative"})["items"] == []
    )
    stats = workflow.reviewer.ok("GET", "/review-queue/stats")["by_status"]
    assert (stats["approved"], stats["unpublished"]) == (0, 1)


def test_deleting_the_video_removes_its_clips_reviews_and_library_entries(
    workflow: Workflow,
) -> None:
    published = _publish(workflow, title="Published", tags=["collaborative"])
    pending_clip = workflow.clip(title="Pending")
    pending_review = workflow.nominate(pending_clip, ["differentiated"])
    published_review = ClipRecord.load(published)
    assert published_review is not None and published_review.review_id

    deleted = workflow.teacher.call("DELETE", f"/videos/{workflow.video.video_id}")
    assert deleted.status_code == 204, deleted.text

    for clip_id in (published, pending_clip.clip_id):
        assert list(AnyItem.query(clip_partition(clip_id))) == []
        assert workflow.admin.call("GET", f"/clips/{clip_id}").status_code == 404
    for review_id in (pending_review, published_review.review_id):
        assert ReviewRecord.load(review_id) is None
    for element in ("ALL", "collaborative"):
        assert list(AnyItem.query(library_partition(workflow.district, element))) == []
    stats = workflow.reviewer.ok("GET", "/review-queue/stats")["by_status"]
    assert stats["pending"] == 0 and stats["approved"] == 0
