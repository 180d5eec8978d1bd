"""Students without media consent, legal holds, and the district's retention policy."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.config import get_settings
from chalicelib.db.base import utcnow
from chalicelib.privacy import retention
from chalicelib.storage.keys import raw_source_key
from chalicelib.videos.models import VideoRecord
from tests.support.seed import ready_clip, ready_video
from tests.support.workflow import CHECKLIST, Workflow

pytestmark = pytest.mark.integration


def _safeguards(api: Any, video_id: str, **body: Any) -> Any:
    return api.call("PUT", f"/videos/{video_id}/safeguards", json=body)


def test_students_without_consent_block_nomination_and_publication(workflow: Workflow) -> None:
    video_id = workflow.video.video_id
    pending = workflow.nominate(workflow.clip(), ["collaborative"])
    flagged = _safeguards(workflow.coach, video_id, contains_students_without_consent=True)
    assert flagged.status_code == 200 and flagged.json()["contains_students_without_consent"]

    refused = workflow.coach.call(
        "POST",
        f"/clips/{workflow.clip().clip_id}/nominate",
        json={"note": "n", "elements": ["collaborative"]},
    )
    assert refused.status_code == 409 and refused.json()["error"] == "consent_required"
    assert "Students whose families have not consented" in refused.json()["message"]
    workflow.reviewer.ok("POST", f"/review-queue/{pending}/claim")
    blocked = workflow.reviewer.call(
        "POST", f"/review-queue/{pending}/approve", json={"checklist": CHECKLIST}
    )
    assert blocked.status_code == 409 and blocked.json()["error"] == "consent_required"

    # A teacher who cannot see the video cannot flag it either.
    outsider = _safeguards(workflow.reviewer, video_id, contains_students_without_consent=False)
    assert outsider.status_code == 404


def test_a_legal_hold_is_for_admins_and_blocks_deletion(workflow: Workflow) -> None:
    video_id = workflow.video.video_id
    assert _safeguards(workflow.teacher, video_id, legal_hold=True, reason="x").status_code == 403
    no_reason = _safeguards(workflow.admin, video_id, legal_hold=True)
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    held = _safeguards(workflow.admin, video_id, legal_hold=True, reason="Grievance 2026-14")
    assert held.status_code == 200 and held.json()["legal_hold"] is True
    for api in (workflow.teacher, workflow.admin):
        refused = api.call("DELETE", f"/videos/{video_id}")
        assert refused.status_code == 409 and refused.json()["field"] == "legal_hold"
    assert _safeguards(workflow.admin, video_id, legal_hold=False).status_code == 200
    assert workflow.teacher.call("DELETE", f"/videos/{video_id}").status_code == 204


def _with_files(district: str, ready_days_ago: float, **kwargs: Any) -> VideoRecord:
    """A ready video with an original and a rendition actually stored."""
    video = ready_video(f"teacher-{district}", district=district, **kwargs)
    ready = utcnow() - timedelta(days=ready_days_ago)
    created = ready - timedelta(minutes=5)
    video.update(
        actions=[
            VideoRecord.ready_at.set(ready),
            VideoRecord.created_at.set(created),
            VideoRecord.gsi2sk.set(f"{created.isoformat()}#{video.video_id}"),
        ]
    )
    settings = get_settings()
    s3 = aws.s3_client(settings)
    s3.put_object(
        Bucket=settings.uploads_bucket, Key=raw_source_key(district, video.video_id), Body=b"raw"
    )
    s3.put_object(Bucket=settings.media_bucket, Key=video.renditions[0].key, Body=b"mp4")
    return video


def _keys(bucket: str, prefix: str) -> list[str]:
    listed = aws.s3_client().list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


def test_retention_preview_is_a_dry_run_and_apply_respects_holds_and_the_library(
    workflow: Workflow,
) -> None:
    district = workflow.district
    settings = get_settings()
    assert workflow.teacher.call("GET", "/retention").status_code == 403
    workflow.admin.ok("PUT", "/retention", json={"source_days": 30, "renditions_days": 60})
    assert workflow.admin.ok("GET", "/retention")["renditions_days"] == 60

    # Ready today: nothing is due now, so the scheduled job leaves them alone;
    # the preview looks 90 days ahead.
    plain = _with_files(district, 0)
    held = _with_files(district, 0)
    held.update(actions=[VideoRecord.legal_hold.set(True)])
    in_library = _with_files(district, 0, consent_to_library=True, school_coaches=True)
    clip = ready_clip(in_library, created_by="coach-r")
    workflow.approve(workflow.nominate(clip, ["collaborative"]))

    as_of = (utcnow() + timedelta(days=90)).isoformat()
    preview = workflow.admin.ok("GET", "/retention/preview", params={"as_of": as_of})
    steps = {(s["video_id"], s["action"]) for s in preview["steps"]}
    assert (plain.video_id, "delete_source") in steps
    assert (plain.video_id, "delete_renditions") in steps
    assert (in_library.video_id, "delete_source") in steps
    assert (in_library.video_id, "delete_renditions") not in steps
    assert preview["kept_for_library"] == [in_library.video_id]
    assert held.video_id in preview["held"]
    assert not any(video_id == held.video_id for video_id, _ in steps)
    # A dry run: everything is still there.
    assert _keys(settings.uploads_bucket, f"raw/{district}/{plain.video_id}/")

    policy = retention.RetentionPolicy.load(district)
    assert policy is not None
    retention.apply(retention.plan(policy, utcnow() + timedelta(days=90)), settings)
    assert _keys(settings.uploads_bucket, f"raw/{district}/{plain.video_id}/") == []
    assert _keys(settings.media_bucket, f"videos/{plain.video_id}/") == []
    assert _keys(settings.uploads_bucket, f"raw/{district}/{held.video_id}/")
    assert _keys(settings.media_bucket, f"videos/{in_library.video_id}/")
    gone = workflow.admin.ok("GET", f"/videos/{plain.video_id}")
    assert gone["renditions"] == [] and gone["renditions_deleted_at"]
    trail = workflow.admin.ok("GET", f"/videos/{plain.video_id}/audit")["items"]
    assert {(i["action"], i["actor_id"], i["subject"]) for i in trail} == {
        ("retention.applied", "system", "delete_source"),
        ("retention.applied", "system", "delete_renditions"),
    }


def test_the_scheduled_job_applies_due_steps(workflow: Workflow) -> None:
    district = workflow.district
    workflow.admin.ok("PUT", "/retention", json={"source_days": 1})
    due = _with_files(district, 2)
    deadline = utcnow() + timedelta(seconds=30)
    while utcnow() < deadline:
        record = VideoRecord.load(due.video_id)
        if record is not None and record.source_deleted_at is not None:
            break
        time.sleep(0.5)
    record = VideoRecord.load(due.video_id)
    assert record is not None and record.source_deleted_at is not None
    assert _keys(get_settings().uploads_bucket, f"raw/{district}/{due.video_id}/") == []
    assert _keys(get_settings().media_bucket, f"videos/{due.video_id}/")  # renditions stay
