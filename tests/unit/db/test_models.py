"""Records build their own index keys; statuses are enum attributes; PynamoDB used publicly."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.audit.models import AuditRecord, video_audit_partition
from chalicelib.clips.models import ClipRecord, ClipStatus, video_clips_partition
from chalicelib.config import PROJECT_ROOT
from chalicelib.db.base import EnumAttribute
from chalicelib.review.models import (
    ReviewRecord,
    ReviewStatus,
    queue_partition,
    school_queue_partition,
)
from chalicelib.videos.models import (
    VideoRecord,
    VideoStatus,
    district_partition,
    owner_partition,
    school_coaches_partition,
)
from chalicelib.webhooks.models import DeliveryRecord

AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def render(action: Any) -> str:
    """An update action as DynamoDB receives it: the expression and its values."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    expression = action.serialize(names, values)
    return f"{expression} {names} {values}"


def test_a_status_is_stored_as_its_value_and_read_as_its_member() -> None:
    attribute = EnumAttribute(VideoStatus)
    assert attribute.serialize(VideoStatus.READY) == "ready"
    assert attribute.serialize("ready") == "ready"
    assert attribute.deserialize("ready") is VideoStatus.READY
    with pytest.raises(ValueError, match="not a valid VideoStatus"):
        attribute.serialize("almost-ready")


def test_a_status_update_takes_the_member_or_its_value_alike() -> None:
    assert render(VideoRecord.status.set(VideoStatus.READY)) == render(
        VideoRecord.status.set("ready")
    )
    with pytest.raises(ValueError, match="not a valid"):
        VideoRecord.status.set("done")


def test_records_read_statuses_as_enum_members() -> None:
    video = VideoRecord("VIDEO#v", "META", status="ready")
    assert video.status is VideoStatus.READY
    assert f"{video.status}" == "ready", "a StrEnum member still reads as its value"
    assert ClipRecord("CLIP#c", "META").status is ClipStatus.PROCESSING


def _video(**fields: Any) -> VideoRecord:
    return VideoRecord(
        "VIDEO#v1",
        "META",
        video_id="v1",
        district="d",
        school="s",
        owner_id="teacher",
        created_at=AT,
        **fields,
    ).index_keys()


def test_a_video_indexes_itself_by_owner_district_and_school_coaches() -> None:
    sort_key = f"{AT.isoformat()}#v1"
    private = _video()
    assert (private.gsi1pk, private.gsi1sk) == (owner_partition("d", "teacher"), sort_key)
    assert (private.gsi2pk, private.gsi2sk) == (district_partition("d"), sort_key)
    assert private.gsi3pk is None, "sparse: only videos shared with the school's coaches"
    shared = _video(share_with_school_coaches=True)
    assert (shared.gsi3pk, shared.gsi3sk) == (school_coaches_partition("d", "s"), sort_key)
    unshare = [render(a) for a in shared.school_coaches_actions(False)]
    assert len(unshare) == 2
    assert all("gsi3" in str(a) and "{}" in a for a in unshare), "removed, not set"


def test_a_review_item_sits_in_its_status_queues() -> None:
    item = ReviewRecord(
        "REVIEW#r",
        "META",
        review_id="r",
        district="d",
        school="s",
        status=ReviewStatus.PENDING,
        submitted_at=AT,
    ).index_keys()
    assert item.gsi2pk == queue_partition("d", ReviewStatus.PENDING)
    assert item.gsi3pk == school_queue_partition("d", "s", ReviewStatus.PENDING)
    assert item.gsi2sk == item.gsi3sk == f"{AT.isoformat()}#r"
    moved = str([render(a) for a in item.move_actions(ReviewStatus.APPROVED)])
    assert queue_partition("d", ReviewStatus.APPROVED) in moved
    assert school_queue_partition("d", "s", ReviewStatus.APPROVED) in moved


def test_clips_audit_entries_and_deliveries_index_themselves() -> None:
    clip = ClipRecord("CLIP#c", "META", clip_id="c", video_id="v1", created_at=AT).index_keys()
    assert (clip.gsi1pk, clip.gsi1sk) == (video_clips_partition("v1"), f"{AT.isoformat()}#c")
    entry = AuditRecord("AUDIT#d#2025-03-01", "k", video_id="v1").index_keys()
    assert (entry.gsi1pk, entry.gsi1sk) == (video_audit_partition("v1"), "k")
    assert AuditRecord("AUDIT#d#2025-03-01", "k").index_keys().gsi1pk is None
    delivery = DeliveryRecord("WEBHOOK#h", "DELIVERY#x").index_by_video("v1")
    assert delivery.gsi3pk == DeliveryRecord.video_partition("v1")
    assert DeliveryRecord("WEBHOOK#h", "DELIVERY#x").index_by_video(None).gsi3pk is None


PRIVATE_PYNAMODB = re.compile(r"\._connection\b|\._get_connection\b|_version_attribute_name")


def test_no_private_pynamodb_attribute_is_used() -> None:
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for folder in ("chalicelib", "classreel", "infrastructure", "tests")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if path != PROJECT_ROOT / "tests/unit/db/test_models.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if PRIVATE_PYNAMODB.search(line)
    ]
    assert offenders == []
