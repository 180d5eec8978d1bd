"""Reading a OneRoster 1.1 or 1.2 CSV bundle and planning what it changes: pure functions.

What we read: ``orgs.csv`` (schools) and ``users.csv`` (staff), plus ``roles.csv`` in 1.2,
where roles live, and ``manifest.csv`` when it names the version. Every other file of the
bundle (classes, enrollments, courses, demographics...) is ignored. Columns must be the
spec's (or ``metadata.*`` extensions): an unknown column is refused, as a misspelt one
would silently lose data.

Who comes in: staff whose OneRoster role maps to a ClassReel role (teacher → teacher;
administrator, districtAdministrator, systemAdministrator → admin). Students, guardians,
parents and relatives are never stored (children's records have no place here); other staff
roles (aides, counselors, principals...) are counted as skipped. Coaches and reviewers are
ClassReel's own roles, given by admins, and an import keeps them.

An import manages the people it brought (``source = roster``): their names, email, roster
roles, schools and whether they are active; someone it brought who is missing from a later
import is deactivated, never deleted (their videos stay, their access stops). A person an
admin added is matched by email and from then on managed by the roster.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chalicelib.auth.principal import Role
from chalicelib.directory.rules import is_valid_id, normalize_email

ORGS, USERS, ROLES, MANIFEST = "orgs.csv", "users.csv", "roles.csv", "manifest.csv"

_COMMON_USER_COLUMNS = {
    "sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
    "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
    "agentSourcedIds", "grades", "password",
}  # fmt: skip
KNOWN_COLUMNS: dict[str, set[str]] = {
    ORGS: {"sourcedId", "status", "dateLastModified", "name", "type", "identifier",
           "parentSourcedId", "metadata.classification", "metadata.gender", "metadata.boarding"},
    # 1.1 keeps a user's role and orgs in users.csv; 1.2 moved them to roles.csv.
    USERS: _COMMON_USER_COLUMNS | {
        "orgSourcedIds", "role", "userMasterIdentifier", "resourceSourcedIds",
        "preferredGivenName", "preferredMiddleName", "preferredFamilyName",
        "primaryOrgSourcedId", "pronouns",
    },
    ROLES: {"sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
            "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"},
}  # fmt: skip
REQUIRED_COLUMNS = {
    ORGS: ("sourcedId", "name", "type"),
    USERS: ("sourcedId", "givenName", "familyName", "email"),
    ROLES: ("userSourcedId", "role", "orgSourcedId"),
}

ROLE_MAP = {
    "teacher": Role.TEACHER,
    "administrator": Role.ADMIN,
    "districtAdministrator": Role.ADMIN,
    "systemAdministrator": Role.ADMIN,
}
# ClassReel roles an import owns; the others (coach, reviewer) are given in ClassReel.
ROSTER_ROLES = frozenset(ROLE_MAP.values())
NEVER_STORED = frozenset({"student", "guardian", "parent", "relative"})
OTHER_STAFF = frozenset(
    {"aide", "counselor", "principal", "proctor", "siteAdministrator", "teacherAssistant"}
)
MAX_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    file: str
    line: int  # 1 is the header; 0: the file as a whole
    field: str | None
    message: str


@dataclass(frozen=True)
class RosterSchool:
    school_id: str
    name: str
    line: int


@dataclass
class RosterPerson:
    person_id: str
    line: int
    given_name: str
    family_name: str
    email: str
    roles: set[Role] = field(default_factory=set)
    schools: list[str] = field(default_factory=list)
    primary_school: str | None = None
    active: bool = True


@dataclass
class Roster:
    version: str
    schools: dict[str, RosterSchool]
    people: dict[str, RosterPerson]
    skipped: dict[str, int]
    errors: list[RowError]


def _rows(
    files: Mapping[str, str], name: str, errors: list[RowError]
) -> list[tuple[int, dict[str, str]]] | None:
    """The file's rows with their line numbers, or None (with the reason) if unreadable."""
    text = files.get(name)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            errors.append(RowError(name, 0, None, f"{name} is empty"))
            return None
        header = [column.strip() for column in header]
        problems = _header_problems(name, header)
        if problems:
            errors.extend(problems)
            return None
        rows: list[tuple[int, dict[str, str]]] = []
        start = reader.line_num + 1
        for values in reader:
            line = start
            start = reader.line_num + 1
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                errors.append(
                    RowError(
                        name, line, None, f"has {len(values)} values; the header has {len(header)}"
                    )
                )
                continue
            rows.append((line, {k: v.strip() for k, v in zip(header, values, strict=True)}))
    except csv.Error as exc:
        errors.append(RowError(name, reader.line_num, None, f"is not valid CSV: {exc}"))
        return None
    return rows


def _header_problems(name: str, header: list[str]) -> list[RowError]:
    problems = []
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(RowError(name, 1, column, f"the column {column!r} appears twice"))
        seen.add(column)
        if column not in KNOWN_COLUMNS[name] and not column.startswith("metadata."):
            problems.append(
                RowError(name, 1, column, f"unknown column {column!r} (not a OneRoster column)")
            )
    for column in REQUIRED_COLUMNS[name]:
        if column not in seen:
            problems.append(RowError(name, 1, column, f"the column {column!r} is missing"))
    return problems


def _version(files: Mapping[str, str], errors: list[RowError]) -> str:
    manifest = _manifest(files)
    declared = manifest.get("oneroster.version")
    if declared in ("1.1", "1.2"):
        return declared
    if declared:
        errors.append(
            RowError(MANIFEST, 0, "oneroster.version", f"version {declared!r}: 1.1 or 1.2 only")
        )
    header = (files.get(USERS) or "").lstrip("\ufeff").split("\n", 1)[0]
    return "1.1" if "role" in {c.strip() for c in header.split(",")} else "1.2"


def _manifest(files: Mapping[str, str]) -> dict[str, str]:
    text = files.get(MANIFEST)
    if not text:
        return {}
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error:
        return {}
    return {row[0].strip(): row[1].strip() for row in rows[1:] if len(row) >= 2}


def parse(files: Mapping[str, str]) -> Roster:
    """The bundle as schools and people, with every problem found (line-numbered)."""
    errors: list[RowError] = []
    for required in (ORGS, USERS):
        if required not in files:
            errors.append(RowError(required, 0, None, f"{required} is missing from the bundle"))
    version = _version(files, errors)
    if version == "1.2" and ROLES not in files and USERS in files:
        errors.append(
            RowError(ROLES, 0, None, "roles.csv is missing: OneRoster 1.2 keeps roles there")
        )
    org_rows = _rows(files, ORGS, errors) or []
    schools = _schools(org_rows, errors)
    district_orgs = _district_orgs(org_rows)
    people: dict[str, RosterPerson] = {}
    skipped: dict[str, int] = {}
    users = _rows(files, USERS, errors)
    if users is not None:
        roles_by_user = (
            _roles_by_user(_rows(files, ROLES, errors) or [], errors) if version == "1.2" else None
        )
        people = _people(users, roles_by_user, schools, district_orgs, skipped, errors)
    return Roster(version, schools, people, skipped, errors[:MAX_ERRORS])


def _schools(
    rows: list[tuple[int, dict[str, str]]], errors: list[RowError]
) -> dict[str, RosterSchool]:
    schools: dict[str, RosterSchool] = {}
    first: dict[str, int] = {}
    for line, row in rows:
        org_id = row["sourcedId"]
        if org_id in first:
            errors.append(
                RowError(
                    ORGS,
                    line,
                    "sourcedId",
                    f"duplicate sourcedId {org_id!r} (first on line {first[org_id]})",
                )
            )
            continue
        first[org_id] = line
        if row.get("status", "").lower() == "tobedeleted" or row["type"] != "school":
            continue
        if not is_valid_id(org_id):
            errors.append(RowError(ORGS, line, "sourcedId", f"{org_id!r} cannot be a school id"))
            continue
        if not row["name"]:
            errors.append(RowError(ORGS, line, "name", "the school has no name"))
            continue
        schools[org_id] = RosterSchool(org_id, row["name"], line)
    return schools


def _district_orgs(rows: list[tuple[int, dict[str, str]]]) -> set[str]:
    return {row["sourcedId"] for _, row in rows if row.get("type") != "school"}


def _roles_by_user(
    rows: list[tuple[int, dict[str, str]]], errors: list[RowError]
) -> dict[str, list[tuple[int, str, str, bool]]]:
    """1.2's roles.csv: user → (line, role, org, primary)."""
    found: dict[str, list[tuple[int, str, str, bool]]] = {}
    for line, row in rows:
        if row.get("status", "").lower() == "tobedeleted":
            continue
        if not row["userSourcedId"]:
            errors.append(RowError(ROLES, line, "userSourcedId", "names no user"))
            continue
        primary = row.get("roleType", "").lower() == "primary"
        found.setdefault(row["userSourcedId"], []).append(
            (line, row["role"], row["orgSourcedId"], primary)
        )
    return found


def _people(
    rows: list[tuple[int, dict[str, str]]],
    roles_by_user: dict[str, list[tuple[int, str, str, bool]]] | None,
    schools: dict[str, RosterSchool],
    district_orgs: set[str],
    skipped: dict[str, int],
    errors: list[RowError],
) -> dict[str, RosterPerson]:
    people: dict[str, RosterPerson] = {}
    first_line: dict[str, int] = {}
    email_line: dict[str, tuple[int, str]] = {}
    for line, row in rows:
        user_id = row["sourcedId"]
        if user_id in first_line:
            errors.append(
                RowError(
                    USERS,
                    line,
                    "sourcedId",
                    f"duplicate sourcedId {user_id!r} (first on line {first_line[user_id]})",
                )
            )
            continue
        first_line[user_id] = line
        if row.get("status", "").lower() == "tobedeleted":
            continue
        assignments = _assignments(line, row, roles_by_user, errors)
        roles, orgs, primary, unmapped = _staff_roles(
            assignments, row, schools, district_orgs, roles_by_user is None, errors
        )
        if not roles:
            for role in unmapped or ["(none)"]:
                label = "students and families" if role in NEVER_STORED else role
                skipped[label] = skipped.get(label, 0) + 1
            continue
        person = _person(line, row, errors)
        if person is None:
            continue
        if person.email in email_line:
            other_line, other = email_line[person.email]
            errors.append(
                RowError(
                    USERS, line, "email", f"{person.email} is also {other!r}'s (line {other_line})"
                )
            )
            continue
        email_line[person.email] = (line, user_id)
        person.roles = roles
        person.schools = orgs
        person.primary_school = primary if primary in orgs else (orgs[0] if orgs else None)
        people[user_id] = person
    return people


def _staff_roles(
    assignments: list[tuple[int, str, str, bool]],
    row: dict[str, str],
    schools: dict[str, RosterSchool],
    district_orgs: set[str],
    in_users_file: bool,
    errors: list[RowError],
) -> tuple[set[Role], list[str], str | None, list[str]]:
    """The ClassReel roles, schools (in order) and primary school of one user's rows; the
    OneRoster roles that map to none."""
    file, column = (USERS, "orgSourcedIds") if in_users_file else (ROLES, "orgSourcedId")
    roles: set[Role] = set()
    orgs: list[str] = []
    primary: str | None = row.get("primaryOrgSourcedId") or None
    unmapped: list[str] = []
    for role_line, role, org_list, is_primary in assignments:
        if role in ROLE_MAP:
            roles.add(ROLE_MAP[role])
        elif role in NEVER_STORED or role in OTHER_STAFF:
            unmapped.append(role)
        else:
            errors.append(RowError(file, role_line, "role", f"unknown OneRoster role {role!r}"))
            continue
        for org in (o.strip() for o in org_list.split(",") if o.strip()):
            if org not in schools and org not in district_orgs:
                errors.append(RowError(file, role_line, column, f"org {org!r} is not in orgs.csv"))
            elif org in schools and org not in orgs and role in ROLE_MAP:
                orgs.append(org)
                if is_primary and primary is None:
                    primary = org
    return roles, orgs, primary, unmapped


def _person(line: int, row: dict[str, str], errors: list[RowError]) -> RosterPerson | None:
    user_id = row["sourcedId"]
    if not is_valid_id(user_id):
        errors.append(RowError(USERS, line, "sourcedId", f"{user_id!r} cannot be a person id"))
        return None
    email = normalize_email(row["email"]) if row["email"] else None
    if email is None:
        message = (
            f"{row['email']!r} is not an email address"
            if row["email"]
            else "email is empty: ClassReel finds staff by email when they sign in"
        )
        errors.append(RowError(USERS, line, "email", message))
        return None
    given = row.get("preferredGivenName") or row["givenName"]
    if not given:
        errors.append(RowError(USERS, line, "givenName", "the person has no given name"))
        return None
    return RosterPerson(
        person_id=user_id,
        line=line,
        given_name=given,
        family_name=row.get("preferredFamilyName") or row["familyName"],
        email=email,
        active=row.get("enabledUser", "").lower() != "false",
    )


def _assignments(
    line: int,
    row: dict[str, str],
    roles_by_user: dict[str, list[tuple[int, str, str, bool]]] | None,
    errors: list[RowError],
) -> list[tuple[int, str, str, bool]]:
    if roles_by_user is None:
        if not row.get("role"):
            errors.append(RowError(USERS, line, "role", "the role is empty"))
            return []
        return [(line, row["role"], row.get("orgSourcedIds", ""), False)]
    return roles_by_user.get(row["sourcedId"], [])


# --- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Existing:
    """A person of the directory as the plan sees them."""

    person_id: str
    given_name: str | None
    family_name: str | None
    email: str | None
    roles: frozenset[str]
    schools: frozenset[str]
    home_school: str | None
    active: bool
    from_roster: bool
    roster_id: str | None


@dataclass(frozen=True)
class Wanted:
    """What the roster says a person should be (roles: ClassReel's own kept)."""

    person_id: str
    roster_id: str
    line: int
    given_name: str
    family_name: str | None
    email: str
    roles: frozenset[str]
    schools: frozenset[str]
    home_school: str | None
    active: bool


@dataclass
class Plan:
    creates: list[Wanted] = field(default_factory=list)
    updates: list[tuple[Existing, Wanted, list[str]]] = field(default_factory=list)
    deactivations: list[Existing] = field(default_factory=list)
    unchanged: int = 0
    new_schools: list[RosterSchool] = field(default_factory=list)
    renamed_schools: list[RosterSchool] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def digest(self) -> str:
        """Names this exact diff: applying checks the directory still gives it."""
        document = {
            "creates": [_fingerprint(w) for w in self.creates],
            "updates": [(_fingerprint(w), fields) for _, w, fields in self.updates],
            "deactivations": [e.person_id for e in self.deactivations],
            "schools": [(s.school_id, s.name) for s in self.new_schools + self.renamed_schools],
        }
        return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]


def _fingerprint(wanted: Wanted) -> list[object]:
    return [
        wanted.person_id,
        wanted.given_name,
        wanted.family_name,
        wanted.email,
        sorted(wanted.roles),
        sorted(wanted.schools),
        wanted.home_school,
        wanted.active,
    ]


def plan(
    roster: Roster,
    people: Iterable[Existing],
    schools: Mapping[str, str],
    *,
    taken_emails: Mapping[str, str],
    active_admins: int,
) -> Plan:
    """What applying ``roster`` changes. ``schools``: id → name now; ``taken_emails``:
    email → person id, for emails already claimed in ClassReel (any district)."""
    result = Plan(errors=list(roster.errors))
    for school in roster.schools.values():
        if school.school_id not in schools:
            result.new_schools.append(school)
        elif schools[school.school_id] != school.name:
            result.renamed_schools.append(school)
    existing = list(people)
    by_roster = {p.roster_id: p for p in existing if p.roster_id}
    by_email = {p.email: p for p in existing if p.email}
    by_id = {p.person_id: p for p in existing}
    matched: set[str] = set()
    for row in roster.people.values():
        current = by_roster.get(row.person_id) or by_email.get(row.email)
        if current is None and row.person_id in by_id:
            current = by_id[row.person_id]
        wanted = _wanted(row, current)
        owner = taken_emails.get(row.email)
        if owner is not None and owner != wanted.person_id:
            result.errors.append(
                RowError(
                    USERS,
                    row.line,
                    "email",
                    f"{row.email} already belongs to someone else in ClassReel",
                )
            )
            continue
        if current is None:
            result.creates.append(wanted)
            continue
        matched.add(current.person_id)
        changed = _changed(current, wanted)
        if changed:
            result.updates.append((current, wanted, changed))
        else:
            result.unchanged += 1
    for person in existing:
        if person.from_roster and person.active and person.person_id not in matched:
            result.deactivations.append(person)
    admins_lost = sum(1 for p in result.deactivations if Role.ADMIN.value in p.roles) + sum(
        1
        for current, wanted, _ in result.updates
        if current.active
        and Role.ADMIN.value in current.roles
        and not (wanted.active and Role.ADMIN.value in wanted.roles)
    )
    admins_gained = sum(
        1 for w in result.creates if w.active and Role.ADMIN.value in w.roles
    ) + sum(
        1
        for current, wanted, _ in result.updates
        if wanted.active
        and Role.ADMIN.value in wanted.roles
        and not (current.active and Role.ADMIN.value in current.roles)
    )
    if active_admins > 0 and active_admins - admins_lost + admins_gained < 1:
        result.errors.append(
            RowError(
                USERS, 0, "role", "this import would leave the district without an active admin"
            )
        )
    return result


def _wanted(row: RosterPerson, current: Existing | None) -> Wanted:
    kept = {
        r for r in (current.roles if current else ()) if r not in {x.value for x in ROSTER_ROLES}
    }
    schools = frozenset(row.schools)
    home = (
        current.home_school
        if current is not None and current.home_school in schools
        else row.primary_school
    )
    return Wanted(
        person_id=current.person_id if current else row.person_id,
        roster_id=row.person_id,
        line=row.line,
        given_name=row.given_name,
        family_name=row.family_name or None,
        email=row.email,
        roles=frozenset({r.value for r in row.roles} | kept),
        schools=schools,
        home_school=home,
        active=row.active,
    )


def _changed(current: Existing, wanted: Wanted) -> list[str]:
    pairs = {
        "given_name": (current.given_name, wanted.given_name),
        "family_name": (current.family_name, wanted.family_name),
        "email": (current.email, wanted.email),
        "roles": (current.roles, wanted.roles),
        "schools": (current.schools, wanted.schools),
        "home_school": (current.home_school, wanted.home_school),
        "active": (current.active, wanted.active),
        "roster": (current.roster_id if current.from_roster else None, wanted.roster_id),
    }
    return [name for name, (before, after) in pairs.items() if before != after]
