"""Rostering through the API and `classreel roster import`: a dry run that changes nothing,
an apply that makes exactly its diff, idempotent, deactivating who left; a bad bundle is
refused naming file, line and field, and changes nothing."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Role
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.roster_bundle import Staff, district
from tests.support.seed import ready_video

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-m", "classreel.cli.main", "roster", "import"]


@pytest.fixture
def name() -> str:
    return f"d-{secrets.token_hex(4)}"


@pytest.fixture
def admin(api_as: Callable[..., Api], name: str) -> Api:
    return api_as("admin-1", Role.ADMIN, district=name, school=None)


def _import(admin: Api, files: dict[str, str], **body: Any) -> dict[str, Any]:
    report: dict[str, Any] = admin.ok("POST", "/directory/imports", json={"files": files, **body})
    return report


def _people(admin: Api) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in admin.ok("GET", "/directory/people?limit=500")["items"]}


def test_dry_run_then_apply_then_exactly_the_diff(
    admin: Api, name: str, local_stack: LocalStack
) -> None:
    made = district(schools=3, staff=40, domain=f"{name}.example")
    made.staff["u-00003"].schools = ["sch-001", "sch-002", "sch-003"]
    made.staff["u-00005"].schools = ["sch-001"]
    files = made.files("1.2")
    dry = _import(admin, files)
    assert dry["applied"] is False and dry["can_apply"] is True and dry["version"] == "1.2"
    assert dry["counts"]["creates"] == 40 and dry["counts"]["new_schools"] == 3
    assert dry["skipped"] == {"aide": 1, "students and families": 2}
    assert set(_people(admin)) == {"admin-1"}, "a dry run changes nothing"

    applied = _import(admin, files, apply=True, digest=dry["digest"])
    assert applied["applied"] is True
    people = _people(admin)
    assert len(people) == 41
    coach = people["u-00003"]
    assert [s["id"] for s in coach["schools"]] == ["sch-001", "sch-002", "sch-003"]
    assert coach["source"] == "roster" and coach["email"] == f"u-00003@{name}.example"
    # Someone imported can be given ClassReel's own roles: a later import keeps them.
    admin.ok(
        "PATCH",
        "/directory/people/u-00003",
        json={"version": coach["version"], "roles": ["teacher", "coach"]},
    )
    again = _import(admin, files)
    assert again["counts"] == {**again["counts"], "creates": 0, "updates": 0, "deactivations": 0}

    # The second import: one renamed, one moved, one switched off, one gone, one new.
    made.staff["u-00004"].given = "Renamed"
    made.staff["u-00005"].schools = ["sch-003"]
    made.staff["u-00006"].enabled = False
    del made.staff["u-00007"]
    made.staff["new-1"] = Staff(
        "new-1", "Newt", "Hire", f"new-1@{name}.example", "teacher", ["sch-001"]
    )
    teacher = Api(
        local_stack.api_url,
        DevIssuer(local_stack.settings()).mint(user_id="u-00007", district=name),
    )
    video = ready_video("u-00007", district=name, school="sch-001", title="Still here")
    assert teacher.ok("GET", f"/videos/{video.video_id}")["title"] == "Still here"
    dry = _import(admin, made.files("1.1"))
    assert {p["id"]: p["changes"] for p in dry["updates"]} == {
        "u-00004": ["given_name"],
        "u-00005": ["schools", "home_school"],
        "u-00006": ["active"],
    }
    assert [p["id"] for p in dry["deactivations"]] == ["u-00007"]
    assert [(p["id"], p["line"]) for p in dry["creates"]] == [("new-1", 41)]
    _import(admin, made.files("1.1"), apply=True, digest=dry["digest"])
    people = _people(admin)
    assert people["u-00004"]["name"].startswith("Renamed")
    assert people["u-00007"]["active"] is False and people["u-00006"]["active"] is False
    assert set(people["u-00003"]["roles"]) == {"teacher", "coach"}
    refused = teacher.call("GET", f"/videos/{video.video_id}")
    assert refused.status_code == 403 and refused.json()["error"] == "account_inactive"
    assert admin.ok("GET", f"/videos/{video.video_id}")["title"] == "Still here"
    third = _import(admin, made.files("1.1"))
    assert sum(third["counts"][k] for k in ("creates", "updates", "deactivations")) == 0


def test_a_bad_bundle_is_refused_and_changes_nothing(admin: Api, name: str) -> None:
    made = district(schools=2, staff=6, domain=f"{name}.example")
    files = made.files("1.1")
    bad = {
        **files,
        "users.csv": files["users.csv"].replace(
            f"u-00004@{name}.example", f"u-00003@{name}.example"
        ),
    }
    dry = _import(admin, bad)
    assert dry["can_apply"] is False
    (problem,) = dry["errors"]
    assert (problem["file"], problem["line"], problem["field"]) == ("users.csv", 6, "email")
    refused = admin.call("POST", "/directory/imports", json={"files": bad, "apply": True})
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == "invalid_input" and body["field"] == "users.csv:6:email"
    assert "line 6" in body["message"] and body["errors"][0]["line"] == 6
    assert set(_people(admin)) == {"admin-1"}

    stale = _import(admin, files)["digest"]
    made.staff["u-00001"].given = "Changed"
    moved_on = admin.call(
        "POST",
        "/directory/imports",
        json={"files": made.files("1.1"), "apply": True, "digest": stale},
    )
    assert moved_on.status_code == 409 and moved_on.json()["field"] == "digest"
    assert set(_people(admin)) == {"admin-1"}


def test_the_cli_shows_the_dry_run_then_applies(
    admin: Api, name: str, local_stack: LocalStack, tmp_path: Path
) -> None:
    made = district(schools=2, staff=8, domain=f"{name}.example")
    bundle = made.write(tmp_path / "bundle", "1.1")
    (bundle / "enrollments.csv").write_text("not,read\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}
    env.update(CLASSREEL_API=local_stack.api_url, CLASSREEL_TOKEN=admin.token)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    dry = run(str(bundle))
    assert dry.returncode == 0, dry.stderr
    assert "8 to add" in dry.stdout and "Dry run: nothing was changed" in dry.stdout
    assert set(_people(admin)) == {"admin-1"}
    applied = run(str(bundle), "--apply", "--yes")
    assert applied.returncode == 0, applied.stderr
    assert "Imported: 8 added" in applied.stdout
    assert len(_people(admin)) == 9
    assert "nothing to do" in run(str(bundle), "--apply", "--yes").stdout

    users = bundle / "users.csv"
    users.write_text(users.read_text().replace("givenName", "firstName"))
    refused = run(str(bundle), "--apply", "--yes")
    assert refused.returncode == 1
    assert "users.csv line 1 (firstName): unknown column 'firstName'" in refused.stdout
