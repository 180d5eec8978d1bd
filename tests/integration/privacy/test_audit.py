"""Every view, share, release, decision and deletion leaves an audit entry."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from chalicelib.auth.principal import Role
from chalicelib.evaluations.models import EvaluationRecord, EvaluationStatus
from classreel.local.stack import LocalStack
from tests.support.seed import ready_clip
from tests.support.users import TokenFactory
from tests.support.workflow import Workflow

pytestmark = pytest.mark.integration

EXPORT = [sys.executable, "-m", "classreel.cli.main", "audit", "export"]


def _trail(workflow: Workflow, api: Any = None) -> list[tuple[str, str, str | None]]:
    items = (api or workflow.teacher).ok("GET", f"/videos/{workflow.video.video_id}/audit")["items"]
    return [(i["action"], i["actor_id"], i["subject"]) for i in reversed(items)]


def test_views_and_sharing_are_in_the_teachers_trail(workflow: Workflow, api_as: Any) -> None:
    video_id = workflow.video.video_id
    api_as("peer-1", district=workflow.district)  # shares go to people of the directory
    workflow.teacher.ok("GET", f"/videos/{video_id}")  # the owner's own view: not recorded
    workflow.coach.ok("GET", f"/videos/{video_id}")
    workflow.teacher.ok(
        "PATCH",
        f"/videos/{video_id}",
        json={
            "sharing": {"users": ["peer-1"], "school_coaches": False},
            "consent_to_library": False,
        },
    )
    workflow.teacher.ok(
        "PATCH", f"/videos/{video_id}", json={"sharing": {"users": [], "school_coaches": False}}
    )
    trail = _trail(workflow)
    assert trail[0] == ("video.viewed", "coach-r", None)
    # One PATCH's entries share a timestamp: compare them as a set.
    assert set(trail[1:4]) == {
        ("video.shared", "teacher-r", "peer-1"),
        ("video.unshared", "teacher-r", "school_coaches"),
        ("video.consent_changed", "teacher-r", "consent_to_library=false"),
    }
    assert trail[4:] == [("video.unshared", "teacher-r", "peer-1")]
    # The trail is the teacher's and the admins': not the coach's.
    assert workflow.admin.ok("GET", f"/videos/{video_id}/audit")["items"]
    assert workflow.coach.call("GET", f"/videos/{video_id}/audit").status_code == 404


def test_release_nomination_approval_and_publication_are_recorded(workflow: Workflow) -> None:
    video_id = workflow.video.video_id
    evaluation = EvaluationRecord(
        *EvaluationRecord.key(video_id, "ev_audit"),
        evaluation_id="ev_audit",
        video_id=video_id,
        district=workflow.district,
        evaluator_id="admin-r",
        scores={"collaborative": 3},
        summary="s",
        status=EvaluationStatus.DRAFT.value,
    )
    evaluation.save()
    workflow.admin.ok("POST", f"/videos/{video_id}/evaluations/ev_audit/release")
    clip = ready_clip(workflow.video, created_by="coach-r")
    review_id = workflow.nominate(clip, ["collaborative"])
    workflow.approve(review_id)
    before_library = len(_trail(workflow))
    workflow.reviewer2.ok("GET", "/library")  # a library result is a clip view
    trail = _trail(workflow)
    # Nominating, claiming and deciding show the clip too: each is a view of its own
    # (tests/integration/access/test_every_view_audited.py); here, the decisions.
    actions = [(a, who) for a, who, _ in trail[:before_library] if a != "clip.viewed"]
    assert actions[:2] == [("evaluation.released", "admin-r"), ("clip.nominated", "coach-r")]
    # Approval and publication are one step (one timestamp): compare as a set.
    assert set(actions[2:]) == {
        ("review.approved", "reviewer-1"),
        ("library.published", "reviewer-1"),
    }
    assert [(a, who) for a, who, _ in trail[before_library:]] == [("clip.viewed", "reviewer-2")]


def test_admins_export_the_district_trail_as_csv(
    workflow: Workflow, local_stack: LocalStack, tokens: TokenFactory
) -> None:
    video_id = workflow.video.video_id
    workflow.coach.ok("GET", f"/videos/{video_id}")
    deleted = workflow.teacher.call("DELETE", f"/videos/{video_id}")
    assert deleted.status_code == 204
    assert workflow.teacher.call("GET", "/audit", params={"since": "2026-01-01"}).status_code == 403

    token = tokens.token("admin-r", Role.ADMIN, district=workflow.district, school=None)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}
    env.update(CLASSREEL_API=local_stack.api_url, CLASSREEL_TOKEN=token)
    exported = subprocess.run(
        [*EXPORT, "--district", workflow.district, "--since", date.today().isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    about_videos = [r for r in rows if r["video_id"]]
    assert [(r["action"], r["actor_id"], r["video_id"]) for r in about_videos] == [
        ("video.viewed", "coach-r", video_id),
        ("video.deleted", "teacher-r", video_id),
    ]
    assert about_videos[1]["actor_role"] == "teacher"
    # The district's directory is in its trail too: the people it gained.
    added = {r["subject"] for r in rows if r["action"] == "person.added"}
    assert {"teacher-r", "coach-r", "admin-r"} <= added

    wrong = subprocess.run(
        [*EXPORT, "--district", "someone-else", "--since", date.today().isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert wrong.returncode != 0 and "not 'someone-else'" in wrong.stderr
