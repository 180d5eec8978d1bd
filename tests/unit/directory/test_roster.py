"""Reading OneRoster bundles and planning their diff: every refusal names its file, line
and field; the plan is exactly what changes."""

from __future__ import annotations

import pytest

from chalicelib.auth.principal import Role
from chalicelib.directory import roster
from tests.support.roster_bundle import District, Staff, district


def _people(files: dict[str, str]) -> dict[str, roster.RosterPerson]:
    parsed = roster.parse(files)
    assert parsed.errors == []
    return parsed.people


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_both_versions_read_the_same_district(version: str) -> None:
    made = district(schools=4, staff=60)
    made.staff["u-00001"].schools = ["sch-001", "sch-002", "sch-003"]
    parsed = roster.parse({**made.files(version), "classes.csv": "anything,at,all\n1,2,3\n"})
    assert parsed.errors == [] and parsed.version == version
    assert set(parsed.schools) == set(made.schools)
    assert set(parsed.people) == set(made.staff)  # no students, no aides
    assert parsed.skipped == {"aide": 1, "students and families": 3}
    coach = parsed.people["u-00001"]
    assert coach.schools == ["sch-001", "sch-002", "sch-003"]
    assert coach.primary_school == "sch-001" and coach.roles == {Role.TEACHER}
    assert parsed.people["u-00000"].roles == {Role.ADMIN}
    assert parsed.people["u-00000"].schools == []


def _one(files: dict[str, str], file: str) -> roster.RowError:
    errors = [e for e in roster.parse(files).errors if e.file == file]
    assert errors, roster.parse(files).errors
    return errors[0]


def _edit(files: dict[str, str], name: str, old: str, new: str) -> dict[str, str]:
    assert old in files[name]
    return {**files, name: files[name].replace(old, new)}


def test_bad_input_is_refused_naming_file_line_and_field() -> None:
    files = district(schools=2, staff=5).files("1.1")
    users = files["users.csv"]
    lines = users.splitlines()

    unknown = _one(_edit(files, "users.csv", "givenName", "givenNme"), "users.csv")
    assert (unknown.line, unknown.field) == (1, "givenNme")
    assert "unknown column" in unknown.message

    duplicate = {**files, "users.csv": users + lines[2] + "\n"}
    error = _one(duplicate, "users.csv")
    assert (error.line, error.field) == (len(lines) + 1, "sourcedId")
    assert "first on line 3" in error.message

    collide = _edit(files, "users.csv", "u-00002@district.example", "u-00001@district.example")
    error = _one(collide, "users.csv")
    assert (error.line, error.field) == (4, "email") and "line 3" in error.message

    bad_email = _edit(files, "users.csv", "u-00003@district.example", "not an email")
    assert _one(bad_email, "users.csv").field == "email"

    stray = _edit(files, "users.csv", ",sch-", ",nowhere-")
    error = _one(stray, "users.csv")
    assert error.field == "orgSourcedIds" and "not in orgs.csv" in error.message

    role = _edit(files, "users.csv", ",teacher,", ",wizard,")
    assert "unknown OneRoster role 'wizard'" in _one(role, "users.csv").message

    short = {**files, "users.csv": users + "u-9,,\n"}
    assert "values" in _one(short, "users.csv").message

    broken = {**files, "users.csv": users + 'u-10,"unterminated\n'}
    assert "not valid CSV" in _one(broken, "users.csv").message

    missing = {k: v for k, v in files.items() if k != "users.csv"}
    assert _one(missing, "users.csv").line == 0

    v12 = {k: v for k, v in district(schools=2, staff=3).files("1.2").items() if k != "roles.csv"}
    assert "roles.csv is missing" in _one(v12, "roles.csv").message


def _existing(person_id: str, **fields: object) -> roster.Existing:
    defaults: dict[str, object] = {
        "given_name": "Ana",
        "family_name": "Ortiz",
        "email": f"{person_id}@district.example",
        "roles": frozenset({"teacher"}),
        "schools": frozenset({"sch-001"}),
        "home_school": "sch-001",
        "active": True,
        "from_roster": True,
        "roster_id": person_id,
    }
    return roster.Existing(person_id=person_id, **{**defaults, **fields})  # type: ignore[arg-type]


def _bundle(*staff: Staff) -> District:
    return District(
        {"sch-001": "School 001", "sch-002": "School 002"}, {s.sourced_id: s for s in staff}
    )


def _staff(sourced_id: str, **fields: object) -> Staff:
    defaults: dict[str, object] = {
        "given": "Ana",
        "family": "Ortiz",
        "email": f"{sourced_id}@district.example",
        "role": "teacher",
        "schools": ["sch-001"],
    }
    return Staff(sourced_id=sourced_id, **{**defaults, **fields})  # type: ignore[arg-type]


def _plan(made: District, existing: list[roster.Existing], **kwargs: object) -> roster.Plan:
    options: dict[str, object] = {"taken_emails": {}, "active_admins": 1, **kwargs}
    schools = {"sch-001": "School 001", "sch-002": "Old name"}
    return roster.plan(roster.parse(made.files()), existing, schools, **options)  # type: ignore[arg-type]


def test_the_plan_is_exactly_the_diff() -> None:
    made = _bundle(
        _staff("same"),
        _staff("renamed", given="Anna"),
        _staff("moved", schools=["sch-002", "sch-001"]),
        _staff("new"),
        _staff("off", enabled=False),
    )
    existing = [
        _existing("same"),
        _existing("renamed"),
        _existing("moved"),
        _existing("off"),
        _existing("gone"),
        # Added by an admin, not by an import: an import never deactivates them.
        _existing("by-hand", from_roster=False, roster_id=None),
        # Deactivated already: nothing to do.
        _existing("left", active=False),
    ]
    plan = _plan(made, existing)
    assert plan.errors == []
    assert [w.person_id for w in plan.creates] == ["new"]
    assert {e.person_id: changed for e, _, changed in plan.updates} == {
        "renamed": ["given_name"],
        "moved": ["schools"],
        "off": ["active"],
    }
    assert [e.person_id for e in plan.deactivations] == ["gone"]
    assert plan.unchanged == 1
    assert [s.school_id for s in plan.renamed_schools] == ["sch-002"]
    # Nothing else changed: the same diff has the same digest.
    assert plan.digest() == _plan(made, existing).digest()
    assert plan.digest() != _plan(made, existing[:-3]).digest()


def test_classreel_roles_survive_an_import_and_admins_added_by_hand_are_matched_by_email() -> None:
    made = _bundle(_staff("u-1", email="lead@district.example"))
    coach = _existing(
        "p-1",
        email="lead@district.example",
        roles=frozenset({"teacher", "coach"}),
        from_roster=False,
        roster_id=None,
    )
    plan = _plan(made, [coach], taken_emails={"lead@district.example": "p-1"})
    ((current, wanted, changed),) = plan.updates
    assert current.person_id == wanted.person_id == "p-1"
    assert wanted.roles == {"teacher", "coach"} and wanted.roster_id == "u-1"
    assert changed == ["roster"]


def test_an_email_of_someone_else_in_classreel_is_refused() -> None:
    made = _bundle(_staff("u-1", email="taken@district.example"))
    plan = _plan(made, [], taken_emails={"taken@district.example": "#other-district"})
    ((error,),) = [plan.errors]
    assert (error.file, error.line, error.field) == ("users.csv", 2, "email")


def test_an_import_cannot_remove_the_last_admin() -> None:
    made = _bundle(_staff("u-1"))
    admin = _existing("boss", roles=frozenset({"admin"}))
    plan = _plan(made, [admin], active_admins=1)
    assert any("without an active admin" in e.message for e in plan.errors)
    # With a new admin in the bundle, the old one may go.
    made.staff["u-2"] = _staff("u-2", role="districtAdministrator", schools=[])
    assert _plan(made, [admin], active_admins=1).errors == []
