"""The directory's records as the API shows them: names, not only ids."""

from __future__ import annotations

from chalicelib.auth.principal import Principal
from chalicelib.directory.models import (
    GroupKind,
    GroupRecord,
    MemberKind,
    PersonRecord,
    SchoolRecord,
)
from chalicelib.directory.rules import may_manage_group
from chalicelib.directory.schemas import (
    GroupHit,
    GroupSummary,
    GroupView,
    MemberView,
    PersonHit,
    PersonView,
    SchoolRef,
    SchoolView,
)
from chalicelib.directory.service import GroupDetail, names, school_name, schools_of


def school_view(school: SchoolRecord) -> SchoolView:
    return SchoolView(id=school.school_id, name=school.name, roster_id=school.roster_id)


def _school_refs(person: PersonRecord, schools: dict[str, SchoolRecord]) -> list[SchoolRef]:
    return [
        SchoolRef(id=school, name=school_name(schools, school))
        for school in sorted(person.school_ids, key=lambda s: (s != person.home_school, s))
    ]


def person_view(person: PersonRecord, schools: dict[str, SchoolRecord] | None = None) -> PersonView:
    known = schools if schools is not None else schools_of(person.district)
    return PersonView(
        id=person.person_id,
        name=person.display_name,
        given_name=person.given_name,
        family_name=person.family_name,
        email=person.email,
        roles=sorted(person.role_names),
        schools=_school_refs(person, known),
        home_school=person.home_school,
        active=bool(person.active),
        source=person.source.value,
        version=int(person.version or 0),
    )


def person_hit(person: PersonRecord, schools: dict[str, SchoolRecord]) -> PersonHit:
    return PersonHit(
        id=person.person_id,
        name=person.display_name,
        email=person.email,
        roles=sorted(person.role_names),
        schools=_school_refs(person, schools),
    )


def group_hit(group: GroupRecord) -> GroupHit:
    return GroupHit(id=group.group_id, name=group.name, kind=group.kind.value)


def group_summary(group: GroupRecord) -> GroupSummary:
    return GroupSummary(
        id=group.group_id, name=group.name, kind=group.kind.value, description=group.description
    )


def group_view(detail: GroupDetail, viewer: Principal) -> GroupView:
    group = detail.group
    named = names(group.district, [*detail.owners, *(m for _, m in detail.members)])

    def member(kind: MemberKind, member_id: str) -> MemberView:
        ref = named.get(member_id)
        return MemberView(id=member_id, kind=kind.value, name=ref.name if ref else member_id)

    return GroupView(
        **group_summary(group).model_dump(),
        owners=sorted(
            (member(MemberKind.PERSON, o) for o in detail.owners), key=lambda m: m.name.lower()
        ),
        members=sorted(
            (member(kind, m) for kind, m in detail.members), key=lambda m: m.name.lower()
        ),
        can_manage=may_manage_group(viewer, detail.owners, group.kind is GroupKind.CASELOAD),
        version=int(group.version or 0),
    )
