"""POST /videos and the multipart endpoints: every refusal is a 4xx naming the problem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import requests

from chalicelib.auth.principal import Role
from chalicelib.db.base import utcnow
from chalicelib.videos.models import VideoRecord
from tests.support.api import Api, complete_multipart, post_file, put_parts
from tests.support.media_corpus import BY_NAME, build

pytestmark = pytest.mark.integration

GOOD = {"title": "Fractions", "filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 1000}


@pytest.fixture(scope="module")
def teacher(api_as: Callable[..., Api]) -> Api:
    return api_as("teacher-uploads")


@pytest.mark.parametrize(
    ("change", "field", "phrase"),
    [
        ({"filename": ""}, "filename", "at least 1 character"),
        ({"content_type": "x" * 256}, "content_type", "at most 255"),
        ({"size_bytes": 0}, "size_bytes", "greater than 0"),
        ({"size_bytes": 11 * 1024**3}, "size_bytes", "the limit is 10.0 GiB"),
        ({"title": ""}, "title", "at least 1 character"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"surprise": 1}, "surprise", "Extra inputs"),
    ],
)
def test_create_refusals_name_the_field(
    teacher: Api, change: dict[str, Any], field: str, phrase: str
) -> None:
    response = teacher.call("POST", "/videos", json={**GOOD, **change})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_input"
    assert body["field"] == field
    assert phrase in body["message"]


@pytest.mark.parametrize(
    ("filename", "declared", "stored"),
    [
        # Browsers declare nothing or octet-stream for camcorder files: never a refusal.
        ("00001.MTS", "", "application/octet-stream"),
        ("00002.m2ts", "application/octet-stream", "application/octet-stream"),
        ("clip.mts", "model/vnd.mts", "application/octet-stream"),
        ("noextension", "text/html", "application/octet-stream"),
        ("lesson.mp4", "video/mp4; codecs=avc1", "video/mp4"),
    ],
)
def test_any_name_and_declared_type_may_upload_the_bytes_decide(
    teacher: Api, filename: str, declared: str, stored: str
) -> None:
    created = teacher.ok(
        "POST", "/videos", 201, json={**GOOD, "filename": filename, "content_type": declared}
    )
    # The presigned POST pins the stored type, never the declared one.
    assert created["upload"]["fields"]["Content-Type"] == stored


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid UTF-8"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"a":' * 100 + b"1" + b"}" * 100, "nested too deeply"),
    ],
)
def test_malformed_bodies_are_400(teacher: Api, data: bytes, phrase: str) -> None:
    response = teacher.call(
        "POST", "/videos", data=data, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert phrase in response.json()["message"]


def test_oversized_body_is_413(teacher: Api) -> None:
    response = teacher.call("POST", "/videos", json={**GOOD, "reflection": "x" * 300_000})
    assert response.status_code == 413


def test_reviewers_cannot_upload(api_as: Callable[..., Api]) -> None:
    response = api_as("reviewer-1", Role.REVIEWER).call("POST", "/videos", json=GOOD)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_small_upload_is_a_presigned_post_pinned_to_key_type_and_size(teacher: Api) -> None:
    created = teacher.ok("POST", "/videos", 201, json=GOOD)
    video, upload = created["video"], created["upload"]
    assert video["status"] == "uploading"
    assert upload["mode"] == "post"
    key = upload["fields"]["key"]
    assert key == f"raw/district-a/{video['id']}/source"
    assert upload["fields"]["Content-Type"] == "video/mp4"
    policy = __import__("base64").b64decode(upload["fields"]["policy"]).decode()
    assert '["content-length-range", 1000, 1000]' in policy
    assert '{"Content-Type": "video/mp4"}' in policy
    assert f'{{"key": "{key}"}}' in policy


def test_client_cannot_choose_the_key(teacher: Api) -> None:
    response = teacher.call("POST", "/videos", json={**GOOD, "key": "raw/other/x/source"})
    assert response.status_code == 400


def test_an_upload_after_the_window_closed_is_refused(teacher: Api, corpus_dir: Path) -> None:
    path = build(BY_NAME["no_audio"], corpus_dir)
    created = teacher.create_video(path, filename="silent.mp4")
    record = VideoRecord.load(created["video"]["id"])
    assert record is not None
    # The link's expiry passes (S3 would refuse; the local one does not).
    record.update(
        actions=[cast(Any, VideoRecord.upload).window_ends_at.set(utcnow() - timedelta(hours=2))]
    )
    assert post_file(created["upload"], path, "video/mp4").status_code == 204
    video = teacher.wait_for(created["video"]["id"])
    assert video["status"] == "failed"
    assert "expired" in video["failure_reason"]


def test_multipart_upload_resume_and_complete(teacher: Api, big_video: Path) -> None:
    created = teacher.create_video(big_video, filename="big.mp4")
    upload = created["upload"]
    assert upload["mode"] == "multipart"
    assert upload["part_count"] == 3
    query = {"key": upload["key"]}

    # Uppy's companion 'create' returns the same upload for the video.
    again = teacher.ok(
        "POST", "/s3/multipart", json={"metadata": {"video_id": created["video"]["id"]}}
    )
    assert again == {"key": upload["key"], "uploadId": upload["upload_id"]}

    # Upload part 1 only, as if the connection dropped.
    signed = teacher.ok("GET", f"/s3/multipart/{upload['upload_id']}/1", params=query)
    with big_video.open("rb") as handle:
        first = requests.put(signed["url"], data=handle.read(upload["part_size"]), timeout=60)
    assert first.status_code == 200
    listed = teacher.ok("GET", f"/s3/multipart/{upload['upload_id']}", params=query)
    assert [p["PartNumber"] for p in listed] == [1]
    assert listed[0]["Size"] == upload["part_size"]

    parts = put_parts(teacher, upload, big_video)
    response = complete_multipart(teacher, upload, parts)
    assert response.status_code == 200, response.text
    video = teacher.wait_for(created["video"]["id"])
    assert video["status"] == "ready", video["failure_reason"]
    # Completing twice is refused.
    assert complete_multipart(teacher, upload, parts).status_code == 409


def test_multipart_refusals(teacher: Api, api_as: Callable[..., Api], big_video: Path) -> None:
    created = teacher.create_video(big_video, filename="big.mp4")
    upload = created["upload"]
    base = f"/s3/multipart/{upload['upload_id']}"
    query = {"key": upload["key"]}

    assert teacher.call("GET", f"{base}/0", params=query).status_code == 400
    assert teacher.call("GET", f"{base}/4", params=query).json()["field"] == "partNumber"
    assert teacher.call("GET", f"{base}/1").json()["field"] == "key"
    wrong_key = {"key": upload["key"].replace(created["video"]["id"], "someoneelse000000000000")}
    assert teacher.call("GET", f"{base}/1", params=wrong_key).status_code == 404
    assert teacher.call("GET", "/s3/multipart/bogus/1", params=query).status_code == 404

    # Another teacher cannot touch it; another district cannot even see it.
    intruder = api_as("teacher-other", Role.TEACHER)
    assert intruder.call("GET", f"{base}/1", params=query).status_code == 404
    outsider = api_as("teacher-x", Role.TEACHER, district="district-b")
    assert outsider.call("GET", f"{base}/1", params=query).status_code == 404

    # Missing parts, and sizes that do not add up to the declaration.
    parts = put_parts(teacher, upload, big_video)
    missing = complete_multipart(teacher, upload, parts[:2])
    assert missing.status_code == 400 and missing.json()["field"] == "parts"
    bad_etag = [*parts[:2], {"PartNumber": 3, "ETag": '"0000"'}]
    assert "ETag" in complete_multipart(teacher, upload, bad_etag).json()["message"]
    # Re-upload the last part with extra bytes: larger than declared.
    signed = teacher.ok("GET", f"{base}/3", params=query)
    with big_video.open("rb") as handle:
        handle.seek(2 * upload["part_size"])
        tail = handle.read() + b"extra"
    parts[2]["ETag"] = requests.put(signed["url"], data=tail, timeout=60).headers["ETag"]
    oversize = complete_multipart(teacher, upload, parts)
    assert oversize.status_code == 400
    assert "bytes" in oversize.json()["message"]


def test_multipart_window_expiry_is_410(teacher: Api, big_video: Path) -> None:
    created = teacher.create_video(big_video, filename="big.mp4")
    upload = created["upload"]
    record = VideoRecord.load(created["video"]["id"])
    assert record is not None
    record.update(
        actions=[cast(Any, VideoRecord.upload).window_ends_at.set(utcnow() - timedelta(minutes=1))]
    )
    response = teacher.call(
        "GET", f"/s3/multipart/{upload['upload_id']}/1", params={"key": upload["key"]}
    )
    assert response.status_code == 410
    assert "expired" in response.json()["message"]


def test_abort_marks_the_video_cancelled(teacher: Api, big_video: Path) -> None:
    created = teacher.create_video(big_video, filename="big.mp4")
    upload = created["upload"]
    response = teacher.call(
        "DELETE", f"/s3/multipart/{upload['upload_id']}", params={"key": upload["key"]}
    )
    assert response.status_code == 200
    video = teacher.video(created["video"]["id"])
    assert video["status"] == "failed"
    assert "cancelled" in video["failure_reason"]


def test_videos_are_private_and_listed_newest_first(api_as: Callable[..., Api]) -> None:
    owner = api_as("teacher-list")
    ids = [
        owner.ok("POST", "/videos", 201, json={**GOOD, "title": f"v{i}"})["video"]["id"]
        for i in range(5)
    ]
    first = owner.ok("GET", "/videos", params={"limit": 2})
    assert [v["id"] for v in first["items"]] == ids[::-1][:2]
    second = owner.ok("GET", "/videos", params={"limit": 2, "cursor": first["next_cursor"]})
    assert [v["id"] for v in second["items"]] == ids[::-1][2:4]

    other = api_as("teacher-list-2")
    assert other.ok("GET", "/videos")["items"] == []
    assert other.call("GET", f"/videos/{ids[0]}").status_code == 404
    # A cursor from someone else's listing is refused, not followed.
    stolen = other.call("GET", "/videos", params={"cursor": first["next_cursor"]})
    assert stolen.status_code == 400 and stolen.json()["field"] == "cursor"
    assert other.call("GET", "/videos", params={"cursor": "!!!"}).status_code == 400
    assert other.call("GET", "/videos", params={"limit": 1000}).status_code == 400
    # Admins of the same district may look; of another district may not.
    assert api_as("admin-a", Role.ADMIN, school=None).call("GET", f"/videos/{ids[0]}").ok
    other_admin = api_as("admin-b", Role.ADMIN, district="district-b", school=None)
    assert other_admin.call("GET", f"/videos/{ids[0]}").status_code == 404
