"""The directory's records: schools, people, email claims, groups and their memberships.

Keys (one district's directory never mixes with another's):
- ``DIRECTORY#{district}`` / ``COUNTS``: the district's active admins, so the last one
  cannot be removed (a conditional counter, safe under concurrent changes);
- ``DIRECTORY#{district}`` / ``SCHOOL#{school}``: a school (a Query lists them);
- ``PERSON#{district}#{person}`` / ``PROFILE``: a person; the same partition holds the
  groups they are in (``IN#MEMBER#{group}``) and own (``IN#OWNER#{group}``), so who
  someone is and what they belong to is one consistent Query on every request;
- ``EMAIL#{email}`` / ``CLAIM``: which person an email belongs to, across districts (an
  email is one person: sign-in by email finds exactly one), written in the same
  transaction as the person;
- ``GROUP#{district}#{group}`` / ``META``: a group; its partition lists its members
  (``MEMBER#person#{id}``, ``MEMBER#group#{id}``) and owners (``OWNER#{id}``), and the
  groups it is itself in (``IN#MEMBER#{parent}``).

Index keys, people (all three ``PEOPLE#{district}``, so the picker's prefix searches are
Queries): gsi1 by given then family name, gsi2 by family then given name, gsi3 by email
(sparse). Groups: gsi1 ``GROUPS#{district}`` by name.
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import EnumAttribute, Gsi1, Gsi2, Gsi3, TableModel, utcnow
from chalicelib.directory.rules import search_key


class PersonSource(StrEnum):
    """Who manages the person: an import deactivates only the people it brought."""

    ADMIN = "admin"
    ROSTER = "roster"
    # Signed for by the local dev issuer (tests, the CLI); never in AWS.
    LOCAL = "local"


class GroupKind(StrEnum):
    PLC = "plc"
    TEAM = "team"
    # A coach's list of teachers: its owners see what its members share with coaches.
    CASELOAD = "caseload"


class Relation(StrEnum):
    MEMBER = "member"
    OWNER = "owner"


class MemberKind(StrEnum):
    PERSON = "person"
    GROUP = "group"


def directory_partition(district: str) -> str:
    return f"DIRECTORY#{district}"


def person_partition(district: str, person_id: str) -> str:
    return f"PERSON#{district}#{person_id}"


def group_partition(district: str, group_id: str) -> str:
    return f"GROUP#{district}#{group_id}"


def people_index(district: str) -> str:
    return f"PEOPLE#{district}"


def groups_index(district: str) -> str:
    return f"GROUPS#{district}"


# Sort-key prefixes inside a person's or a group's partition.
PROFILE = "PROFILE"
META = "META"
IN_PREFIX = "IN#"
MEMBER_PREFIX = "MEMBER#"
OWNER_PREFIX = "OWNER#"


class DirectoryCounts(TableModel):
    district = UnicodeAttribute()
    active_admins = NumberAttribute(default=0)

    @staticmethod
    def key(district: str) -> tuple[str, str]:
        return directory_partition(district), "COUNTS"


class SchoolRecord(TableModel):
    school_id = UnicodeAttribute()
    district = UnicodeAttribute()
    name = UnicodeAttribute()
    # The roster's id for it (OneRoster sourcedId), when an import brought it.
    roster_id = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def key(district: str, school_id: str) -> tuple[str, str]:
        return directory_partition(district), f"SCHOOL#{school_id}"


class PersonRecord(TableModel):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_given_name = Gsi1()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    by_family_name = Gsi2()
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_email = Gsi3()

    person_id = UnicodeAttribute()
    district = UnicodeAttribute()
    given_name = UnicodeAttribute(null=True)
    family_name = UnicodeAttribute(null=True)
    # Lower-case, as every sign-in compares it.
    email = UnicodeAttribute(null=True)
    roles = UnicodeSetAttribute(null=True)
    schools = UnicodeSetAttribute(null=True)
    home_school = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    source = EnumAttribute(PersonSource, default=PersonSource.ADMIN)
    roster_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)
    version = VersionAttribute()

    @staticmethod
    def key(district: str, person_id: str) -> tuple[str, str]:
        return person_partition(district, person_id), PROFILE

    @property
    def name(self) -> str | None:
        """Given and family name (None for a person known by id only, e.g. a test's)."""
        parts = [part for part in (self.given_name, self.family_name) if part]
        return " ".join(parts) or None

    @property
    def display_name(self) -> str:
        return self.name or self.person_id

    @property
    def role_names(self) -> set[str]:
        return set(self.roles or ())

    @property
    def school_ids(self) -> set[str]:
        return set(self.schools or ())

    def index_keys(self) -> PersonRecord:
        partition = people_index(self.district)
        given = search_key(self.given_name, self.family_name)
        family = search_key(self.family_name, self.given_name)
        self.gsi1pk, self.gsi1sk = partition, f"{given or self.person_id}#{self.person_id}"
        self.gsi2pk, self.gsi2sk = partition, f"{family or self.person_id}#{self.person_id}"
        if self.email:
            self.gsi3pk, self.gsi3sk = partition, f"{self.email}#{self.person_id}"
        else:
            self.gsi3pk = self.gsi3sk = None
        return self


class EmailClaim(TableModel):
    district = UnicodeAttribute()
    person_id = UnicodeAttribute()

    @staticmethod
    def key(email: str) -> tuple[str, str]:
        return f"EMAIL#{email}", "CLAIM"

    @classmethod
    def find(cls, email: str) -> EmailClaim | None:
        try:
            return cls.get(*cls.key(email), consistent_read=True)
        except cls.DoesNotExist:
            return None


class GroupRecord(TableModel):
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_name = Gsi1()

    group_id = UnicodeAttribute()
    district = UnicodeAttribute()
    name = UnicodeAttribute()
    kind = EnumAttribute(GroupKind, default=GroupKind.PLC)
    description = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)
    version = VersionAttribute()

    @staticmethod
    def key(district: str, group_id: str) -> tuple[str, str]:
        return group_partition(district, group_id), META

    @classmethod
    def load(cls, district: str, group_id: str) -> GroupRecord | None:
        try:
            return cls.get(*cls.key(district, group_id), consistent_read=True)
        except cls.DoesNotExist:
            return None

    def index_keys(self) -> GroupRecord:
        self.gsi1pk = groups_index(self.district)
        self.gsi1sk = f"{search_key(self.name)}#{self.group_id}"
        return self


class GroupEntry(TableModel):
    """In a group's partition: one member (a person or a group) or one owner."""

    group_id = UnicodeAttribute()
    member_id = UnicodeAttribute()
    member_kind = EnumAttribute(MemberKind)
    relation = EnumAttribute(Relation)
    added_at = UTCDateTimeAttribute(default_for_new=utcnow)

    @staticmethod
    def key(
        district: str, group_id: str, member_id: str, kind: MemberKind, relation: Relation
    ) -> tuple[str, str]:
        if relation is Relation.OWNER:
            return group_partition(district, group_id), f"{OWNER_PREFIX}{member_id}"
        return group_partition(district, group_id), f"{MEMBER_PREFIX}{kind.value}#{member_id}"


class Membership(TableModel):
    """The mirror of a ``GroupEntry``, in the member's own partition (a person's or a
    group's): what someone belongs to, read with who they are."""

    group_id = UnicodeAttribute()
    group_kind = EnumAttribute(GroupKind)
    relation = EnumAttribute(Relation)

    @staticmethod
    def key(
        district: str, member_id: str, kind: MemberKind, group_id: str, relation: Relation
    ) -> tuple[str, str]:
        partition = (
            person_partition(district, member_id)
            if kind is MemberKind.PERSON
            else group_partition(district, member_id)
        )
        return partition, f"{IN_PREFIX}{relation.value.upper()}#{group_id}"


def entry_pair(
    district: str,
    group: GroupRecord,
    member_id: str,
    kind: MemberKind,
    relation: Relation,
) -> tuple[GroupEntry, Membership]:
    """The two items that say ``member_id`` is in (or owns) ``group``: written together."""
    entry = GroupEntry(
        *GroupEntry.key(district, group.group_id, member_id, kind, relation),
        group_id=group.group_id,
        member_id=member_id,
        member_kind=kind,
        relation=relation,
    )
    mirror = Membership(
        *Membership.key(district, member_id, kind, group.group_id, relation),
        group_id=group.group_id,
        group_kind=group.kind,
        relation=relation,
    )
    return entry, mirror
