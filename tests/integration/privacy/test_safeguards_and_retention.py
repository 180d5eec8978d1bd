"""Students without media consent, legal holds, and the district's retention policy."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings
from chalicelib.db.base import utcnow
from chalicelib.events.outbox import take_written
from chalicelib.privacy import retention
from chalicelib.privacy.models import RetentionPolicy
from chalicelib.review import service as review_service
from chalicelib.review import transitions
from chalicelib.review.access import ConsentRequired
from chalicelib.review.models import ReviewRecord
from chalicelib.storage.keys import raw_source_key
from chalicelib.videos import service as videos_service
from chalicelib.videos.models import VideoRecord
from chalicelib.videos.schemas import UpdateVideoRequest
from tests.support.principals import person
from tests.support.seed import ready_clip, ready_video
from tests.support.workflow import CHECKLIST, Workflow

pytestmark = pytest.mark.integration


def _safeguards(api: Any, video_id: str, **body: Any) -> Any:
    return api.call("PUT", f"/videos/{video_id}/safeguards", json=body)


def test_flagging_students_takes_the_clips_out_of_the_queue_and_the_library_at_once(
    workflow: Workflow,
) -> None:
    video_id = workflow.video.video_id
    published_clip = workflow.clip()
    workflow.approve(workflow.nominate(published_clip, ["collaborative"]))
    assert [i["clip_id"] for i in workflow.teacher.ok("GET", "/library")["items"]] == [
        published_clip.clip_id
    ]
    pending_clip = workflow.clip()
    pending = workflow.nominate(pending_clip, ["collaborative"])
    workflow.reviewer.ok("POST", f"/review-queue/{pending}/claim")

    flagged = _safeguards(workflow.coach, video_id, contains_students_without_consent=True)
    assert flagged.status_code == 200 and flagged.json()["contains_students_without_consent"]

    # Out of the library and the queue in the same request, by content, not just status.
    assert workflow.teacher.ok("GET", "/library")["items"] == []
    queue = workflow.reviewer.ok("GET", "/review-queue", params={"status": "pending"})["items"]
    claimed = workflow.reviewer.ok("GET", "/review-queue", params={"status": "in_review"})
    assert pending not in {i["id"] for i in [*queue, *claimed["items"]]}
    withdrawn = workflow.reviewer.ok("GET", f"/review-queue/{pending}")
    assert withdrawn["status"] == "withdrawn"
    assert withdrawn["history"][-1]["to_status"] == "withdrawn"
    blocked = workflow.reviewer.call(
        "POST", f"/review-queue/{pending}/approve", json={"checklist": CHECKLIST}
    )
    assert blocked.status_code == 409
    trail = workflow.teacher.ok("GET", f"/videos/{video_id}/audit")["items"]
    withdrawals = [e for e in trail if e["action"] == "review.withdrawn"]
    assert {e["clip_id"] for e in withdrawals} == {published_clip.clip_id, pending_clip.clip_id}
    assert any(e["action"] == "library.unpublished" for e in trail)

    # A new nomination is refused, in plain words, while the flag is set.
    refused = workflow.coach.call(
        "POST",
        f"/clips/{pending_clip.clip_id}/nominate",
        json={"note": "n", "elements": ["collaborative"]},
    )
    assert refused.status_code == 409 and refused.json()["error"] == "consent_required"
    assert "Students whose families have not agreed" in refused.json()["message"]
    assert "contains_students_without_consent" not in refused.json()["message"]

    # The coach set the flag: the teacher alone cannot clear it; the coach can.
    by_teacher = _safeguards(workflow.teacher, video_id, contains_students_without_consent=False)
    assert by_teacher.status_code == 403, by_teacher.text
    assert "coach or an administrator" in by_teacher.json()["message"]
    assert _safeguards(workflow.coach, video_id, contains_students_without_consent=False).ok
    # Clearing the flag brings nothing back by itself: only a new nomination and review.
    assert workflow.teacher.ok("GET", "/library")["items"] == []
    again = workflow.nominate(pending_clip, ["collaborative"])
    assert again != pending

    # A teacher who cannot see the video cannot flag it either.
    outsider = _safeguards(workflow.reviewer, video_id, contains_students_without_consent=False)
    assert outsider.status_code == 404


def test_withdrawing_library_consent_unpublishes_the_recordings_clips(workflow: Workflow) -> None:
    video_id = workflow.video.video_id
    clip = workflow.clip()
    workflow.approve(workflow.nominate(clip, ["collaborative"]))
    assert workflow.coach.ok("GET", "/library")["items"]

    workflow.teacher.ok("PATCH", f"/videos/{video_id}", json={"consent_to_library": False})

    assert workflow.coach.ok("GET", "/library")["items"] == []
    assert workflow.coach.ok("GET", "/library", params={"element": "collaborative"})["items"] == []
    refused = workflow.coach.call(
        "POST", f"/clips/{clip.clip_id}/nominate", json={"note": "n", "elements": ["collaborative"]}
    )
    assert refused.status_code == 409
    assert "has not agreed to share this recording" in refused.json()["message"]


def test_a_withdrawal_whose_request_died_after_its_commit_still_takes_the_clips_out(
    workflow: Workflow,
) -> None:
    """The consent change commits with its event; the request that wrote it dies before
    relaying it (here: a service call in a process with no relay, as after a SIGKILL).
    The stack's sweep finds the event and withdraws the clips, as the teacher."""
    clip = workflow.clip()
    workflow.approve(workflow.nominate(clip, ["collaborative"]))
    assert workflow.coach.ok("GET", "/library")["items"]
    teacher = person("teacher-r", Role.TEACHER, district=workflow.district)

    videos_service.update_video(
        teacher, workflow.video.video_id, UpdateVideoRequest(consent_to_library=False)
    )
    take_written()  # what a dead request never relayed

    def unpublished() -> list[dict[str, Any]]:
        trail = workflow.teacher.ok("GET", f"/videos/{workflow.video.video_id}/audit")["items"]
        return [e for e in trail if e["action"] == "library.unpublished"]

    deadline = time.monotonic() + 60
    while not unpublished():
        assert time.monotonic() < deadline, "the sweep never withdrew the published clip"
        time.sleep(0.2)
    assert [e["actor_id"] for e in unpublished()] == ["teacher-r"]
    assert workflow.coach.ok("GET", "/library")["items"] == []


def test_approval_checks_consent_inside_its_transaction(workflow: Workflow) -> None:
    """Consent withdrawn after the approval read it: the write still refuses to publish."""
    clip = workflow.clip()
    item = ReviewRecord.load(workflow.nominate(clip, ["collaborative"]))
    assert item is not None
    record = VideoRecord.load(workflow.video.video_id)
    assert record is not None
    record.update(actions=[VideoRecord.consent_to_library.set(False)])
    with pytest.raises(ConsentRequired):
        transitions.run(
            lambda tx: review_service._publish(tx, [], item.video_id),
            lambda exc: review_service._consent_changed(item.video_id, exc),
        )


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

    policy = RetentionPolicy.load(district)
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
