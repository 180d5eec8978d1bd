"""Comments: where they may sit on the timeline, and who edits, resolves or deletes them."""

from __future__ import annotations

import pytest

from chalicelib.auth.principal import Role
from chalicelib.errors import Conflict, Forbidden, InvalidInput
from chalicelib.feedback.models import CommentRecord
from chalicelib.feedback.rules import (
    DURATION_SLACK_S,
    check_times,
    require_author,
    require_deleter,
    require_resolver,
    tag_changes,
)
from tests.support.principals import person, video


def _comment(author: str) -> CommentRecord:
    return CommentRecord("VIDEO#v1", "C#1", comment_id="c1", author_id=author)


def test_a_comment_sits_within_the_video_with_a_frame_of_slack() -> None:
    check_times(120.0, 0.0, None)
    check_times(120.0, 10.0, 120.0 + DURATION_SLACK_S)
    with pytest.raises(InvalidInput) as late:
        check_times(120.0, 121.0, None)
    assert late.value.field == "at_s"
    with pytest.raises(InvalidInput) as long:
        check_times(120.0, 10.0, 130.0)
    assert long.value.field == "end_s"


def test_no_comment_before_the_duration_is_known() -> None:
    with pytest.raises(Conflict, match="not ready"):
        check_times(None, 1.0, None)


def test_only_the_author_edits() -> None:
    require_author(person("coach", Role.COACH), _comment("coach"))
    with pytest.raises(Forbidden):
        require_author(person("admin", Role.ADMIN), _comment("coach"))


def test_the_owner_or_a_coach_of_the_video_resolves() -> None:
    shared = video(share_with_school_coaches=True)
    require_resolver(person("teacher"), shared)
    require_resolver(person("coach", Role.COACH), shared)
    with pytest.raises(Forbidden):
        require_resolver(person("friend"), video(shared_with={"friend"}))


def test_the_author_or_an_admin_deletes() -> None:
    require_deleter(person("coach", Role.COACH), _comment("coach"))
    require_deleter(person("admin", Role.ADMIN), _comment("coach"))
    with pytest.raises(Forbidden):
        require_deleter(person("teacher"), _comment("coach"))


def test_an_edit_moves_the_framework_usage_counts() -> None:
    assert tag_changes(["a", "b"], ["b", "c"]) == ({"c"}, {"a"})
    assert tag_changes(["a"], ["a"]) == (set(), set())
