"""OneRoster CSV bundles made up for tests and the benchmark: a district of N schools and M
staff (some in several schools, a few admins), students and aides ClassReel skips."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

USERS_11 = [
    *("sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role"),
    *("username", "userIds", "givenName", "familyName", "middleName", "identifier", "email"),
    *("sms", "phone", "agentSourcedIds", "grades", "password"),
]
USERS_12 = [
    *("sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds"),
    *("givenName", "familyName", "middleName", "identifier", "email", "sms", "phone"),
    *("agentSourcedIds", "grades", "password", "userMasterIdentifier", "resourceSourcedIds"),
    *("preferredGivenName", "preferredMiddleName", "preferredFamilyName"),
    *("primaryOrgSourcedId", "pronouns"),
]
ROLES_12 = [
    *("sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role"),
    *("beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"),
]
ORGS = ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"]
GIVEN = [
    "Ana",
    "Ben",
    "Chloé",
    "Dev",
    "Eun-ji",
    "Farah",
    "Gus",
    "Hana",
    "Iker",
    "Jo",
    "Kofi",
    "Lena",
]
FAMILY = ["Ortiz", "Nguyen", "Smith", "Okafor", "Núñez", "Kim", "Patel", "Brown", "Haddad", "Lee"]


@dataclass
class Staff:
    sourced_id: str
    given: str
    family: str
    email: str
    role: str
    schools: list[str]
    enabled: bool = True


@dataclass
class District:
    schools: dict[str, str]
    staff: dict[str, Staff]
    students: int = 0
    aides: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    def files(self, version: str = "1.1") -> dict[str, str]:
        orgs = [{"sourcedId": "district-org", "name": "The District", "type": "district"}]
        orgs += [
            {"sourcedId": sid, "name": name, "type": "school", "parentSourcedId": "district-org"}
            for sid, name in self.schools.items()
        ]
        first_school = next(iter(self.schools))
        others = [(f"student-{n}", "student") for n in range(self.students)]
        others += [(f"aide-{n}", "aide") for n in range(self.aides)]
        files = {"orgs.csv": _csv(ORGS, orgs), **self.extra}
        users: list[dict[str, str]] = []
        roles: list[dict[str, str]] = []
        for s in self.staff.values():
            user = {
                "sourcedId": s.sourced_id,
                "enabledUser": str(s.enabled).lower(),
                "username": s.email,
                "givenName": s.given,
                "familyName": s.family,
                "email": s.email,
            }
            if version == "1.1":
                user |= {"orgSourcedIds": ",".join(s.schools or ["district-org"]), "role": s.role}
            else:
                user["primaryOrgSourcedId"] = s.schools[0] if s.schools else ""
                for index, school in enumerate(s.schools or ["district-org"]):
                    roles.append(
                        {
                            "sourcedId": f"r-{s.sourced_id}-{school}",
                            "userSourcedId": s.sourced_id,
                            "roleType": "primary" if index == 0 else "secondary",
                            "role": s.role,
                            "orgSourcedId": school,
                        }
                    )
            users.append(user)
        for user_id, role in others:
            user = {
                "sourcedId": user_id,
                "enabledUser": "true",
                "givenName": "Kid",
                "familyName": "Doe",
            }
            if version == "1.1":
                user |= {"orgSourcedIds": first_school, "role": role}
            else:
                roles.append(
                    {
                        "sourcedId": f"r-{user_id}",
                        "userSourcedId": user_id,
                        "roleType": "primary",
                        "role": role,
                        "orgSourcedId": first_school,
                    }
                )
            users.append(user)
        files["users.csv"] = _csv(USERS_11 if version == "1.1" else USERS_12, users)
        if version == "1.2":
            files["roles.csv"] = _csv(ROLES_12, roles)
        files["manifest.csv"] = (
            f"propertyName,value\nmanifest.version,1.0\noneroster.version,{version}\n"
        )
        return files

    def write(self, directory: Path, version: str = "1.1") -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in self.files(version).items():
            (directory / name).write_text(text)
        return directory


def _csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def district(
    schools: int = 3, staff: int = 12, *, seed: int = 7, domain: str = "district.example"
) -> District:
    """``staff`` people across ``schools`` schools: 1 in 50 an admin (at least one), 1 in 12 in
    two or three schools; a few students and aides besides, which an import skips."""
    rng = random.Random(seed)
    school_ids = {f"sch-{n:03d}": f"School {n:03d}" for n in range(1, schools + 1)}
    ids = list(school_ids)
    people: dict[str, Staff] = {}
    for n in range(staff):
        sourced_id = f"u-{n:05d}"
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        admin = n % 50 == 0
        count = 1 + (rng.random() < 1 / 12) * rng.choice([1, 2])
        people[sourced_id] = Staff(
            sourced_id=sourced_id,
            given=given,
            family=family,
            email=f"{sourced_id}@{domain}",
            role="administrator" if admin else "teacher",
            schools=[] if admin else rng.sample(ids, min(count, len(ids))),
        )
    return District(school_ids, people, students=max(2, staff // 20), aides=max(1, staff // 100))
