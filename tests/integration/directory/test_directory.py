"""The district's directory: authorization reads it on every request; admins manage people
and schools, owners and admins manage groups; every change is audited."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Role
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.forged_tokens import forged_with_claims
from tests.support.seed import ready_video

pytestmark = pytest.mark.integration


@pytest.fixture
def district() -> str:
    return f"d-{secrets.token_hex(4)}"


@pytest.fixture
def admin(api_as: Callable[..., Api], district: str) -> Api:
    admin = api_as("admin-1", Role.ADMIN, district=district, school=None)
    for school, name in (
        ("north", "North Elementary"),
        ("south", "South Middle"),
        ("east", "East High"),
    ):
        admin.ok("PUT", f"/directory/schools/{school}", json={"name": name})
    return admin


def _person(admin: Api, **fields: Any) -> dict[str, Any]:
    body = {"given_name": "Ana", "family_name": "Ortiz", "roles": ["teacher"], **fields}
    person: dict[str, Any] = admin.ok("POST", "/directory/people", 201, json=body)
    return person


def _as(local_stack: LocalStack, person_id: str, district: str) -> Api:
    """A token that names the person only (no registration): the directory says the rest."""
    token = DevIssuer(local_stack.settings()).mint(user_id=person_id, district=district)
    return Api(local_stack.api_url, token)


def test_roles_and_schools_come_from_the_directory_not_the_token(
    admin: Api, district: str, local_stack: LocalStack
) -> None:
    ana = _person(
        admin,
        id="ana",
        email="Ana.Ortiz@North.example",
        schools=["north", "south", "east"],
        home_school="north",
    )
    assert ana["email"] == "ana.ortiz@north.example"
    assert [s["name"] for s in ana["schools"]] == ["North Elementary", "East High", "South Middle"]
    client = _as(local_stack, "ana", district)
    me = client.ok("GET", "/me")
    assert (me["roles"], me["school"], me["schools"]) == (
        ["teacher"],
        "north",
        ["east", "north", "south"],
    )
    assert client.call("GET", "/webhooks").status_code == 403

    # The same token, the next request: an admin now.
    admin.ok(
        "PATCH",
        "/directory/people/ana",
        json={"version": ana["version"], "roles": ["teacher", "admin"]},
    )
    assert client.call("GET", "/webhooks").status_code == 200

    # A token that claims admin (as a Cognito token with groups would) changes nothing.
    bob = _person(admin, id="bob", given_name="Bob", roles=["teacher"])
    claims = {
        "sub": bob["id"],
        "custom:district": district,
        "cognito:groups": ["admin"],
        "custom:school": "east",
    }
    forged = Api(local_stack.api_url, forged_with_claims(local_stack.settings(), claims))
    assert forged.ok("GET", "/me")["roles"] == ["teacher"]
    assert forged.call("GET", "/webhooks").status_code == 403


def test_nobody_outside_the_directory_gets_in_and_deactivated_people_lose_access(
    admin: Api, district: str, local_stack: LocalStack
) -> None:
    stranger = _as(local_stack, "nobody-here", district)
    refused = stranger.call("GET", "/videos")
    assert refused.status_code == 403
    body = refused.json()
    assert body["error"] == "not_in_directory"
    assert "directory" in body["message"] and "administrator" in body["message"]

    ana = _person(admin, id="ana")
    client = _as(local_stack, "ana", district)
    video = ready_video("ana", district=district, school=None, title="Kept")
    assert client.ok("GET", f"/videos/{video.video_id}")["title"] == "Kept"

    off = admin.ok(
        "PATCH", "/directory/people/ana", json={"version": ana["version"], "active": False}
    )
    assert off["active"] is False
    refused = client.call("GET", f"/videos/{video.video_id}")
    assert refused.status_code == 403 and refused.json()["error"] == "account_inactive"
    # Their videos stay: the district still has them.
    assert admin.ok("GET", f"/videos/{video.video_id}")["owner_id"] == "ana"

    admin.ok("PATCH", "/directory/people/ana", json={"version": off["version"], "active": True})
    assert client.ok("GET", f"/videos/{video.video_id}")["title"] == "Kept"


def test_bad_changes_are_refused_naming_the_field(
    admin: Api, district: str, api_as: Callable[..., Api]
) -> None:
    ana = _person(admin, id="ana", email="ana@north.example", schools=["north"])
    taken = admin.call(
        "POST",
        "/directory/people",
        json={"given_name": "Other", "roles": ["teacher"], "email": "ANA@north.example"},
    )
    assert taken.status_code == 409 and taken.json()["field"] == "email"
    elsewhere = api_as("admin-x", Role.ADMIN, district=f"d-{secrets.token_hex(4)}", school=None)
    # An email is one person, whatever the district.
    assert (
        elsewhere.call(
            "POST",
            "/directory/people",
            json={"given_name": "A", "roles": ["teacher"], "email": "ana@north.example"},
        ).status_code
        == 409
    )
    unknown = admin.call(
        "POST",
        "/directory/people",
        json={"given_name": "C", "roles": ["coach"], "schools": ["nowhere"]},
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "schools"
    bad_email = admin.call(
        "POST",
        "/directory/people",
        json={"given_name": "C", "roles": ["coach"], "email": "not-an-email"},
    )
    assert bad_email.status_code == 400 and bad_email.json()["field"] == "email"
    no_role = admin.call("POST", "/directory/people", json={"given_name": "C", "roles": []})
    assert no_role.status_code == 400 and no_role.json()["field"] == "roles"
    admin.ok(
        "PATCH", "/directory/people/ana", json={"version": ana["version"], "given_name": "Anna"}
    )
    stale = admin.call(
        "PATCH", "/directory/people/ana", json={"version": ana["version"], "given_name": "Ann"}
    )
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    # The email moves with the person: the old one is free again.
    fresh = admin.ok("GET", "/directory/people/ana")
    admin.ok(
        "PATCH",
        "/directory/people/ana",
        json={"version": fresh["version"], "email": "anna@north.example"},
    )
    _person(admin, id="other", email="ana@north.example")


def test_the_last_admin_cannot_be_removed(admin: Api, district: str) -> None:
    me = admin.ok("GET", "/directory/people/admin-1")
    demoted = admin.call(
        "PATCH", "/directory/people/admin-1", json={"version": me["version"], "roles": ["teacher"]}
    )
    assert demoted.status_code == 409
    assert demoted.json()["error"] == "last_admin" and demoted.json()["field"] == "roles"
    second = _person(admin, id="admin-2", given_name="Dee", roles=["admin"])
    admin.ok(
        "PATCH",
        "/directory/people/admin-1",
        json={"version": me["version"], "roles": ["teacher", "admin"]},
    )
    off = admin.call(
        "PATCH", "/directory/people/admin-2", json={"version": second["version"], "active": False}
    )
    assert off.status_code == 200
    # admin-1 is the last again.
    me = admin.ok("GET", "/directory/people/admin-1")
    assert (
        admin.call(
            "PATCH",
            "/directory/people/admin-1",
            json={"version": me["version"], "roles": ["coach"]},
        ).json()["error"]
        == "last_admin"
    )


def test_only_admins_manage_people_and_schools(
    api_as: Callable[..., Api], admin: Api, district: str
) -> None:
    teacher = api_as("t-1", district=district, school="north")
    assert (
        teacher.call(
            "POST", "/directory/people", json={"given_name": "X", "roles": ["admin"]}
        ).status_code
        == 403
    )
    assert teacher.call("PUT", "/directory/schools/west", json={"name": "West"}).status_code == 403
    assert teacher.call("GET", "/directory/people").status_code == 403
    assert teacher.ok("GET", "/directory/people/t-1")["id"] == "t-1"
    assert teacher.call("GET", "/directory/people/admin-1").status_code == 403
    assert {s["name"] for s in teacher.ok("GET", "/directory/schools")["items"]} >= {
        "North Elementary"
    }


def test_the_picker_finds_people_and_groups_of_the_district_only(
    admin: Api, district: str, api_as: Callable[..., Api]
) -> None:
    _person(
        admin,
        id="zoe",
        given_name="Zoë",
        family_name="Núñez",
        email="zn@north.example",
        schools=["north"],
    )
    _person(
        admin,
        id="zack",
        given_name="Zack",
        family_name="Brown",
        roles=["coach"],
        schools=["north", "south"],
    )
    off = _person(admin, id="zed", given_name="Zed", family_name="Gone")
    admin.ok("PATCH", "/directory/people/zed", json={"version": off["version"], "active": False})
    api_as("zelda", district=f"d-{secrets.token_hex(4)}")  # another district's Zelda
    teacher = api_as("t-1", district=district, school="north")
    admin.ok("POST", "/directory/groups", 201, json={"name": "Zone PLC"})

    found = teacher.ok("GET", "/directory/search?q=z")
    assert [p["name"] for p in found["people"]] == ["Zack Brown", "Zoë Núñez"]
    assert [g["name"] for g in found["groups"]] == ["Zone PLC"]
    zack = found["people"][0]
    assert zack["roles"] == ["coach"]
    assert [s["name"] for s in zack["schools"]] == ["North Elementary", "South Middle"]
    # Family names, accents and emails match too.
    assert [p["id"] for p in teacher.ok("GET", "/directory/search?q=nunez")["people"]] == ["zoe"]
    assert [p["id"] for p in teacher.ok("GET", "/directory/search?q=ZN@")["people"]] == ["zoe"]
    assert teacher.ok("GET", "/directory/search?q=zelda")["people"] == []
    names = teacher.ok("GET", "/directory/names?ids=zoe,zack,nobody")["items"]
    assert {(n["id"], n["name"]) for n in names} == {("zoe", "Zoë Núñez"), ("zack", "Zack Brown")}
    # An id longer than any the directory makes names no one (it would not fit a key).
    too_long = "z" * 3000
    named = teacher.ok("GET", f"/directory/names?ids=zoe,{too_long}")["items"]
    assert [n["id"] for n in named] == ["zoe"]


def test_groups_nest_without_loops_and_follow_their_members(
    admin: Api, district: str, api_as: Callable[..., Api], local_stack: LocalStack
) -> None:
    lead = api_as("lead", district=district, school="north")
    member = api_as("member", district=district, school="north")
    outsider = api_as("outsider", district=district, school="north")
    plc = lead.ok(
        "POST",
        "/directory/groups",
        201,
        json={"name": "Grade 3 PLC", "members": [{"id": "member"}]},
    )
    assert [o["id"] for o in plc["owners"]] == ["lead"] and plc["can_manage"] is True
    assert member.ok("GET", "/me")["groups"] == [plc["id"]]
    assert outsider.call("GET", f"/directory/groups/{plc['id']}").status_code == 404
    assert (
        member.call(
            "POST", f"/directory/groups/{plc['id']}/members", json={"id": "outsider"}
        ).status_code
        == 403
    )

    team = admin.ok(
        "POST",
        "/directory/groups",
        201,
        json={"name": "Elementary team", "members": [{"id": plc["id"], "kind": "group"}]},
    )
    # Membership flows up: the PLC's member is in the team too.
    assert set(member.ok("GET", "/me")["groups"]) == {plc["id"], team["id"]}
    loop = lead.call(
        "POST", f"/directory/groups/{plc['id']}/members", json={"id": team["id"], "kind": "group"}
    )
    assert loop.status_code == 400 and loop.json()["field"] == "id"
    assert "circular" in loop.json()["message"]
    itself = admin.call(
        "POST", f"/directory/groups/{team['id']}/members", json={"id": team["id"], "kind": "group"}
    )
    assert itself.status_code == 400

    lead.ok("DELETE", f"/directory/groups/{plc['id']}/members/member")
    assert member.ok("GET", "/me")["groups"] == []
    stale = lead.call(
        "PATCH", f"/directory/groups/{plc['id']}", json={"version": plc["version"] + 5, "name": "x"}
    )
    assert stale.status_code == 409
    renamed = lead.ok(
        "PATCH",
        f"/directory/groups/{plc['id']}",
        json={"version": plc["version"], "name": "Grade 3 math PLC"},
    )
    assert renamed["name"] == "Grade 3 math PLC"
    assert lead.call("DELETE", f"/directory/groups/{plc['id']}").status_code == 204
    assert admin.ok("GET", f"/directory/groups/{team['id']}")["members"] == []


def test_only_admins_make_caseloads_and_a_caseload_names_its_coach(
    admin: Api, district: str, api_as: Callable[..., Api]
) -> None:
    coach = api_as("coach-3", Role.COACH, district=district, school="north")
    refused = coach.call("POST", "/directory/groups", json={"name": "Mine", "kind": "caseload"})
    assert refused.status_code == 403
    ownerless = admin.call(
        "POST", "/directory/groups", json={"name": "Nobody's", "kind": "caseload"}
    )
    assert ownerless.status_code == 400 and ownerless.json()["field"] == "owners"
    caseload = admin.ok(
        "POST",
        "/directory/groups",
        201,
        json={"name": "Coach 3's caseload", "kind": "caseload", "owners": [{"id": "coach-3"}]},
    )
    assert caseload["can_manage"] is True
    seen_by_coach = coach.ok("GET", f"/directory/groups/{caseload['id']}")
    assert seen_by_coach["can_manage"] is False
    assert (
        coach.call(
            "POST", f"/directory/groups/{caseload['id']}/members", json={"id": "coach-3"}
        ).status_code
        == 403
    )


def test_every_directory_change_is_in_the_audit_trail(admin: Api, district: str) -> None:
    ana = _person(admin, id="ana")
    admin.ok(
        "PATCH",
        "/directory/people/ana",
        json={"version": ana["version"], "roles": ["coach"], "active": False},
    )
    group = admin.ok(
        "POST", "/directory/groups", 201, json={"name": "Team", "members": [{"id": "ana"}]}
    )
    admin.ok("DELETE", f"/directory/groups/{group['id']}/members/ana")
    entries = admin.ok("GET", f"/audit?since={date.today().isoformat()}")["items"]
    seen = {(e["action"], e["subject"]) for e in entries}
    assert {
        ("school.saved", "north"),
        ("person.added", "ana"),
        ("person.changed", "ana:roles"),
        ("person.deactivated", "ana"),
        ("group.created", group["id"]),
        ("group.member_added", f"{group['id']}:ana"),
        ("group.member_removed", f"{group['id']}:ana"),
    } <= seen
    assert {e["actor_id"] for e in entries if (e["subject"] or "").endswith("ana")} == {"admin-1"}
