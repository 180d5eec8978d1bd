"""A teacher's data export, then the deletion cascade verified by listing everything."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests

from chalicelib import aws
from chalicelib.config import get_settings
from tests.support.api import Api, upload_sample
from tests.support.receiver import webhook_receiver
from tests.support.workflow import Workflow

pytestmark = pytest.mark.integration


def _wait_export(api: Api, export_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        export: dict[str, Any] = api.ok("GET", f"/me/exports/{export_id}")
        if export["status"] != "pending":
            return export
        time.sleep(0.5)
    raise AssertionError("export still pending")


def _all_keys() -> list[str]:
    settings = get_settings()
    s3 = aws.s3_client(settings)
    keys = []
    for bucket in (settings.uploads_bucket, settings.media_bucket):
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            keys += [v["Key"] for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]]
        uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        keys += [u["Key"] for u in uploads]
    return keys


def _items_mentioning(*needles: str) -> list[dict[str, Any]]:
    """Every table item, raw, whose any attribute names one of ``needles`` (a test may Scan)."""
    settings = get_settings()
    found = []
    for page in (
        aws.dynamodb_client(settings).get_paginator("scan").paginate(TableName=settings.table_name)
    ):
        for item in page["Items"]:
            if any(needle in json.dumps(item, default=str) for needle in needles):
                found.append({name: next(iter(value.values())) for name, value in item.items()})
    return found


def test_export_then_delete_leaves_nothing_but_the_audit_trail(
    workflow: Workflow, lesson_file: Path
) -> None:
    teacher, coach = workflow.teacher, workflow.coach
    video_id = upload_sample(teacher, lesson_file, "lesson.mp4", "video/mp4", title="Ratios")
    assert teacher.wait_for(video_id)["status"] == "ready"
    teacher.ok(
        "PATCH",
        f"/videos/{video_id}",
        json={"sharing": {"users": [], "school_coaches": True}, "consent_to_library": True},
    )
    with webhook_receiver() as receiver:
        workflow.admin.ok(
            "POST",
            "/webhooks",
            201,
            json={"url": receiver.url, "events": ["comment.created", "review.approved"]},
        )
        comment = coach.ok(
            "POST",
            f"/videos/{video_id}/comments",
            201,
            json={
                "at_s": 5,
                "end_s": 15,
                "body": "Cold call with wait time",
                "tags": ["collaborative"],
            },
        )
        clip = coach.ok(
            "POST", f"/videos/{video_id}/clips", 201, json={"from_comment_id": comment["id"]}
        )
        assert coach.wait_for_clip(clip["id"])["status"] == "ready"
        workflow.approve(workflow.nominate_id(clip["id"], ["collaborative"]))
        receiver.wait_for(2)

    # The teacher's export: their videos, the feedback, the playable file.
    started = teacher.ok("POST", "/me/exports", 202)
    export = _wait_export(teacher, started["id"])
    # Two videos: the upload, and the workflow's seeded one (a record without files).
    assert export["status"] == "ready" and export["videos"] == 2
    archive = zipfile.ZipFile(io.BytesIO(requests.get(export["download_url"], timeout=30).content))
    names = set(archive.namelist())
    assert {"README.txt", "videos.json", f"videos/{video_id}/video.json"} <= names
    comments = json.loads(archive.read(f"videos/{video_id}/comments.json"))
    assert [c["body"] for c in comments] == ["Cold call with wait time"]
    assert archive.read(f"videos/{video_id}/video.mp4")[4:8] == b"ftyp"
    assert f"videos/{workflow.video.video_id}/video.mp4" not in names
    assert workflow.coach.call("GET", f"/me/exports/{started['id']}").status_code == 404

    ids = (video_id, clip["id"])
    assert any(video_id in key for key in _all_keys())
    deleted = teacher.call("DELETE", f"/videos/{video_id}")
    assert deleted.status_code == 204, deleted.text

    assert [key for key in _all_keys() if any(i in key for i in ids)] == []
    assert [key for key in _all_keys() if key.startswith(f"exports/{workflow.district}/")] == []
    leftovers = _items_mentioning(*ids)
    # Only the audit trail remains: ids and actions, no content (see docs/privacy.md).
    assert leftovers and all(item["pk"].startswith("AUDIT#") for item in leftovers)
    assert all(set(item) <= AUDIT_FIELDS for item in leftovers)


AUDIT_FIELDS = {
    "pk", "sk", "gsi1pk", "gsi1sk", "audit_id", "district", "action", "actor_id",
    "actor_role", "at", "video_id", "clip_id", "subject", "expires_at",
}  # fmt: skip
