"""The inbox, from the domain events: who hears about what, once, and what they choose."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.events.models import DomainEvent
from chalicelib.events.relay import Steps
from chalicelib.notifications.fanout import SUBSCRIBER
from tests.support.api import Api
from tests.support.workflow import Workflow

pytestmark = pytest.mark.integration


class Checkpoints:
    """A relay's step store that forgets everything: as if each run were the first."""

    def mark(self, key: object, step: str) -> bool:
        return True


def inbox(api: Api, **params: str) -> dict[str, Any]:
    page: dict[str, Any] = api.ok("GET", "/me/notifications", params=params)
    return page


def test_comments_and_replies_reach_the_people_concerned_once_at_their_moment(
    workflow: Workflow,
) -> None:
    video = workflow.video.video_id
    comment = workflow.coach.ok(
        "POST", f"/videos/{video}/comments", 201, json={"at_s": 12.5, "body": "Wait time"}
    )
    [notice] = inbox(workflow.teacher)["items"]
    assert notice["kind"] == "comment"
    assert notice["web_path"] == f"#/videos/{video}?t=12.5&comment={comment['id']}"
    assert "Wait time" not in notice["headline"]
    assert workflow.teacher.ok("GET", "/me/notifications/unread") == {"unread": 1, "more": False}
    assert inbox(workflow.coach)["items"] == []

    # The same event relayed again (a relay that died before its checkpoint) adds nothing.
    again = DomainEvent(
        "comment.created",
        workflow.district,
        {"video_id": video, "comment": comment},
        event_id="evt_relayed_twice",
    )
    for _ in range(2):
        SUBSCRIBER.deliver(again, Steps(Checkpoints(), ("pk", "sk"), ()))  # type: ignore[arg-type]
    assert len(inbox(workflow.teacher)["items"]) == 2

    workflow.teacher.ok(
        "POST",
        f"/videos/{video}/comments",
        201,
        json={"body": "Thanks, I will try it", "parent_id": comment["id"]},
    )
    [reply] = inbox(workflow.coach)["items"]
    assert reply["kind"] == "reply"
    assert reply["web_path"] == f"#/videos/{video}?t=12.5&comment={comment['id']}"
    assert len(inbox(workflow.teacher)["items"]) == 2

    read = workflow.teacher.ok("POST", f"/me/notifications/{notice['id']}/read")
    assert read["read_at"] is not None
    assert workflow.teacher.ok("POST", f"/me/notifications/{notice['id']}/read") == read
    assert [n["id"] for n in inbox(workflow.teacher, unread="true")["items"]] != [notice["id"]]
    assert workflow.teacher.ok("POST", "/me/notifications/read-all")["unread"] == 0
    missing = workflow.teacher.call("POST", "/me/notifications/n0000000000000abcdefabcdef/read")
    assert missing.status_code == 404


def test_preferences_turn_kinds_off_and_refuse_unknown_ones(workflow: Workflow) -> None:
    prefs = workflow.teacher.ok("GET", "/me/notification-preferences")
    assert prefs["email"] == "immediately"
    assert {k["kind"]: k["enabled"] for k in prefs["kinds"]}["comment"] is True

    bad = workflow.teacher.call(
        "PUT", "/me/notification-preferences", json={"kinds": {"gossip": True}, "email": "off"}
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "kinds"
    assert "gossip" in bad.json()["message"]
    bad_mode = workflow.teacher.call(
        "PUT", "/me/notification-preferences", json={"email": "hourly"}
    )
    assert (bad_mode.status_code, bad_mode.json()["field"]) == (400, "email")

    saved = workflow.teacher.ok(
        "PUT", "/me/notification-preferences", json={"kinds": {"comment": False}, "email": "off"}
    )
    assert {k["kind"]: k["enabled"] for k in saved["kinds"]}["comment"] is False
    workflow.coach.ok(
        "POST", f"/videos/{workflow.video.video_id}/comments", 201, json={"at_s": 1, "body": "x"}
    )
    assert inbox(workflow.teacher)["items"] == []


def test_sharing_tells_the_person_named_and_deleting_the_video_empties_their_inbox(
    workflow: Workflow,
) -> None:
    video = workflow.video.video_id
    workflow.teacher.ok(
        "PATCH",
        f"/videos/{video}",
        json={"sharing": {"users": ["admin-r"], "school_coaches": True}},
    )
    [shared] = inbox(workflow.admin)["items"]
    assert shared["kind"] == "shared"
    assert shared["web_path"] == f"#/videos/{video}"
    assert workflow.teacher.call("DELETE", f"/videos/{video}").status_code == 204
    assert inbox(workflow.admin)["items"] == []
