"""A data export racing the deletion of one of its videos leaves no zip behind.

The export job runs in this process with an upload step that reports where it
is and waits: the deletion lands on an observed state (the job is about to
store its zip, or has stored it but not yet recorded it), never after a guess.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.privacy.export import build
from chalicelib.privacy.models import ExportRecord
from chalicelib.storage import objects
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.seed import ready_video

pytestmark = pytest.mark.integration


class PausedUpload:
    """Stores the zip like the worker does, pausing ``when`` ("before"/"after") it does."""

    def __init__(self, settings: Settings, when: str) -> None:
        self.settings = settings
        self.when = when
        self.reached = threading.Event()
        self.resume = threading.Event()

    def __call__(self, path: Path, key: str) -> None:
        if self.when == "before":
            self._pause()
        objects.upload(path, self.settings.media_bucket, key, "application/zip", self.settings)
        if self.when == "after":
            self._pause()

    def _pause(self) -> None:
        self.reached.set()
        assert self.resume.wait(60), "the test never let the export job go on"


def _zips(settings: Settings, district: str) -> list[str]:
    s3 = aws.s3_client(settings)
    listing = s3.list_object_versions(Bucket=settings.media_bucket, Prefix=f"exports/{district}/")
    return [v["Key"] for v in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]]


@pytest.mark.parametrize("when", ["before", "after"])
def test_deleting_a_video_while_its_export_is_stored_leaves_no_zip(
    when: str, local_stack: LocalStack, api_as: Callable[..., Api], tmp_path: Path
) -> None:
    settings = local_stack.settings().model_copy(update={"work_dir": tmp_path})
    district = f"district-exp-{secrets.token_hex(3)}"
    video = ready_video("teacher-x", district=district)
    export_id = "exp_" + secrets.token_hex(8)
    now = utcnow()
    # The record POST /me/exports writes, without its queue message: this test runs the job.
    ExportRecord(
        *ExportRecord.key_of(district, "teacher-x", export_id),
        export_id=export_id,
        district=district,
        user_id="teacher-x",
        created_at=now,
        expires_at=now,
    ).save()
    upload = PausedUpload(settings, when)
    outcome: list[str] = []
    job = threading.Thread(
        target=lambda: outcome.append(build(district, "teacher-x", export_id, settings, upload))
    )
    job.start()
    try:
        assert upload.reached.wait(60), "the export job never reached its upload"
        teacher = api_as("teacher-x", district=district)
        assert teacher.call("DELETE", f"/videos/{video.video_id}").status_code == 204
    finally:
        upload.resume.set()
        job.join(60)
    assert outcome == ["gone"]
    assert _zips(settings, district) == []
    assert list(ExportRecord.query(ExportRecord.key_of(district, "teacher-x", "")[0])) == []
