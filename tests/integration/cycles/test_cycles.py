"""A coaching cycle from goal to close: evidence over weeks, the other person told, the home
listing of open cycles, and what cannot be evidence."""

from __future__ import annotations

import pytest

from tests.support.workflow import Workflow

pytestmark = pytest.mark.integration


def test_a_cycle_runs_from_goal_to_reflection(workflow: Workflow) -> None:
    video = workflow.video.video_id
    comment = workflow.coach.ok(
        "POST", f"/videos/{video}/comments", 201, json={"at_s": 4, "body": "Longer wait"}
    )
    bad_element = workflow.coach.call(
        "POST", "/cycles", json={"goal": "Wait time", "element": "nope", "teacher_id": "teacher-r"}
    )
    assert (bad_element.status_code, bad_element.json()["field"]) == (400, "element")
    cycle = workflow.coach.ok(
        "POST",
        "/cycles",
        201,
        json={"goal": "Wait 3 s after questions", "element": "high-expectations",
              "teacher_id": "teacher-r"},
    )  # fmt: skip
    assert (cycle["teacher_id"], cycle["coach_id"], cycle["status"]) == (
        "teacher-r", "coach-r", "open"
    )  # fmt: skip
    [told] = [
        n for n in workflow.teacher.ok("GET", "/me/notifications")["items"] if n["kind"] == "cycle"
    ]
    assert told["web_path"] == f"#/cycles/{cycle['id']}"
    open_ids = [c["id"] for c in workflow.teacher.ok("GET", "/cycles")["items"]]
    assert open_ids == [cycle["id"]]
    assert [c["id"] for c in workflow.coach.ok("GET", "/cycles")["items"]] == [cycle["id"]]

    path = f"/cycles/{cycle['id']}"
    workflow.teacher.ok(
        "POST", f"{path}/evidence", 201, json={"video_id": video, "note": "The whole lesson"}
    )
    workflow.coach.ok(
        "POST",
        f"{path}/evidence",
        201,
        json={"video_id": video, "comment_id": comment["id"], "note": "Here it worked"},
    )
    missing = workflow.coach.call(
        "POST",
        f"{path}/evidence",
        json={"video_id": video, "comment_id": "000001000abcdef01", "note": "x"},
    )
    assert (missing.status_code, missing.json()["field"]) == (400, "comment_id")
    detail = workflow.teacher.ok("GET", path)
    assert [(e["note"], e["at_s"], e["week"]) for e in detail["evidence"]] == [
        ("The whole lesson", None, 1),
        ("Here it worked", 4.0, 1),
    ]
    assert workflow.admin.ok("GET", path)["evidence_count"] == 2

    closed = workflow.teacher.ok(
        "POST", f"{path}/close", json={"reflection": "More students answer now"}
    )
    assert (closed["status"], closed["reflection"]) == ("closed", "More students answer now")
    assert workflow.teacher.ok("GET", "/cycles")["items"] == []
    assert [c["id"] for c in workflow.coach.ok("GET", "/cycles", params={"status": "closed"})[
        "items"
    ]] == [cycle["id"]]  # fmt: skip
    late = workflow.coach.call("POST", f"{path}/evidence", json={"video_id": video, "note": "x"})
    assert late.status_code == 409
    assert any(
        n["kind"] == "cycle" and "closed" in n["headline"]
        for n in workflow.coach.ok("GET", "/me/notifications")["items"]
    )
