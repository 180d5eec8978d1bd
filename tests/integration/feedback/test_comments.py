"""Comments: point and range feedback, replies, threads, edits, resolve, delete."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.auth.principal import Role
from chalicelib.videos.models import VideoRecord, VideoStatus
from tests.support.api import Api
from tests.support.reliability_report import Report
from tests.support.seed import ready_video

pytestmark = pytest.mark.integration

ApiAs = Callable[..., Api]


@pytest.fixture
def world(api_as: ApiAs, request: pytest.FixtureRequest) -> dict[str, Any]:
    """A ready 2-minute video of a teacher, shared with their school's coaches."""
    suffix = str(abs(hash(request.node.name)))[:8]
    owner, coach = f"teacher-{suffix}", f"coach-{suffix}"
    video = ready_video(owner, school_coaches=True, shared_with=(f"peer-{suffix}",))
    return {
        "video": video.video_id,
        "owner": api_as(owner),
        "coach": api_as(coach, Role.COACH),
        "peer": api_as(f"peer-{suffix}"),
        "admin": api_as(f"admin-{suffix}", Role.ADMIN, school=None),
        "stranger": api_as(f"stranger-{suffix}", school="school-2"),
        "outsider": api_as(f"outsider-{suffix}", Role.ADMIN, district="district-b"),
    }


def _comment(api: Api, video: str, status: int = 201, **body: Any) -> Any:
    payload = {"at_s": 10, "body": "Nice wait time", **body}
    return api.ok("POST", f"/videos/{video}/comments", status, json=payload)


def test_point_range_and_reply_come_back_as_threads_in_time_order(world: dict[str, Any]) -> None:
    video, coach, owner = world["video"], world["coach"], world["owner"]
    late = _comment(coach, video, at_s=95.5, body="Exit ticket", tags=["data-informed"])
    band = _comment(
        coach,
        video,
        at_s=30,
        end_s=75,
        body="Turn and talk",
        tags=["collaborative", "student-centered"],
    )
    early = _comment(owner, video, at_s=3, body="I was nervous here")  # self-reflection
    reply = _comment(owner, video, at_s=0, body="Thanks!", parent_id=band["id"])
    assert reply["at_s"] == 30 and reply["end_s"] == 75  # inherited
    assert band["author_role"] == "coach" and early["author_role"] == "teacher"

    page = coach.ok("GET", f"/videos/{video}/comments")
    assert [t["id"] for t in page["threads"]] == [early["id"], band["id"], late["id"]]
    assert [r["id"] for r in page["threads"][1]["replies"]] == [reply["id"]]
    assert page["threads"][1]["tags"] == ["collaborative", "student-centered"]
    assert page["next_cursor"] is None


def test_pages_never_split_a_thread(world: dict[str, Any]) -> None:
    video, coach = world["video"], world["coach"]
    first = _comment(coach, video, at_s=1)
    replies = [_comment(coach, video, parent_id=first["id"], body=f"r{i}") for i in range(4)]
    second = _comment(coach, video, at_s=2)
    page = coach.ok("GET", f"/videos/{video}/comments", params={"limit": 2})
    assert [t["id"] for t in page["threads"]] == [first["id"]]
    assert [r["id"] for r in page["threads"][0]["replies"]] == [r["id"] for r in replies]
    rest = coach.ok(
        "GET", f"/videos/{video}/comments", params={"limit": 2, "cursor": page["next_cursor"]}
    )
    assert [t["id"] for t in rest["threads"]] == [second["id"]]


@pytest.mark.parametrize(
    ("body", "field", "phrase"),
    [
        ({"at_s": 121}, "at_s", "past the end"),
        ({"at_s": 10, "end_s": 200}, "end_s", "past the end"),
        ({"at_s": 10, "end_s": 10}, "body", "end_s must be after at_s"),
        ({"at_s": -1}, "at_s", "greater than or equal to 0"),
        ({"body": ""}, "body", "at least 1 character"),
        ({"body": "x" * 5001}, "body", "at most 5000"),
        ({"tags": ["punctual"]}, "tags", "Not an active element"),
        ({"tags": ["data-informed"] * 11}, "tags", "at most 10"),
        ({"parent_id": "nope"}, None, "Comment not found"),
    ],
)
def test_bad_comments_are_refused_naming_the_field(
    world: dict[str, Any], body: dict[str, Any], field: str | None, phrase: str
) -> None:
    response = world["coach"].call(
        "POST", f"/videos/{world['video']}/comments", json={"at_s": 10, "body": "ok", **body}
    )
    assert response.status_code in (400, 404)
    error = response.json()
    assert phrase in error["message"]
    if field:
        assert error["field"] == field


def test_one_level_of_replies(world: dict[str, Any]) -> None:
    top = _comment(world["coach"], world["video"])
    reply = _comment(world["owner"], world["video"], parent_id=top["id"])
    nested = world["coach"].call(
        "POST",
        f"/videos/{world['video']}/comments",
        json={"at_s": 1, "body": "x", "parent_id": reply["id"]},
    )
    assert nested.status_code == 400 and nested.json()["field"] == "parent_id"


def test_a_video_still_processing_takes_no_comments(api_as: ApiAs) -> None:
    video = ready_video("teacher-busy")
    video.update(
        actions=[
            VideoRecord.status.set(VideoStatus.PROCESSING.value),
            VideoRecord.duration_s.remove(),
        ]
    )
    response = api_as("teacher-busy").call(
        "POST", f"/videos/{video.video_id}/comments", json={"at_s": 1, "body": "x"}
    )
    assert response.status_code == 409


def test_edit_is_the_authors_keeps_history_and_detects_stale_versions(
    world: dict[str, Any],
) -> None:
    video, coach = world["video"], world["coach"]
    comment = _comment(coach, video, tags=["collaborative"])
    path = f"/videos/{video}/comments/{comment['id']}"
    assert (
        world["owner"].call("PATCH", path, json={"body": "mine", "version": 1}).status_code == 403
    )
    edited = coach.ok(
        "PATCH",
        path,
        json={"body": "Great wait time (8 s)", "tags": [], "version": comment["version"]},
    )
    assert edited["body"] == "Great wait time (8 s)" and edited["tags"] == []
    assert edited["version"] == comment["version"] + 1
    assert [e["body"] for e in edited["edits"]] == ["Nice wait time"]
    assert edited["edits"][0]["tags"] == ["collaborative"]

    stale = coach.call("PATCH", path, json={"body": "late", "version": comment["version"]})
    assert stale.status_code == 409
    assert stale.json()["current"]["body"] == "Great wait time (8 s)"
    assert stale.json()["current"]["version"] == edited["version"]


def _at_once(count: int, action: Callable[[int], int]) -> list[int]:
    """Run ``action(n)`` for n in range(count) on as many threads, released together."""
    results: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait()
        result = action(n)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_concurrent_edits_of_one_version_exactly_one_wins(world: dict[str, Any]) -> None:
    video, coach = world["video"], world["coach"]
    comment = _comment(coach, video)
    path = f"/videos/{video}/comments/{comment['id']}"

    def edit(n: int) -> int:
        response = coach.call(
            "PATCH", path, json={"body": f"edit {n}", "version": comment["version"]}
        )
        return int(response.status_code)

    assert sorted(_at_once(20, edit)) == [200] + [409] * 19
    final = coach.ok("GET", f"/videos/{video}/comments")["threads"][0]
    assert final["version"] == comment["version"] + 1
    assert len(final["edits"]) == 1  # the winner's edit recorded; no silent overwrite


def test_fifty_concurrent_comment_writes_lose_nothing(
    world: dict[str, Any], reliability_report: Report
) -> None:
    """Four authors at once, many at the very same moment of the video, replies included."""
    video = world["video"]
    authors = [world["coach"], world["owner"], world["peer"], world["admin"]]
    anchor = _comment(world["coach"], video, at_s=42, body="anchor")

    def write(n: int) -> int:
        body: dict[str, Any] = {"at_s": 42 if n % 2 else n, "body": f"concurrent {n}"}
        if n % 5 == 0:
            body["parent_id"] = anchor["id"]
        response = authors[n % len(authors)].call("POST", f"/videos/{video}/comments", json=body)
        return int(response.status_code)

    statuses = _at_once(50, write)

    bodies: list[str] = []
    cursor: str | None = None
    while True:
        page = world["coach"].ok(
            "GET", f"/videos/{video}/comments", params={"cursor": cursor} if cursor else None
        )
        for thread in page["threads"]:
            bodies += [thread["body"], *(reply["body"] for reply in thread["replies"])]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    written = sorted(b for b in bodies if b.startswith("concurrent "))
    reliability_report.add(
        "50 concurrent comment writes",
        trials=50,
        lost=len(set(range(50)) - {int(b.split()[1]) for b in written}),
        duplicates=len(written) - len(set(written)),
        errors_5xx=sum(1 for status in statuses if status >= 500),
    )
    assert written == sorted(f"concurrent {n}" for n in range(50)), "a write was lost or doubled"
    assert statuses == [201] * 50
    assert bodies.count("anchor") == 1


def test_resolve_and_reopen_by_owner_or_coach_only(world: dict[str, Any]) -> None:
    video = world["video"]
    comment = _comment(world["coach"], video)
    path = f"/videos/{video}/comments/{comment['id']}"
    resolved = world["owner"].ok("POST", path + "/resolve")
    assert resolved["resolved"] is True and resolved["resolved_by"]
    assert world["coach"].ok("POST", path + "/reopen")["resolved"] is False
    # A peer the video is shared with can read and comment but not resolve.
    assert world["peer"].call("POST", path + "/resolve").status_code == 403
    _comment(world["peer"], video, body="Saw this too")


def test_delete_by_author_or_admin_and_replies_go_with_it(world: dict[str, Any]) -> None:
    video = world["video"]
    top = _comment(world["coach"], video)
    _comment(world["owner"], video, parent_id=top["id"])
    path = f"/videos/{video}/comments/{top['id']}"
    assert world["owner"].call("DELETE", path).status_code == 403
    assert world["coach"].call("DELETE", path).status_code == 204
    assert world["coach"].ok("GET", f"/videos/{video}/comments")["threads"] == []
    other = _comment(world["coach"], video)
    assert (
        world["admin"].call("DELETE", f"/videos/{video}/comments/{other['id']}").status_code == 204
    )


def test_strangers_and_other_districts_see_nothing(world: dict[str, Any]) -> None:
    video = world["video"]
    comment = _comment(world["coach"], video)
    for api in (world["stranger"], world["outsider"]):
        assert api.call("GET", f"/videos/{video}/comments").status_code == 404
        assert (
            api.call("POST", f"/videos/{video}/comments", json={"at_s": 1, "body": "x"}).status_code
            == 404
        )
        assert api.call("DELETE", f"/videos/{video}/comments/{comment['id']}").status_code == 404
