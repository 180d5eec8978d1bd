"""The clip worker against the local stack: duplicates, busy clips, missing sources."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

import pytest

from chalicelib.auth.principal import Role
from chalicelib.clips.models import ClipJobAttr, ClipRecord, ClipStatus
from chalicelib.clips.worker import SOURCE_GONE, process_clip
from chalicelib.config import get_settings
from chalicelib.db.base import utcnow
from chalicelib.jobs.retry import RetryLater
from tests.support.api import Api
from tests.support.seed import ready_clip, ready_video

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("local_stack")]


def test_a_duplicate_job_for_a_finished_clip_changes_nothing() -> None:
    clip = ready_clip(ready_video("teacher-dup", district="district-jobs"))
    before = ClipRecord.load(clip.clip_id)
    assert process_clip(clip.clip_id, last_attempt=False, settings=get_settings()) == "duplicate"
    after = ClipRecord.load(clip.clip_id)
    assert before is not None and after is not None
    assert after.version == before.version


def test_a_job_for_a_deleted_clip_is_dropped() -> None:
    assert process_clip("clp_gone", last_attempt=False, settings=get_settings()) == "gone"


def test_a_clip_another_job_holds_is_retried_later() -> None:
    clip = ready_clip(ready_video("teacher-busy", district="district-jobs"))
    now = utcnow()
    clip.update(
        actions=[
            ClipRecord.status.set(ClipStatus.PROCESSING.value),
            ClipRecord.job.set(
                ClipJobAttr(job_id="other", lease_until=now + timedelta(seconds=60), started_at=now)
            ),
        ]
    )
    with pytest.raises(RetryLater) as retry:
        process_clip(clip.clip_id, last_attempt=False, settings=get_settings())
    assert 5 <= retry.value.delay_s <= 70


def test_a_clip_whose_recording_is_gone_fails_with_a_reason(
    api_as: Callable[..., Api],
) -> None:
    district = f"district-gone-{secrets.token_hex(3)}"
    # A seeded video: its record says ready, but no file was ever stored.
    video = ready_video("teacher-g", district=district, school_coaches=True)
    coach = api_as("coach-g", Role.COACH, district=district, school="school-1")
    clip = coach.ok(
        "POST",
        f"/videos/{video.video_id}/clips",
        201,
        json={"start_s": 0, "end_s": 10, "title": "Gone"},
    )
    failed = coach.wait_for_clip(clip["id"])
    assert failed["status"] == "failed"
    assert failed["failure_reason"] == SOURCE_GONE
