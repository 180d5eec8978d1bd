"""Clips: frame-accurate cuts from a real recording, carried feedback, and the rules."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from chalicelib.auth.principal import Role
from tests.support.api import Api, upload_sample
from tests.support.hls import frames_and_duration, mirror
from tests.support.lesson import FPS, difference, frame_at, video_track_duration

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def district() -> str:
    return f"district-clips-{secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def people(api_as: Callable[..., Api], district: str) -> dict[str, Api]:
    return {
        "teacher": api_as("teacher-c", district=district, school="school-1"),
        "coach": api_as("coach-c", Role.COACH, district=district, school="school-1"),
        "other_coach": api_as("coach-o", Role.COACH, district=district, school="school-2"),
        "reviewer": api_as("reviewer-c", Role.REVIEWER, district=district, school=None),
    }


@pytest.fixture(scope="module")
def lesson(people: dict[str, Api], lesson_file: Path) -> dict[str, Any]:
    teacher = people["teacher"]
    video_id = upload_sample(teacher, lesson_file, "lesson.mp4", "video/mp4", title="Fractions")
    video = teacher.wait_for(video_id)
    assert video["status"] == "ready", video
    teacher.ok(
        "PATCH", f"/videos/{video_id}", json={"sharing": {"users": [], "school_coaches": True}}
    )
    return video


def _download(url: str, target: Path) -> Path:
    response = requests.get(url, timeout=30)
    response.raise_for_status()
    target.write_bytes(response.content)
    return target


def test_a_promoted_range_comment_becomes_a_frame_accurate_clip(
    people: dict[str, Api], lesson: dict[str, Any], lesson_file: Path
) -> None:
    coach, video_id = people["coach"], lesson["id"]
    comments = f"/videos/{video_id}/comments"
    # 7.3 s is mid-GOP (keyframes every 10 s): snapping back would start at 0.
    ranged = coach.ok(
        "POST",
        comments,
        201,
        json={
            "at_s": 7.3,
            "end_s": 19.3,
            "body": "Think-pair-share: every student talks",
            "tags": ["student-centered"],
        },
    )
    inside = coach.ok(
        "POST", comments, 201, json={"at_s": 9.0, "body": "Wait time", "tags": ["collaborative"]}
    )
    coach.ok("POST", comments, 201, json={"at_s": 30.0, "body": "Outside the clip"})
    people["teacher"].ok(
        "POST", comments, 201, json={"parent_id": inside["id"], "body": "Thanks, noted"}
    )

    clip = coach.ok(
        "POST", f"/videos/{video_id}/clips", 201, json={"from_comment_id": ranged["id"]}
    )
    assert clip["status"] == "processing"
    assert (clip["start_s"], clip["end_s"]) == (7.3, 19.3)
    assert clip["tags"] == ["student-centered"]
    assert clip["title"] == "Think-pair-share: every student talks"
    assert "2:00-5:00" in clip["warning"]

    ready = coach.wait_for_clip(clip["id"])
    assert ready["status"] == "ready", ready
    assert abs(ready["duration_s"] - 12.0) <= 1 / FPS + 1e-6
    assert ready["poster_url"] and ready["storyboard_vtt_url"]

    with tempfile.TemporaryDirectory() as scratch:
        output = _download(ready["renditions"][0]["url"], Path(scratch) / "clip.mp4")
        assert abs(video_track_duration(output) - 12.0) <= 1 / FPS + 1e-6
        first = frame_at(output, 0)
        # The clip's first frame is the source's frame at 7.3 s, not the keyframe before it.
        exact = difference(first, frame_at(lesson_file, 7.3))
        assert exact < difference(first, frame_at(lesson_file, 0.0)) / 3
        assert exact < difference(first, frame_at(lesson_file, 7.3 - 5 / FPS))

        # The clip streams through the same HLS path as lessons: every frame, once.
        assert ready["hls"] is True
        view = coach.ok("POST", f"/clips/{clip['id']}/playback")
        copy = mirror(coach, str(view["hls_url"]), Path(scratch) / "hls")
        assert set(copy.variants) == {r["label"] for r in ready["renditions"]}
        for playlist in copy.variants.values():
            frames, _ = frames_and_duration(playlist)
            assert frames == round(12.0 * FPS), frames

    threads = coach.ok("GET", f"/clips/{clip['id']}/comments")["threads"]
    assert [(t["at_s"], t["end_s"], t["body"]) for t in threads] == [
        (0.0, 12.0, "Think-pair-share: every student talks"),
        (1.7, None, "Wait time"),
    ]
    assert threads[1]["author_id"] == "coach-c"
    assert [r["author_id"] for r in threads[1]["replies"]] == ["teacher-c"]

    listed = people["teacher"].ok("GET", f"/videos/{video_id}/clips")["items"]
    assert [c["id"] for c in listed] == [clip["id"]]


def test_clip_rules_are_enforced_with_clear_errors(
    people: dict[str, Api], lesson: dict[str, Any]
) -> None:
    teacher, video_id = people["teacher"], lesson["id"]
    clips = f"/videos/{video_id}/clips"

    def refused(api: Api, status: int, body: dict[str, Any]) -> dict[str, Any]:
        response = api.call("POST", clips, json=body)
        assert response.status_code == status, response.text
        payload: dict[str, Any] = response.json()
        return payload

    too_short = refused(teacher, 400, {"start_s": 1, "end_s": 4, "title": "Blink"})
    assert too_short["field"] == "end_s" and "at least 5 seconds" in too_short["message"]
    past_end = refused(teacher, 400, {"start_s": 10, "end_s": 90, "title": "Too far"})
    assert "past the end" in past_end["message"]
    reversed_span = refused(teacher, 400, {"start_s": 20, "end_s": 10, "title": "Backwards"})
    assert "end_s must be after start_s" in reversed_span["message"]
    no_title = refused(teacher, 400, {"start_s": 1, "end_s": 9})
    assert "title" in no_title["message"]
    unknown_tag = refused(teacher, 400, {"start_s": 1, "end_s": 9, "title": "x", "tags": ["nope"]})
    assert unknown_tag["field"] == "tags"

    point = teacher.ok(
        "POST", f"/videos/{video_id}/comments", 201, json={"at_s": 3, "body": "A moment"}
    )
    single = refused(teacher, 400, {"from_comment_id": point["id"]})
    assert single["field"] == "from_comment_id"

    # Who may cut: the owner and coaches the video is shared with.
    refused(people["other_coach"], 404, {"start_s": 1, "end_s": 9, "title": "Not mine"})
    refused(people["reviewer"], 404, {"start_s": 1, "end_s": 9, "title": "Not mine"})


def test_a_clip_of_an_unready_video_is_refused(people: dict[str, Api]) -> None:
    teacher = people["teacher"]
    created = teacher.ok(
        "POST",
        "/videos",
        201,
        json={"title": "t", "filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 10},
    )
    response = teacher.call(
        "POST",
        f"/videos/{created['video']['id']}/clips",
        json={"start_s": 0, "end_s": 6, "title": "early"},
    )
    assert response.status_code == 409
    assert "not ready" in response.json()["message"]
