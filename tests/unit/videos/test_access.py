"""Who sees a video, who coaches it, who deletes it: the rules every route relies on."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.auth.principal import Principal, Role
from chalicelib.errors import Conflict, Forbidden
from chalicelib.videos.access import can_view, check_deletable, is_coach_of, require_uploader
from tests.support.principals import person, video


@pytest.mark.parametrize(
    ("who", "fields", "sees"),
    [
        (person("teacher"), {}, True),
        (person("other-teacher"), {}, False),
        (person("admin", Role.ADMIN, school=None), {}, True),
        (person("admin-b", Role.ADMIN, district="district-b", school=None), {}, False),
        (person("coach", Role.COACH), {}, False),
        (person("coach", Role.COACH), {"share_with_school_coaches": True}, True),
        (
            person("coach-2", Role.COACH, school="school-2"),
            {"share_with_school_coaches": True},
            False,
        ),
        (person("coach", Role.COACH, school=None), {"share_with_school_coaches": True}, False),
        (person("teacher-2"), {"share_with_school_coaches": True}, False),
        (person("friend"), {"shared_with": {"friend"}}, True),
        (
            person("friend", district="district-b"),
            {"shared_with": {"friend"}},
            False,
        ),
    ],
)
def test_who_sees_a_video(who: object, fields: dict[str, object], sees: bool) -> None:
    assert can_view(who, video(**fields)) is sees  # type: ignore[arg-type]


def _in(who: Principal, *groups: str) -> Principal:
    return replace(who, groups=frozenset(groups))


@pytest.mark.parametrize(
    ("who", "fields", "sees"),
    [
        # A group share reaches whoever is in the group (or owns it) now.
        (_in(person("member", school="school-2"), "plc"), {"shared_groups": {"plc"}}, True),
        (_in(person("left", school="school-2")), {"shared_groups": {"plc"}}, False),
        (_in(person("other", school="school-2"), "team"), {"shared_groups": {"plc"}}, False),
        (
            _in(person("member", district="district-b"), "plc"),
            {"shared_groups": {"plc"}},
            False,
        ),
        # A coach sees their caseload's videos shared with coaches, whatever the school.
        (
            replace(
                person("coach", Role.COACH, school="school-9"), caseload=frozenset({"teacher"})
            ),
            {"share_with_school_coaches": True},
            True,
        ),
        (
            replace(
                person("coach", Role.COACH, school="school-9"), caseload=frozenset({"teacher"})
            ),
            {},
            False,
        ),
        (
            replace(person("coach", Role.COACH, school="school-9"), caseload=frozenset({"x"})),
            {"share_with_school_coaches": True},
            False,
        ),
        # A coach of several schools: any of them.
        (
            replace(
                person("coach", Role.COACH, school="school-8"), schools=frozenset({"school-1"})
            ),
            {"share_with_school_coaches": True},
            True,
        ),
    ],
)
def test_group_shares_caseloads_and_schools(
    who: Principal, fields: dict[str, Any], sees: bool
) -> None:
    assert can_view(who, video(**fields)) is sees


def test_a_coach_of_a_video_is_a_coach_who_sees_it() -> None:
    shared = video(share_with_school_coaches=True)
    assert is_coach_of(person("coach", Role.COACH), shared)
    assert not is_coach_of(person("coach", Role.COACH), video())
    assert not is_coach_of(person("friend"), video(shared_with={"friend"}))


def test_the_owner_or_an_admin_deletes_and_nobody_under_a_legal_hold() -> None:
    check_deletable(person("teacher"), video())
    check_deletable(person("admin", Role.ADMIN), video())
    with pytest.raises(Forbidden):
        check_deletable(person("coach", Role.COACH), video(share_with_school_coaches=True))
    for who in (person("teacher"), person("admin", Role.ADMIN)):
        with pytest.raises(Conflict) as held:
            check_deletable(who, video(legal_hold=True))
        assert held.value.field == "legal_hold"


def test_reviewers_do_not_upload() -> None:
    for role in (Role.TEACHER, Role.COACH, Role.ADMIN):
        require_uploader(person("x", role))
    with pytest.raises(Forbidden):
        require_uploader(person("x", Role.REVIEWER))
