"""From a verified identity to the person the directory knows: roles, schools, groups.

The API's middleware calls ``resolve`` once per request (app.py installs it), so every
authorization decision of the request reads the same, current memberships, and a change
in the directory applies on the person's next request: a new role, a removed group
member, a deactivated account. A token is believed about who and which district, never
about roles or schools.

Cost per request: one consistent Query of the person's partition (the profile and the
groups they are in or own); one more per group that sits inside another group, and per
caseload they own.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TableError
from pynamodb.expressions.condition import Condition

from chalicelib.auth.principal import Identity, PeopleMatch, Principal, Role
from chalicelib.db.base import TableModel, table_connection
from chalicelib.directory.errors import NotInDirectory, PersonInactive
from chalicelib.directory.models import (
    IN_PREFIX,
    MEMBER_PREFIX,
    OWNER_PREFIX,
    PROFILE,
    EmailClaim,
    GroupEntry,
    GroupKind,
    MemberKind,
    Membership,
    PersonRecord,
    Relation,
    group_partition,
    person_partition,
)
from chalicelib.directory.rules import ROLE_NAMES, closure


def resolve(identity: Identity) -> Principal:
    district, person_id = _whom(identity)
    return _principal(
        district,
        person_id,
        missing=_not_found_message(identity),
        inactive=f"Your ClassReel account in {district} is switched off. Ask your district's "
        "ClassReel administrator if this is a mistake.",
    )


def as_they_are(district: str, person_id: str) -> Principal:
    """Someone other than the caller, with the rights the directory gives them now: the
    coach a waiting nomination is made for, whoever a notification would reach."""
    return _principal(
        district,
        person_id,
        missing=f"{person_id} is no longer in the district's directory",
        inactive=f"{person_id}'s ClassReel account is switched off",
    )


def _principal(district: str, person_id: str, *, missing: str, inactive: str) -> Principal:
    profile, memberships = _person_partition(district, person_id)
    if profile is None:
        raise NotInDirectory(missing)
    if not profile.active:
        raise PersonInactive(inactive)
    member_of = {m.group_id for m in memberships if m.relation is Relation.MEMBER}
    owned = {m.group_id for m in memberships if m.relation is Relation.OWNER}
    caseloads = {
        m.group_id
        for m in memberships
        if m.relation is Relation.OWNER and m.group_kind is GroupKind.CASELOAD
    }
    return Principal(
        user_id=profile.person_id,
        roles=frozenset(Role(r) for r in profile.role_names if r in ROLE_NAMES),
        district=district,
        school=profile.home_school,
        name=profile.name,
        schools=frozenset(profile.school_ids),
        # A share with a group reaches its owners too (a PLC's lead, a caseload's coach).
        groups=frozenset(closure(member_of | owned, lambda g: parent_groups(district, g))),
        caseload=frozenset(caseload_teachers(district, caseloads)),
        email=profile.email,
    )


def _whom(identity: Identity) -> tuple[str, str]:
    if identity.match is PeopleMatch.SUBJECT and identity.district:
        return identity.district, identity.subject
    # Identity.from_claims guarantees a district (by subject) or an email (by email).
    claim = EmailClaim.find(identity.email or "")
    if claim is None or (identity.district and identity.district != claim.district):
        raise NotInDirectory(_not_found_message(identity))
    return str(claim.district), str(claim.person_id)


def _not_found_message(identity: Identity) -> str:
    who = identity.email or identity.subject
    return (
        f"You signed in as {who}, but your district's ClassReel directory has nobody by "
        "that name. Ask your district's ClassReel administrator to add you."
    )


def _person_partition(
    district: str, person_id: str
) -> tuple[PersonRecord | None, list[Membership]]:
    """The profile and the memberships in one consistent Query."""
    profile: PersonRecord | None = None
    memberships: list[Membership] = []
    for item in _query(person_partition(district, person_id)):
        sort_key = item["sk"]["S"]
        if sort_key == PROFILE:
            profile = PersonRecord.from_raw_data(item)
        elif sort_key.startswith(IN_PREFIX):
            memberships.append(Membership.from_raw_data(item))
    return profile, memberships


def parent_groups(district: str, group_id: str) -> list[str]:
    """The groups ``group_id`` is directly inside."""
    return [
        Membership.from_raw_data(item).group_id
        for item in _query(group_partition(district, group_id), TableModel.sk.startswith(IN_PREFIX))
    ]


def member_entries(district: str, group_id: str) -> list[GroupEntry]:
    return [
        GroupEntry.from_raw_data(item)
        for item in _query(
            group_partition(district, group_id), TableModel.sk.startswith(MEMBER_PREFIX)
        )
    ]


def people_reached(district: str, groups: set[str]) -> set[str]:
    """Everyone a share with these groups reaches now: the members and owners of each, and
    of every group inside one (as ``resolve`` counts a person in a group)."""
    nested = closure(
        groups,
        lambda g: [
            e.member_id for e in member_entries(district, g) if e.member_kind is MemberKind.GROUP
        ],
    )
    return {
        entry.member_id
        for group in nested
        for entry in (
            GroupEntry.from_raw_data(item)
            for item in _query(group_partition(district, group))
            if item["sk"]["S"].startswith((MEMBER_PREFIX, OWNER_PREFIX))
        )
        if entry.member_kind is MemberKind.PERSON
    }


def caseload_teachers(district: str, caseloads: set[str]) -> set[str]:
    """The people in these caseloads, through any team nested inside one."""
    groups = closure(
        caseloads,
        lambda g: [
            e.member_id for e in member_entries(district, g) if e.member_kind is MemberKind.GROUP
        ],
    )
    return {
        entry.member_id
        for group in groups
        for entry in member_entries(district, group)
        if entry.member_kind is MemberKind.PERSON
    }


def _query(partition: str, condition: Condition | None = None) -> list[dict[str, Any]]:
    """Every item of one partition (consistent), following pages."""
    meta: Any = TableModel.Meta
    connection = table_connection()
    items: list[dict[str, Any]] = []
    start: Any = None
    while True:
        try:
            page = connection.query(
                meta.table_name,
                partition,
                range_key_condition=condition,
                consistent_read=True,
                exclusive_start_key=start,
            )
        except TableError:
            # A low-level connection learns the table's key schema once, on first use.
            connection.describe_table(meta.table_name)
            continue
        items += page.get("Items", [])
        start = page.get("LastEvaluatedKey")
        if not start:
            return items
