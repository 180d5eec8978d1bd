"""Who hears about what, as pure functions: recipients, headlines, links, preferences."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.events.models import DomainEvent
from chalicelib.notifications import rules
from chalicelib.notifications.models import (
    EmailMode,
    EmailStatus,
    Kind,
    is_notification_id,
    notification_id_for,
)
from chalicelib.notifications.rules import Facts, Participant, VideoFacts

VIDEO = VideoFacts(
    video_id="v_1",
    title="Fractions, period 3",
    owner_id="teacher-ana",
    shared_with=frozenset({"coach-ben", "admin-dee"}),
)


def comment(author: str, *, parent: str | None = None, at_s: float = 75.5) -> dict[str, object]:
    return {
        "id": "000075500abcdef01",
        "author_id": author,
        "author_name": author.title(),
        "author_role": "coach",
        "at_s": at_s,
        "parent_id": parent,
        "body": "Maria answered first",
    }


def notices(event_type: str, data: dict[str, Any], facts: Facts) -> list[rules.Notice]:
    event = DomainEvent(event_type, "d", data)
    return rules.notices_for(event, facts, rules.actor_of(event))


def test_a_coachs_comment_tells_the_teacher_where_in_the_video_and_not_what_it_says() -> None:
    [notice] = notices(
        "comment.created", {"video_id": "v_1", "comment": comment("coach-ben")}, Facts(VIDEO)
    )
    assert notice.recipient_id == "teacher-ana"
    assert notice.kind is Kind.COMMENT
    assert notice.headline == "Coach-Ben commented at 1:15 on “Fractions, period 3”"
    assert "Maria" not in notice.headline
    assert notice.web_path == "#/videos/v_1?t=75.5&comment=000075500abcdef01"
    assert notice.at_s == 75.5


def test_the_teacher_commenting_on_their_own_video_tells_nobody() -> None:
    data = {"video_id": "v_1", "comment": comment("teacher-ana")}
    assert notices("comment.created", data, Facts(VIDEO)) == []


def test_a_reply_tells_the_teacher_and_the_thread_but_not_the_replier_nor_the_unshared() -> None:
    thread = (
        Participant("coach-ben", "coach"),
        Participant("teacher-raj", "teacher"),  # no longer shared with
        Participant("coach-ben", "coach"),
    )
    data = {"video_id": "v_1", "comment": comment("admin-dee", parent="000075500abcdef01")}
    found = notices("comment.replied", data, Facts(VIDEO, thread=thread))
    assert [(n.recipient_id, n.kind) for n in found] == [
        ("teacher-ana", Kind.REPLY),
        ("coach-ben", Kind.REPLY),
    ]
    assert found[0].web_path == "#/videos/v_1?t=75.5&comment=000075500abcdef01"
    # A reply is also a comment.created: that one tells nobody (the reply event does).
    assert notices("comment.created", data, Facts(VIDEO)) == []


def test_a_share_tells_the_people_newly_named_who_still_have_it() -> None:
    data = {"video_id": "v_1", "shared_with": ["coach-ben", "gone"], "by": "teacher-ana"}
    [notice] = notices("video.shared", {**data, "by_name": "Ana"}, Facts(VIDEO))
    assert (notice.recipient_id, notice.headline) == (
        "coach-ben",
        "Ana shared “Fractions, period 3” with you",
    )


def test_review_decisions_reach_the_nominator_and_the_teacher_with_the_reason() -> None:
    facts = Facts(VIDEO, nominated_by="coach-ben", title="Wait time")
    data = {"clip_id": "c_1", "video_id": "v_1", "reason": "Two teacher actions at once"}
    found = notices("review.rejected", data, facts)
    assert [n.recipient_id for n in found] == ["coach-ben", "teacher-ana"]
    assert all(n.detail == "Two teacher actions at once" for n in found)
    assert found[0].web_path == "#/clips/c_1"
    claimed = notices("review.claimed", {**data, "claimed_by": "reviewer-cy"}, facts)
    assert [(n.recipient_id, n.kind, n.detail) for n in claimed] == [
        ("coach-ben", Kind.CLAIMED, None)
    ]


def test_evaluations_go_to_the_teacher_on_release_and_to_the_evaluator_on_acknowledgement() -> None:
    released = notices(
        "evaluation.released",
        {"evaluation_id": "ev_1", "video_id": "v_1", "evaluator_id": "admin-dee"},
        Facts(VIDEO),
    )
    assert [(n.recipient_id, n.web_path) for n in released] == [
        ("teacher-ana", "#/videos/v_1?evaluation=ev_1")
    ]
    acknowledged = notices(
        "evaluation.acknowledged",
        {"evaluation_id": "ev_1", "video_id": "v_1", "by": "teacher-ana", "responded": True},
        Facts(VIDEO, evaluator_id="admin-dee"),
    )
    assert [(n.recipient_id, n.kind) for n in acknowledged] == [
        ("admin-dee", Kind.EVALUATION_ACKNOWLEDGED)
    ]
    assert "acknowledged and responded" in acknowledged[0].headline


def test_a_cycle_event_tells_the_other_person() -> None:
    data = {"cycle_id": "cy_1", "goal": "More wait time", "by": "coach-ben", "by_name": "Ben"}
    found = notices("cycle.opened", data, Facts(cycle_people=("teacher-ana", "coach-ben")))
    assert [(n.recipient_id, n.headline, n.web_path) for n in found] == [
        ("teacher-ana", "Ben opened a coaching cycle with you: “More wait time”", "#/cycles/cy_1")
    ]


def test_events_nobody_is_told_about_and_missing_videos_make_no_notices() -> None:
    assert notices("video.ready", {"video_id": "v_1"}, Facts(VIDEO)) == []
    data = {"video_id": "v_1", "comment": comment("coach-ben")}
    assert notices("comment.created", data, Facts()) == []


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (EmailMode.IMMEDIATELY, EmailStatus.PENDING),
        (EmailMode.DAILY, EmailStatus.DIGEST),
        (EmailMode.OFF, EmailStatus.NONE),
    ],
)
def test_preferences_decide_the_email(mode: EmailMode, expected: EmailStatus) -> None:
    assert rules.delivery_for(Kind.COMMENT, [], mode) == rules.Delivery(True, expected)
    assert rules.delivery_for(Kind.COMMENT, ["comment"], mode) == rules.Delivery(False)


def test_one_event_and_recipient_make_one_id_in_time_order() -> None:
    at = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    first = notification_id_for("evt_1", "teacher-ana", at)
    assert first == notification_id_for("evt_1", "teacher-ana", at)
    assert first != notification_id_for("evt_1", "coach-ben", at)
    assert is_notification_id(first)
    later = notification_id_for("evt_0", "teacher-ana", at.replace(second=8))
    assert sorted([later, first]) == [first, later]
    assert not is_notification_id("n123") and not is_notification_id("x" * 26)


def test_digest_keys_group_by_person() -> None:
    groups = rules.group_digests(["d#ana#n1", "d#ben#n2", "d#ana#n3"])
    assert [(g.user_id, g.notification_ids) for g in groups] == [
        ("ana", ["n1", "n3"]),
        ("ben", ["n2"]),
    ]
