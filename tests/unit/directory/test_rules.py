"""The directory's pure rules: names and emails as the picker compares them, who manages
what, nesting without loops, and how changes are cut into transactions."""

from __future__ import annotations

import pytest

from chalicelib.auth.principal import Role
from chalicelib.directory.models import PersonRecord
from chalicelib.directory.rules import (
    MAX_NESTING,
    admins_after,
    closure,
    is_valid_id,
    may_create_group,
    may_manage_group,
    nesting_problem,
    normalize_email,
    search_key,
)
from chalicelib.directory.writes import MAX_ITEMS_PER_TRANSACTION, PersonChange, batches
from tests.support.principals import person


def test_search_keys_ignore_case_accents_and_spacing() -> None:
    assert search_key("  Zoë ", "Núñez") == "zoe nunez"
    assert search_key("ÅSA", None, "") == "asa"
    assert search_key(None) == ""


@pytest.mark.parametrize(
    ("raw", "email"),
    [
        (" Ana.Ortiz@North.Example ", "ana.ortiz@north.example"),
        ("a@b.co", "a@b.co"),
        ("no-at-sign", None),
        ("two@@at.org", None),
        ("space in@x.org", None),
        ("nodot@localhost", None),
        ("x@" + "a" * 250 + ".org", None),
    ],
)
def test_emails_are_normalised_or_refused(raw: str, email: str | None) -> None:
    assert normalize_email(raw) == email


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("teacher-ana", True),
        ("6a1f:2b@x.org", True),
        ("-lead", False),
        ("a#b", False),
        ("a b", False),
        ("", False),
    ],
)
def test_ids_that_can_live_in_keys(value: str, ok: bool) -> None:
    assert is_valid_id(value) is ok


def test_who_makes_and_manages_groups() -> None:
    teacher, coach, admin, reviewer = (
        person("t", Role.TEACHER),
        person("c", Role.COACH),
        person("a", Role.ADMIN),
        person("r", Role.REVIEWER),
    )
    assert may_create_group(teacher, caseload=False) and may_create_group(coach, caseload=False)
    assert not may_create_group(reviewer, caseload=False)
    assert not may_create_group(coach, caseload=True) and may_create_group(admin, caseload=True)
    assert may_manage_group(teacher, owners=["t"], caseload=False)
    assert not may_manage_group(teacher, owners=["x"], caseload=False)
    # A caseload grants sight of teachers' videos: its coach cannot add to it.
    assert not may_manage_group(coach, owners=["c"], caseload=True)
    assert may_manage_group(admin, owners=[], caseload=True)


def test_the_admin_count_moves_only_with_active_admins() -> None:
    assert admins_after(True, False) == -1
    assert admins_after(False, True) == 1
    assert admins_after(True, True) == admins_after(False, False) == 0


def test_nesting_refuses_loops_and_depth() -> None:
    parents = {"plc": ["grade3"], "grade3": ["school"], "school": []}
    up = lambda group: parents.get(group, [])  # noqa: E731
    assert nesting_problem("plc", "team", up) is None
    assert nesting_problem("plc", "plc", up) == "A group cannot contain itself"
    # school contains grade3 contains plc: plc containing school would be a loop.
    assert "circular" in (nesting_problem("plc", "school", up) or "")
    chain = {f"g{i}": [f"g{i + 1}"] for i in range(MAX_NESTING + 2)}
    assert "deep" in (nesting_problem("g0", "new", lambda g: chain.get(g, [])) or "")


def test_closure_follows_groups_up_to_the_nesting_limit() -> None:
    parents = {"plc": ["grade3"], "grade3": ["school"], "loop-a": ["loop-b"], "loop-b": ["loop-a"]}
    assert closure({"plc"}, lambda g: parents.get(g, [])) == {"plc", "grade3", "school"}
    assert closure({"loop-a"}, lambda g: parents.get(g, [])) == {"loop-a", "loop-b"}
    assert closure(set(), lambda g: ["x"]) == set()


def _record(
    person_id: str, email: str | None = None, roles: set[str] | None = None
) -> PersonRecord:
    return PersonRecord(
        *PersonRecord.key("d", person_id),
        person_id=person_id,
        district="d",
        email=email,
        roles=roles or {"teacher"},
        active=True,
    )


def test_changes_are_cut_into_transactions_that_fit() -> None:
    new = [PersonChange(None, _record(f"p{i}", email=f"p{i}@x.org")) for i in range(120)]
    groups = batches(new)
    assert sum(len(g) for g in groups) == 120
    assert all(2 + sum(c.item_count for c in g) <= MAX_ITEMS_PER_TRANSACTION for g in groups)
    # A new person with an email is two items; changing the email, three.
    moved = PersonChange(_record("a", email="old@x.org"), _record("a", email="new@x.org"))
    assert (new[0].item_count, moved.item_count) == (2, 3)


def test_admin_changes_count_only_active_admins() -> None:
    admin = _record("a", roles={"admin"})
    off = _record("a", roles={"admin"})
    off.active = False
    assert PersonChange(admin, off).admin_delta == -1
    assert PersonChange(None, admin).admin_delta == 1
    assert PersonChange(None, _record("t")).admin_delta == 0
