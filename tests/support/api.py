"""Talking to the local stack's API the way clients do, for tests."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests

FINAL = ("ready", "failed")
# How long a wait for the pipeline may last before the test calls the video stuck: a deadline,
# never a speed check, so long enough for a busy worker on a loaded 2-core machine.
PIPELINE_DEADLINE_S = 300.0


class Api:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.base_url}{path}", timeout=30, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json()

    def create_video(
        self,
        path: Path,
        *,
        filename: str | None = None,
        content_type: str = "video/mp4",
        title: str = "A lesson",
        size_bytes: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        body = {
            "title": title,
            "filename": filename or path.name,
            "content_type": content_type,
            "size_bytes": size_bytes if size_bytes is not None else max(1, path.stat().st_size),
            **extra,
        }
        created: dict[str, Any] = self.ok("POST", "/videos", 201, json=body)
        return created

    def video(self, video_id: str) -> dict[str, Any]:
        video: dict[str, Any] = self.ok("GET", f"/videos/{video_id}")
        return video

    def wait_for(self, video_id: str, timeout_s: float = PIPELINE_DEADLINE_S) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            video = self.video(video_id)
            if video["status"] in FINAL:
                return video
            time.sleep(0.3)
        raise AssertionError(f"video {video_id} still {self.video(video_id)['status']}")

    def wait_for_clip(self, clip_id: str, timeout_s: float = PIPELINE_DEADLINE_S) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            clip: dict[str, Any] = self.ok("GET", f"/clips/{clip_id}")
            if clip["status"] in FINAL:
                return clip
            time.sleep(0.3)
        raise AssertionError(f"clip {clip_id} still processing")

    def wait_for_status(
        self, video_id: str, status: str, timeout_s: float = PIPELINE_DEADLINE_S
    ) -> dict[str, Any]:
        """Wait for one status (e.g. ``ready`` after a replay of a ``failed`` video)."""
        deadline = time.monotonic() + timeout_s
        video = self.video(video_id)
        while video["status"] != status and time.monotonic() < deadline:
            time.sleep(0.3)
            video = self.video(video_id)
        assert video["status"] == status, video
        return video


def post_file(upload: dict[str, Any], path: Path, content_type: str) -> requests.Response:
    """Upload through a presigned POST, exactly as a browser form would."""
    with path.open("rb") as handle:
        return requests.post(
            upload["url"],
            data=upload["fields"],
            files={"file": (path.name, handle, content_type)},
            timeout=120,
        )


def put_parts(api: Api, upload: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    """PUT every part through presigned part URLs; returns the parts for completion."""
    parts = []
    query = {"key": upload["key"]}
    with path.open("rb") as handle:
        for number in range(1, upload["part_count"] + 1):
            signed = api.ok("GET", f"/s3/multipart/{upload['upload_id']}/{number}", params=query)
            response = requests.put(
                signed["url"], data=handle.read(upload["part_size"]), timeout=60
            )
            assert response.status_code == 200, response.text
            parts.append({"PartNumber": number, "ETag": response.headers["ETag"]})
    return parts


def complete_multipart(api: Api, upload: dict[str, Any], parts: list[dict[str, Any]]) -> Any:
    return api.call(
        "POST",
        f"/s3/multipart/{upload['upload_id']}/complete",
        params={"key": upload["key"]},
        json={"parts": parts},
    )


def upload_file(api: Api, upload: dict[str, Any], path: Path, content_type: str) -> None:
    if upload["mode"] == "post":
        response = post_file(upload, path, content_type)
        assert response.status_code in (200, 201, 204), response.text
    else:
        response = complete_multipart(api, upload, put_parts(api, upload, path))
        assert response.status_code == 200, response.text


def upload_sample(api: Api, path: Path, filename: str, content_type: str, **extra: Any) -> str:
    created = api.create_video(path, filename=filename, content_type=content_type, **extra)
    upload_file(api, created["upload"], path, content_type)
    return str(created["video"]["id"])
