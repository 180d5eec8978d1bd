"""Private by default; shared by name or with the school's coaches; deleted completely."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from chalicelib import aws
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings
from chalicelib.db.base import AnyItem, utcnow
from chalicelib.videos.models import VideoRecord
from tests.support.api import Api, upload_sample
from tests.support.media_corpus import BY_NAME, build
from tests.support.seed import ready_video

pytestmark = pytest.mark.integration


@pytest.fixture
def names() -> dict[str, str]:
    tag = secrets.token_hex(3)
    return {k: f"{k}-{tag}" for k in ("owner", "coach", "far_coach", "peer", "admin")}


def _ids(api: Api, **params: str) -> list[str]:
    return [v["id"] for v in api.ok("GET", "/videos", params=params)["items"]]


def test_the_owner_can_edit_while_the_pipeline_keeps_counting_segments(
    api_as: Callable[..., Api], names: dict[str, str]
) -> None:
    """A lesson's segment tasks update its record many times a minute (each bumps the
    version): the teacher's edits made meanwhile land, none refused as a conflict."""
    owner = api_as(names["owner"])
    video = ready_video(names["owner"]).video_id
    stop = threading.Event()

    def count_segments() -> None:
        # As chalicelib/ingest/encoding.py does: a blind update that moves the version.
        while not stop.is_set():
            VideoRecord.update_item(
                *VideoRecord.key(video), actions=[VideoRecord.updated_at.set(utcnow())]
            )
            stop.wait(0.05)

    pipeline = threading.Thread(target=count_segments, daemon=True)
    pipeline.start()
    try:
        answers = [
            owner.call(
                "PATCH",
                f"/videos/{video}",
                json={
                    "title": f"Take {n}",
                    "sharing": {"users": [names["peer"]] if n % 2 else [], "school_coaches": False},
                },
            )
            for n in range(15)
        ]
    finally:
        stop.set()
        pipeline.join(5)
    assert [a.status_code for a in answers] == [200] * 15, [a.text for a in answers if not a.ok]
    final = owner.ok("GET", f"/videos/{video}")
    assert final["title"] == "Take 14" and final["sharing"]["users"] == []


def test_private_by_default_then_shared_then_unshared(
    api_as: Callable[..., Api], names: dict[str, str]
) -> None:
    owner = api_as(names["owner"])
    coach = api_as(names["coach"], Role.COACH)
    far_coach = api_as(names["far_coach"], Role.COACH, school="school-2")
    peer = api_as(names["peer"])
    video = ready_video(names["owner"]).video_id

    for api in (coach, far_coach, peer):
        assert api.call("GET", f"/videos/{video}").status_code == 404
    assert owner.ok("GET", f"/videos/{video}")["sharing"] == {"users": [], "school_coaches": False}

    shared = owner.ok(
        "PATCH",
        f"/videos/{video}",
        json={"sharing": {"users": [names["peer"]], "school_coaches": True}},
    )
    assert shared["sharing"] == {"users": [names["peer"]], "school_coaches": True}
    assert coach.ok("GET", f"/videos/{video}")["sharing"] is None  # only the owner sees who
    assert video in _ids(coach, scope="school")
    assert video in _ids(peer, scope="shared")
    assert far_coach.call("GET", f"/videos/{video}").status_code == 404
    assert video not in _ids(far_coach, scope="school")
    # Viewers may not change what they can see.
    assert coach.call("PATCH", f"/videos/{video}", json={"title": "mine"}).status_code == 403
    assert coach.call("DELETE", f"/videos/{video}").status_code == 403

    owner.ok("PATCH", f"/videos/{video}", json={"sharing": {"users": [], "school_coaches": False}})
    assert coach.call("GET", f"/videos/{video}").status_code == 404
    assert peer.call("GET", f"/videos/{video}").status_code == 404
    assert video not in _ids(coach, scope="school")
    assert video not in _ids(peer, scope="shared")


def test_owner_edits_title_reflection_and_consent(
    api_as: Callable[..., Api], names: dict[str, str]
) -> None:
    owner = api_as(names["owner"])
    video = ready_video(names["owner"]).video_id
    edited = owner.ok(
        "PATCH",
        f"/videos/{video}",
        json={"title": "Fractions 3B", "reflection": "Pacing was off", "consent_to_library": True},
    )
    assert (edited["title"], edited["reflection"], edited["consent_to_library"]) == (
        "Fractions 3B",
        "Pacing was off",
        True,
    )
    assert owner.call("PATCH", f"/videos/{video}", json={"owner_id": "x"}).status_code == 400


def test_listing_scopes_and_status_filter(
    api_as: Callable[..., Api], names: dict[str, str]
) -> None:
    admin = api_as(names["admin"], Role.ADMIN, school=None)
    owner = api_as(names["owner"])
    video = ready_video(names["owner"]).video_id
    assert video in _ids(admin, scope="district")
    assert video in _ids(owner, scope="mine", status="ready")
    assert video not in _ids(owner, scope="mine", status="failed")
    assert owner.call("GET", "/videos", params={"scope": "district"}).status_code == 403
    assert owner.call("GET", "/videos", params={"scope": "everything"}).status_code == 400


def test_delete_removes_records_comments_and_every_file(
    api_as: Callable[..., Api], names: dict[str, str], corpus_dir: Path
) -> None:
    owner = api_as(names["owner"])
    sample = BY_NAME["hevc_mov"]
    video_id = upload_sample(owner, build(sample, corpus_dir), sample.filename, sample.content_type)
    assert owner.wait_for(video_id)["status"] == "ready"
    owner.ok("PATCH", f"/videos/{video_id}", json={"sharing": {"users": [names["peer"]]}})
    owner.ok(
        "POST",
        f"/videos/{video_id}/comments",
        201,
        json={"at_s": 1, "body": "note", "tags": ["collaborative"]},
    )
    settings = get_settings()
    s3 = aws.s3_client()
    raw_prefix = f"raw/district-a/{video_id}/"
    assert s3.list_object_versions(Bucket=settings.uploads_bucket, Prefix=raw_prefix)["Versions"]
    assert s3.list_objects_v2(Bucket=settings.media_bucket, Prefix=f"videos/{video_id}/")[
        "KeyCount"
    ]

    assert api_as(names["peer"]).call("DELETE", f"/videos/{video_id}").status_code == 403
    assert owner.call("DELETE", f"/videos/{video_id}").status_code == 204

    assert owner.call("GET", f"/videos/{video_id}").status_code == 404
    assert list(AnyItem.query(f"VIDEO#{video_id}")) == []
    versions = s3.list_object_versions(Bucket=settings.uploads_bucket, Prefix=raw_prefix)
    assert not versions.get("Versions") and not versions.get("DeleteMarkers")
    assert (
        s3.list_objects_v2(Bucket=settings.media_bucket, Prefix=f"videos/{video_id}/")["KeyCount"]
        == 0
    )
    assert video_id not in _ids(api_as(names["peer"]), scope="shared")


def test_admin_may_delete_any_video_of_the_district(
    api_as: Callable[..., Api], names: dict[str, str]
) -> None:
    video = ready_video(names["owner"]).video_id
    other_admin = api_as("admin-elsewhere", Role.ADMIN, district="district-b", school=None)
    assert other_admin.call("DELETE", f"/videos/{video}").status_code == 404
    assert (
        api_as(names["admin"], Role.ADMIN, school=None)
        .call("DELETE", f"/videos/{video}")
        .status_code
        == 204
    )
