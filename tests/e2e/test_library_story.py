"""The whole practice-example story against the running stack, as its users drive it.

Teacher uploads a long lesson with the CLI → coach range-comments with a tag →
promotes it to a clip → the clip is ready with the right duration → nomination
is refused without consent, accepted with it → two reviewers claim at once, one
wins → approval → the library finds the clip by element with the tagged range →
the queue stats follow every step.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from chalicelib.auth.principal import Role
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.lesson import FPS
from tests.support.users import TokenFactory
from tests.support.workflow import CHECKLIST

pytestmark = pytest.mark.e2e


def test_from_upload_to_the_library(
    local_stack: LocalStack, tokens: TokenFactory, lesson_file: Path, tmp_path: Path
) -> None:
    district = f"district-story-{secrets.token_hex(3)}"

    def person(user: str, role: Role, school: str | None = "lincoln") -> tuple[Api, str]:
        token = tokens.token(user, role, district=district, school=school)
        return Api(local_stack.api_url, token), token

    teacher, teacher_token = person("ms-rivera", Role.TEACHER)
    coach, _ = person("coach-ben", Role.COACH)
    ana, _ = person("reviewer-ana", Role.REVIEWER, None)
    raj, _ = person("reviewer-raj", Role.REVIEWER, None)

    def stats() -> dict[str, Any]:
        result: dict[str, Any] = ana.ok("GET", "/review-queue/stats")
        return result

    # 1. The teacher uploads a long lesson the way the phone app does.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}
    env.update(
        CLASSREEL_API=local_stack.api_url,
        CLASSREEL_TOKEN=teacher_token,
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    cli = [sys.executable, "-m", "classreel.cli.main"]
    uploaded = subprocess.run(
        [*cli, "upload", str(lesson_file), "--title", "Fractions, period 3", "--wait", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert uploaded.returncode == 0, uploaded.stderr
    video = json.loads(uploaded.stdout)
    assert video["status"] == "ready"
    video_id = video["id"]
    teacher.ok(
        "PATCH",
        f"/videos/{video_id}",
        json={"sharing": {"users": [], "school_coaches": True}},
    )

    # 2. The coach marks a range where students lead, and promotes it to a clip.
    comment = coach.ok(
        "POST",
        f"/videos/{video_id}/comments",
        201,
        json={
            "at_s": 12.5,
            "end_s": 30.5,
            "body": "Students lead the number-line discussion",
            "tags": ["student-centered"],
        },
    )
    clip = coach.ok(
        "POST", f"/videos/{video_id}/clips", 201, json={"from_comment_id": comment["id"]}
    )
    clip = coach.wait_for_clip(clip["id"])
    assert clip["status"] == "ready", clip
    assert abs(clip["duration_s"] - 18.0) <= 1 / FPS + 1e-6
    clip_id = clip["id"]

    # 3. Nomination needs the teacher's consent.
    nomination = {"note": "Students explain their thinking", "elements": ["student-centered"]}
    refused = coach.call("POST", f"/clips/{clip_id}/nominate", json=nomination)
    assert refused.status_code == 409 and refused.json()["error"] == "consent_required"
    assert stats()["by_status"]["pending"] == 0
    teacher.ok("PATCH", f"/videos/{video_id}", json={"consent_to_library": True})
    item = coach.ok("POST", f"/clips/{clip_id}/nominate", 201, json=nomination)
    review_id = item["id"]
    after_nomination = stats()
    assert after_nomination["by_status"]["pending"] == 1
    assert after_nomination["by_element"] == {"student-centered": {"pending": 1}}
    queue = ana.ok("GET", "/review-queue", params={"element": "student-centered"})["items"]
    assert [i["id"] for i in queue] == [review_id]

    # 4. Two reviewers claim at the same moment: exactly one wins.
    with ThreadPoolExecutor(max_workers=2) as pool:
        attempts = list(
            pool.map(lambda api: api.call("POST", f"/review-queue/{review_id}/claim"), [ana, raj])
        )
    assert sorted(r.status_code for r in attempts) == [200, 409]
    winner = ana if attempts[0].status_code == 200 else raj
    assert stats()["by_status"]["in_review"] == 1

    # 5. The winner approves with the QC checklist.
    approved = winner.ok(
        "POST",
        f"/review-queue/{review_id}/approve",
        json={"checklist": CHECKLIST, "note": "A clear example of student discourse"},
    )
    assert approved["status"] == "approved"
    assert [h["to_status"] for h in approved["history"]] == ["pending", "in_review", "approved"]

    # 6. Anyone in the district finds it by element, with the moment to jump to.
    results = teacher.ok("GET", "/library", params={"element": "student-centered"})["items"]
    assert [r["clip_id"] for r in results] == [clip_id]
    [match] = results[0]["matches"]
    assert (match["element"], match["start_s"], match["end_s"]) == ("student-centered", 0.0, 18.0)
    assert results[0]["renditions"] and results[0]["poster_url"]

    # 7. The stats saw every step.
    final = stats()
    assert final["by_status"] == {
        "pending": 0, "in_review": 0, "approved": 1, "rejected": 0, "unpublished": 0,
        "withdrawn": 0,
    }  # fmt: skip
    assert final["by_element"] == {"student-centered": {"approved": 1}}
    winner_id = "reviewer-ana" if winner is ana else "reviewer-raj"
    assert final["by_reviewer"] == {winner_id: {"approved": 1}}
    assert final["decisions_30d"] == 1 and final["median_decision_s_30d"] > 0
