"""Shapes of the directory's API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.auth.principal import Role
from chalicelib.directory.models import GroupKind, MemberKind, Relation
from chalicelib.directory.rules import is_valid_id, normalize_email

ID_FIELD = Field(min_length=1, max_length=128, description="Letters, digits and . _ : @ -")


def _checked_id(value: str) -> str:
    if not is_valid_id(value):
        raise ValueError(
            "must start with a letter or digit and use only letters, digits, . _ : @ -"
        )
    return value


def _checked_email(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    email = normalize_email(value)
    if email is None:
        raise ValueError("is not an email address")
    return email


class SchoolRef(BaseModel):
    id: str
    name: str


class GroupRef(BaseModel):
    id: str
    name: str
    kind: str


class MeResponse(BaseModel):
    user_id: str
    name: str | None
    email: str | None = None
    roles: list[str]
    district: str
    school: str | None = Field(description="Home school: where your uploads are filed")
    schools: list[str] = Field(default_factory=list, description="Every school you work in")
    groups: list[str] = Field(default_factory=list, description="Groups you are in or own")


# --- schools --------------------------------------------------------------------------


class SchoolView(BaseModel):
    id: str
    name: str
    roster_id: str | None = None


class SchoolList(BaseModel):
    items: list[SchoolView]


class SaveSchoolRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)


# --- people ---------------------------------------------------------------------------


class PersonView(BaseModel):
    id: str
    name: str = Field(description="Given and family name, or the id when there is none")
    given_name: str | None
    family_name: str | None
    email: str | None
    roles: list[str]
    schools: list[SchoolRef]
    home_school: str | None
    active: bool
    source: str = Field(description="admin, roster (an import manages them) or local")
    version: int


class PersonPage(BaseModel):
    items: list[PersonView]
    next_cursor: str | None


class PeopleQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = None
    limit: int = Field(default=100, ge=1, le=500)


class CreatePersonRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=128)
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(default="", max_length=100)
    email: str | None = Field(default=None, max_length=254)
    roles: list[Role] = Field(min_length=1, max_length=4)
    schools: list[str] = Field(default_factory=list, max_length=100)
    home_school: str | None = None

    _id = field_validator("id")(lambda v: v if v is None else _checked_id(v))
    _email = field_validator("email")(_checked_email)


class UpdatePersonRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="The version you read: a stale change is a 409")
    given_name: str | None = Field(default=None, min_length=1, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=4)
    schools: list[str] | None = Field(default=None, max_length=100)
    home_school: str | None = None
    active: bool | None = None

    _email = field_validator("email")(_checked_email)


# --- the people picker ----------------------------------------------------------------


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=100, description="Start of a name or an email")
    limit: int = Field(default=10, ge=1, le=25)


class PersonHit(BaseModel):
    id: str
    name: str
    email: str | None
    roles: list[str]
    schools: list[SchoolRef]


class GroupHit(BaseModel):
    id: str
    name: str
    kind: str


class SearchResponse(BaseModel):
    people: list[PersonHit]
    groups: list[GroupHit]


class NamesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: str = Field(min_length=1, max_length=4000, description="Comma-separated ids")


class NamedRef(BaseModel):
    id: str
    kind: str = Field(description="person or group")
    name: str


class NamesResponse(BaseModel):
    items: list[NamedRef]


# --- groups ---------------------------------------------------------------------------


class MemberInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = ID_FIELD
    kind: MemberKind = MemberKind.PERSON

    _id = field_validator("id")(_checked_id)


class MemberView(BaseModel):
    id: str
    kind: str
    name: str


class GroupSummary(BaseModel):
    id: str
    name: str
    kind: str
    description: str | None


class GroupView(GroupSummary):
    owners: list[MemberView]
    members: list[MemberView]
    can_manage: bool
    version: int


class GroupList(BaseModel):
    items: list[GroupSummary]


class CreateGroupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    kind: GroupKind = GroupKind.PLC
    description: str | None = Field(default=None, max_length=1000)
    # One transaction writes the group and two items per member or owner (at most 100).
    owners: list[MemberInput] = Field(default_factory=list, max_length=9)
    members: list[MemberInput] = Field(default_factory=list, max_length=40)


class UpdateGroupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=1000)


class AddMemberRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = ID_FIELD
    kind: MemberKind = MemberKind.PERSON
    relation: Relation = Relation.MEMBER

    _id = field_validator("id")(_checked_id)


class RemoveMemberQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["person", "group"] = "person"
    relation: Literal["member", "owner"] = "member"


# --- rostering imports ----------------------------------------------------------------

# A district of 2,000 staff is ~300 KB of users.csv; room for far larger ones.
MAX_IMPORT_BYTES = 8 * 1024 * 1024


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: dict[str, str] = Field(
        description="A OneRoster 1.1 or 1.2 CSV bundle by file name: orgs.csv, users.csv "
        "(1.2: roles.csv; manifest.csv if any). Other files are ignored.",
        max_length=50,
    )
    apply: bool = Field(default=False, description="false: a dry run that changes nothing")
    digest: str | None = Field(
        default=None,
        max_length=64,
        description="The dry run's digest: applying refuses if the diff is no longer that one",
    )


class ImportProblem(BaseModel):
    file: str
    line: int = Field(description="1 is the header; 0 the file as a whole")
    field: str | None
    message: str


class ImportPerson(BaseModel):
    line: int | None
    id: str
    name: str
    email: str | None
    roles: list[str]
    schools: list[str]
    active: bool
    changes: list[str] = Field(default_factory=list, description="Fields an update changes")


class ImportCounts(BaseModel):
    creates: int
    updates: int
    deactivations: int
    unchanged: int
    new_schools: int
    renamed_schools: int


class ImportReport(BaseModel):
    version: str = Field(description="The OneRoster version read: 1.1 or 1.2")
    applied: bool
    can_apply: bool = Field(description="No problems: applying would make exactly this diff")
    digest: str
    counts: ImportCounts
    skipped: dict[str, int] = Field(description="Rows not imported, by OneRoster role")
    creates: list[ImportPerson]
    updates: list[ImportPerson]
    deactivations: list[ImportPerson]
    schools: list[SchoolView] = Field(description="Schools added or renamed")
    errors: list[ImportProblem]


# --- sign-in accounts (chalicelib/directory/accounts.py) -------------------------------

# A message's people are reconciled one after another (a few Cognito calls each): well
# inside the worker's timeout, and a 2,000-person import is 80 messages.
ACCOUNTS_PER_JOB = 25


class SignInAccountsJob(BaseModel):
    """A sign-in accounts queue message: these people's Cognito users are made to match
    what the directory says of them when the message is handled (not when it was sent)."""

    district: str = Field(min_length=1)
    person_ids: list[str] = Field(min_length=1, max_length=ACCOUNTS_PER_JOB)
