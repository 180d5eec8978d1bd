"""The district's directory: schools, people and groups, managed by admins (groups also
by their owners), searched by everyone in the district (the people picker). Every change
is in the audit trail."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactGet

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal, Role
from chalicelib.db.base import (
    is_conditional_check_failure,
    table_connection,
    transaction,
    utcnow,
)
from chalicelib.db.pagination import decode_cursor, encode_cursor
from chalicelib.directory import membership, writes
from chalicelib.directory.accounts import SignInAccounts
from chalicelib.directory.models import (
    DirectoryCounts,
    GroupEntry,
    GroupKind,
    GroupRecord,
    MemberKind,
    Membership,
    PersonRecord,
    PersonSource,
    Relation,
    SchoolRecord,
    directory_partition,
    entry_pair,
    group_partition,
    groups_index,
    people_index,
)
from chalicelib.directory.rules import (
    MAX_ID_LENGTH,
    may_create_group,
    may_manage_directory,
    may_manage_group,
    nesting_problem,
    search_key,
)
from chalicelib.directory.schemas import (
    AddMemberRequest,
    CreateGroupRequest,
    CreatePersonRequest,
    NamedRef,
    PeopleQuery,
    RemoveMemberQuery,
    SaveSchoolRequest,
    SearchQuery,
    UpdateGroupRequest,
    UpdatePersonRequest,
)
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound


def require_admin(principal: Principal) -> None:
    if not may_manage_directory(principal):
        raise Forbidden("Only a district admin can change the directory")


# --- schools ---------------------------------------------------------------------------


def schools_of(district: str) -> dict[str, SchoolRecord]:
    return {
        school.school_id: school
        for school in SchoolRecord.query(
            directory_partition(district), SchoolRecord.sk.startswith("SCHOOL#")
        )
    }


def school_name(schools: dict[str, SchoolRecord], school_id: str) -> str:
    school = schools.get(school_id)
    return str(school.name) if school is not None else school_id


def save_school(principal: Principal, school_id: str, request: SaveSchoolRequest) -> SchoolRecord:
    require_admin(principal)
    school = put_school(principal.district, school_id, request.name)
    audit.record(
        principal, audit.Event(AuditAction.SCHOOL_SAVED, principal.district, subject=school_id)
    )
    return school


def put_school(
    district: str, school_id: str, name: str, roster_id: str | None = None
) -> SchoolRecord:
    school = SchoolRecord(
        *SchoolRecord.key(district, school_id),
        school_id=school_id,
        district=district,
        name=name,
        roster_id=roster_id,
        updated_at=utcnow(),
    )
    school.save()
    return school


# --- people ----------------------------------------------------------------------------


def load_person(district: str, person_id: str) -> PersonRecord | None:
    try:
        return PersonRecord.get(*PersonRecord.key(district, person_id), consistent_read=True)
    except PersonRecord.DoesNotExist:
        return None


def get_person(principal: Principal, person_id: str) -> PersonRecord:
    if person_id != principal.user_id:
        require_admin(principal)
    person = load_person(principal.district, person_id)
    if person is None:
        raise NotFound("Nobody in the directory has that id")
    return person


@dataclass(frozen=True)
class PersonPage:
    items: list[PersonRecord]
    next_cursor: str | None


def list_people(principal: Principal, query: PeopleQuery) -> PersonPage:
    """Everyone in the district, by given name (admins)."""
    require_admin(principal)
    partition = people_index(principal.district)
    results = PersonRecord.by_given_name.query(
        partition,
        limit=query.limit,
        last_evaluated_key=decode_cursor(query.cursor, must_match={"gsi1pk": partition}),
    )
    items = list(results)
    return PersonPage(items, encode_cursor(results.last_evaluated_key))


def _check_schools(district: str, schools: Iterable[str], home: str | None) -> list[str]:
    known = schools_of(district)
    chosen = sorted(set(schools) | ({home} if home else set()))
    for school in chosen:
        if school not in known:
            raise InvalidInput(f"No school {school!r} in the directory", field="schools")
    return chosen


def create_person(
    principal: Principal, request: CreatePersonRequest, accounts: SignInAccounts
) -> PersonRecord:
    require_admin(principal)
    person_id = request.id or f"p-{secrets.token_hex(6)}"
    schools = _check_schools(principal.district, request.schools, request.home_school)
    person = PersonRecord(
        *PersonRecord.key(principal.district, person_id),
        person_id=person_id,
        district=principal.district,
        given_name=request.given_name.strip(),
        family_name=request.family_name.strip() or None,
        email=request.email,
        roles={role.value for role in request.roles},
        schools=set(schools) or None,
        home_school=request.home_school or (schools[0] if len(schools) == 1 else None),
        active=True,
        source=PersonSource.ADMIN,
    )
    if load_person(principal.district, person_id) is not None:
        raise Conflict(f"Somebody already has the id {person_id}", field="id")
    events = tuple(person_events(principal.district, None, person, []))
    writes.apply(principal.district, [writes.PersonChange(None, person, events)], principal)
    accounts.sync(created=[person], updated=[], deactivated=[])
    return person


def update_person(
    principal: Principal,
    person_id: str,
    request: UpdatePersonRequest,
    accounts: SignInAccounts,
) -> PersonRecord:
    require_admin(principal)
    before = get_person(principal, person_id)
    if int(before.version) != request.version:
        raise Conflict(
            f"{before.display_name} changed since you read them; read again and retry",
            field="version",
        )
    after = copy_person(before)
    changed: list[str] = []

    def change(field: str, value: object) -> None:
        if getattr(after, field) != value:
            setattr(after, field, value)
            changed.append(field)

    if request.given_name is not None:
        change("given_name", request.given_name.strip())
    if request.family_name is not None:
        change("family_name", request.family_name.strip() or None)
    if "email" in request.model_fields_set:
        change("email", request.email)
    if request.roles is not None:
        change("roles", {role.value for role in request.roles})
    if request.schools is not None or "home_school" in request.model_fields_set:
        home = (
            request.home_school if "home_school" in request.model_fields_set else before.home_school
        )
        schools = _check_schools(
            principal.district,
            request.schools if request.schools is not None else before.school_ids,
            home,
        )
        change("schools", set(schools) or None)
        change("home_school", home)
    if request.active is not None:
        change("active", request.active)
    if request.active is False and person_id == principal.user_id:
        raise InvalidInput("You cannot switch off your own account", field="active")
    if not changed:
        return before
    events = tuple(person_events(principal.district, before, after, changed))
    writes.apply(principal.district, [writes.PersonChange(before, after, events)], principal)
    switched_off = before.active and not after.active
    accounts.sync(
        created=[],
        updated=[] if switched_off else [after],
        deactivated=[after] if switched_off else [],
    )
    return after


def copy_person(person: PersonRecord) -> PersonRecord:
    """A detached copy to change (the original stays as it was read)."""
    copy = PersonRecord.from_raw_data(person.serialize())
    copy.version = person.version
    return copy


def person_events(
    district: str, before: PersonRecord | None, after: PersonRecord, changed: list[str]
) -> list[audit.Event]:
    pid = after.person_id
    if before is None:
        return [audit.Event(AuditAction.PERSON_ADDED, district, subject=pid)]
    events: list[audit.Event] = []
    if "active" in changed:
        action = AuditAction.PERSON_REACTIVATED if after.active else AuditAction.PERSON_DEACTIVATED
        events.append(audit.Event(action, district, subject=pid))
    others = sorted(set(changed) - {"active"})
    if others:
        events.append(
            audit.Event(AuditAction.PERSON_CHANGED, district, subject=f"{pid}:{','.join(others)}")
        )
    return events


def ensure_person(
    district: str,
    person_id: str,
    role: Role,
    school: str | None,
    name: str | None = None,
    *,
    email: str | None = None,
    attempts: int = 3,
) -> None:
    """The local dev issuer's registration: the person exists, with this role and school
    among theirs (created if missing; never reactivated, never narrowed), and with this
    email when one is given.

    Tokens from the dev issuer only name a person; this is what makes a locally signed
    token mean "a teacher at school-1" — through the directory, as in AWS. One read (the
    person and the school together) and, when something is new, one transaction.
    """
    with TransactGet(connection=table_connection()) as read:
        found_person = read.get(PersonRecord, *PersonRecord.key(district, person_id))
        found_school = read.get(SchoolRecord, *SchoolRecord.key(district, school or "-"))
    before = _present(found_person)
    if (
        before is not None
        and role.value in before.role_names
        and (not school or school in before.school_ids)
        and (not email or before.email == email)
    ):
        return
    new_schools = []
    if school and _present(found_school) is None:
        new_schools.append(
            SchoolRecord(
                *SchoolRecord.key(district, school),
                school_id=school,
                district=district,
                name=school,
                updated_at=utcnow(),
            )
        )
    if before is None:
        given, _, family = (name or "").partition(" ")
        after = PersonRecord(
            *PersonRecord.key(district, person_id),
            person_id=person_id,
            district=district,
            given_name=given or None,
            family_name=family or None,
            email=email,
            roles={role.value},
            schools={school} if school else None,
            home_school=school,
            active=True,
            source=PersonSource.LOCAL,
        )
    else:
        after = copy_person(before)
        after.roles = before.role_names | {role.value}
        after.schools = (before.school_ids | ({school} if school else set())) or None
        after.home_school = before.home_school or school
        after.email = email or before.email
    changed = [
        "roles",
        "schools",
        *(["email"] if email and before and email != before.email else []),
    ]
    events = tuple(person_events(district, before, after, changed))
    try:
        writes.apply(
            district,
            [writes.PersonChange(before, after, events)],
            audit.SYSTEM_ACTOR,
            new_schools=new_schools,
        )
    except Conflict:
        # Registered at the same moment by another test or process: read what won.
        if attempts <= 1:
            raise
        ensure_person(district, person_id, role, school, name, email=email, attempts=attempts - 1)


def _present(future: Any) -> Any:
    try:
        return future.get()
    except (PersonRecord.DoesNotExist, SchoolRecord.DoesNotExist):
        return None


def active_admins(district: str) -> int:
    try:
        counts = DirectoryCounts.get(*DirectoryCounts.key(district), consistent_read=True)
    except DirectoryCounts.DoesNotExist:
        return 0
    return int(counts.active_admins)


# --- the people picker ------------------------------------------------------------------


def search(
    principal: Principal, query: SearchQuery
) -> tuple[list[PersonRecord], list[GroupRecord]]:
    """Active people whose given name, family name or email starts with ``q``, and groups
    whose name does: within the caller's district only."""
    text = search_key(query.q)
    if not text:
        raise InvalidInput("Type the start of a name or an email", field="q")
    partition = people_index(principal.district)
    found: dict[str, PersonRecord] = {}
    for index in (PersonRecord.by_given_name, PersonRecord.by_family_name, PersonRecord.by_email):
        sort_key = {
            PersonRecord.by_given_name: PersonRecord.gsi1sk,
            PersonRecord.by_family_name: PersonRecord.gsi2sk,
            PersonRecord.by_email: PersonRecord.gsi3sk,
        }[index]
        for person in index.query(
            partition,
            sort_key.startswith(text),
            filter_condition=PersonRecord.active == True,  # noqa: E712  (a DynamoDB condition)
            limit=query.limit,
        ):
            found.setdefault(person.person_id, person)
    people = sorted(found.values(), key=lambda p: search_key(p.display_name))[: query.limit]
    groups = list(
        GroupRecord.by_name.query(
            groups_index(principal.district),
            GroupRecord.gsi1sk.startswith(text),
            limit=query.limit,
        )
    )
    return people, groups


def names(district: str, ids: Iterable[str]) -> dict[str, NamedRef]:
    """Display names of people and groups of one district, by id (unknown ids left out)."""
    wanted = sorted({i for i in ids if 0 < len(i) <= MAX_ID_LENGTH})
    found: dict[str, NamedRef] = {}
    if not wanted:
        return found
    for person in PersonRecord.batch_get([PersonRecord.key(district, i) for i in wanted]):
        found[person.person_id] = NamedRef(
            id=person.person_id, kind="person", name=person.display_name
        )
    for group in GroupRecord.batch_get(
        [GroupRecord.key(district, i) for i in wanted if i not in found]
    ):
        found[group.group_id] = NamedRef(id=group.group_id, kind="group", name=str(group.name))
    return found


# --- groups ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupDetail:
    group: GroupRecord
    owners: list[str]
    members: list[tuple[MemberKind, str]]


def load_group(district: str, group_id: str) -> GroupRecord:
    group = GroupRecord.load(district, group_id)
    if group is None:
        raise NotFound("No such group in your district")
    return group


def group_detail(district: str, group_id: str) -> GroupDetail:
    group = load_group(district, group_id)
    entries = list(GroupEntry.query(group_partition(district, group_id), consistent_read=True))
    owners = [e.member_id for e in entries if e.sk.startswith("OWNER#")]
    members = [(e.member_kind, e.member_id) for e in entries if e.sk.startswith("MEMBER#")]
    return GroupDetail(group, owners, members)


def list_groups(principal: Principal) -> list[GroupRecord]:
    """Admins: every group of the district; others: the groups they are in or own."""
    if principal.has_role(Role.ADMIN):
        return list(GroupRecord.by_name.query(groups_index(principal.district)))
    mine = principal.groups
    groups = GroupRecord.batch_get([GroupRecord.key(principal.district, g) for g in mine])
    return sorted(groups, key=lambda g: search_key(g.name))


def get_group(principal: Principal, group_id: str) -> GroupDetail:
    detail = group_detail(principal.district, group_id)
    caseload = detail.group.kind is GroupKind.CASELOAD
    if not (
        principal.has_role(Role.ADMIN)
        or group_id in principal.groups
        or may_manage_group(principal, detail.owners, caseload)
    ):
        raise NotFound("No such group in your district")
    return detail


def create_group(principal: Principal, request: CreateGroupRequest) -> GroupRecord:
    caseload = request.kind is GroupKind.CASELOAD
    if not may_create_group(principal, caseload):
        raise Forbidden(
            "Only a district admin can make a caseload"
            if caseload
            else "Your role cannot make groups"
        )
    owners = [o.id for o in request.owners] or ([] if caseload else [principal.user_id])
    if caseload and not owners:
        raise InvalidInput("Name the coach whose caseload this is", field="owners")
    group_id = f"g-{secrets.token_hex(6)}"
    group = GroupRecord(
        *GroupRecord.key(principal.district, group_id),
        group_id=group_id,
        district=principal.district,
        name=request.name.strip(),
        kind=request.kind,
        description=request.description,
        created_by=principal.user_id,
    )
    group.index_keys()
    additions = [(MemberKind.PERSON, o, Relation.OWNER) for o in owners] + [
        (m.kind, m.id, Relation.MEMBER) for m in request.members
    ]
    for kind, member_id, _ in additions:
        _check_member(principal.district, group, kind, member_id)
    with transaction() as tx:
        tx.save(group, condition=GroupRecord.pk.does_not_exist())
        for kind, member_id, relation in additions:
            for item in entry_pair(principal.district, group, member_id, kind, relation):
                tx.save(item)
    audit.record_many(
        principal,
        [
            audit.Event(AuditAction.GROUP_CREATED, principal.district, subject=group.group_id),
            *(
                _membership_event(principal.district, group.group_id, member_id, relation, True)
                for _, member_id, relation in additions
            ),
        ],
    )
    return group


def update_group(principal: Principal, group_id: str, request: UpdateGroupRequest) -> GroupRecord:
    detail = _managed_group(principal, group_id)
    group = detail.group
    if int(group.version) != request.version:
        raise Conflict("The group changed since you read it; read again and retry", field="version")
    actions: list[Any] = [GroupRecord.updated_at.set(utcnow())]
    if request.name is not None:
        group.name = request.name.strip()
        group.index_keys()
        actions += [GroupRecord.name.set(group.name), GroupRecord.gsi1sk.set(group.gsi1sk)]
    if "description" in request.model_fields_set:
        actions.append(
            GroupRecord.description.set(request.description)
            if request.description
            else GroupRecord.description.remove()
        )
    try:
        group.update(actions=actions)
    except UpdateError as exc:
        if is_conditional_check_failure(exc):
            raise Conflict(
                "The group changed since you read it; read again and retry", field="version"
            ) from exc
        raise
    audit.record(
        principal, audit.Event(AuditAction.GROUP_CHANGED, principal.district, subject=group_id)
    )
    return group


def delete_group(principal: Principal, group_id: str) -> None:
    """The group, its entries and their mirrors; shares with it reach nobody any more."""
    detail = _managed_group(principal, group_id)
    district = principal.district
    mirrors = [
        Membership(*Membership.key(district, o, MemberKind.PERSON, group_id, Relation.OWNER))
        for o in detail.owners
    ] + [
        Membership(*Membership.key(district, m, kind, group_id, Relation.MEMBER))
        for kind, m in detail.members
    ]
    # The group's own memberships in other groups, and those groups' entries for it.
    parents = membership.parent_groups(district, group_id)
    entries = [
        GroupEntry(*GroupEntry.key(district, p, group_id, MemberKind.GROUP, Relation.MEMBER))
        for p in parents
    ]
    with GroupEntry.batch_write() as batch:
        for item in [*mirrors, *entries]:
            batch.delete(item)
    for item in GroupEntry.query(group_partition(district, group_id)):
        item.delete()
    audit.record(principal, audit.Event(AuditAction.GROUP_DELETED, district, subject=group_id))


def add_member(principal: Principal, group_id: str, request: AddMemberRequest) -> GroupDetail:
    detail = _managed_group(principal, group_id)
    kind = request.kind if request.relation is Relation.MEMBER else MemberKind.PERSON
    if request.relation is Relation.OWNER and request.kind is MemberKind.GROUP:
        raise InvalidInput("A group's owners are people", field="kind")
    _check_member(principal.district, detail.group, kind, request.id)
    with transaction() as tx:
        for item in entry_pair(
            principal.district, detail.group, request.id, kind, request.relation
        ):
            tx.save(item)
    audit.record(
        principal,
        _membership_event(principal.district, group_id, request.id, request.relation, True),
    )
    return group_detail(principal.district, group_id)


def remove_member(
    principal: Principal, group_id: str, member_id: str, query: RemoveMemberQuery
) -> GroupDetail:
    detail = _managed_group(principal, group_id)
    district = principal.district
    relation = Relation(query.relation)
    kind = MemberKind(query.kind) if relation is Relation.MEMBER else MemberKind.PERSON
    present = (
        member_id in detail.owners
        if relation is Relation.OWNER
        else (kind, member_id) in detail.members
    )
    if not present:
        what = "an owner" if relation is Relation.OWNER else "a member"
        raise NotFound(f"{member_id} is not {what} of this group")
    with transaction() as tx:
        tx.delete(GroupEntry(*GroupEntry.key(district, group_id, member_id, kind, relation)))
        tx.delete(Membership(*Membership.key(district, member_id, kind, group_id, relation)))
    audit.record(principal, _membership_event(district, group_id, member_id, relation, False))
    return group_detail(district, group_id)


def _managed_group(principal: Principal, group_id: str) -> GroupDetail:
    detail = get_group(principal, group_id)
    if not may_manage_group(principal, detail.owners, detail.group.kind is GroupKind.CASELOAD):
        raise Forbidden(
            "Only a district admin can change a caseload"
            if detail.group.kind is GroupKind.CASELOAD
            else "Only the group's owners or a district admin can change it"
        )
    return detail


def _check_member(district: str, group: GroupRecord, kind: MemberKind, member_id: str) -> None:
    if kind is MemberKind.PERSON:
        person = load_person(district, member_id)
        if person is None:
            raise InvalidInput(f"Nobody in the directory has the id {member_id}", field="id")
        return
    if GroupRecord.load(district, member_id) is None:
        raise InvalidInput(f"No group {member_id} in your district", field="id")
    problem = nesting_problem(
        group.group_id, member_id, lambda g: membership.parent_groups(district, g)
    )
    if problem:
        raise InvalidInput(problem, field="id")


def _membership_event(
    district: str, group_id: str, member_id: str, relation: Relation, added: bool
) -> audit.Event:
    action = {
        (Relation.MEMBER, True): AuditAction.GROUP_MEMBER_ADDED,
        (Relation.MEMBER, False): AuditAction.GROUP_MEMBER_REMOVED,
        (Relation.OWNER, True): AuditAction.GROUP_OWNER_ADDED,
        (Relation.OWNER, False): AuditAction.GROUP_OWNER_REMOVED,
    }[(relation, added)]
    return audit.Event(action, district, subject=f"{group_id}:{member_id}")


# --- seeds (the local twin's demo district) ---------------------------------------------


def seed_school(district: str, school_id: str, name: str) -> None:
    if school_id not in schools_of(district):
        put_school(district, school_id, name)


def seed_person(
    district: str,
    person_id: str,
    *,
    given_name: str,
    family_name: str,
    email: str,
    role: Role,
    school: str | None,
) -> None:
    """Creates the person if the directory has nobody by that id (admins' changes stay)."""
    if load_person(district, person_id) is not None:
        return
    person = PersonRecord(
        *PersonRecord.key(district, person_id),
        person_id=person_id,
        district=district,
        given_name=given_name,
        family_name=family_name or None,
        email=email,
        roles={role.value},
        schools={school} if school else None,
        home_school=school,
        active=True,
        source=PersonSource.LOCAL,
    )
    events = tuple(person_events(district, None, person, []))
    writes.apply(district, [writes.PersonChange(None, person, events)], audit.SYSTEM_ACTOR)


def seed_group(district: str, group_id: str, name: str, *, owner: str, members: list[str]) -> None:
    if GroupRecord.load(district, group_id) is not None:
        return
    group = GroupRecord(
        *GroupRecord.key(district, group_id),
        group_id=group_id,
        district=district,
        name=name,
        kind=GroupKind.PLC,
        created_by=owner,
    ).index_keys()
    with transaction() as tx:
        tx.save(group, condition=GroupRecord.pk.does_not_exist())
        for member_id, relation in [
            (owner, Relation.OWNER),
            *((m, Relation.MEMBER) for m in members),
        ]:
            for item in entry_pair(district, group, member_id, MemberKind.PERSON, relation):
                tx.save(item)
    audit.record(
        audit.SYSTEM_ACTOR, audit.Event(AuditAction.GROUP_CREATED, district, subject=group_id)
    )
