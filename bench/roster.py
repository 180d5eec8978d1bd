"""Issue 19's goal: a rostering import of 39 schools and 2,000 staff in under a minute
locally, and a second import with changes applying exactly its diff (measured, not a test).

Through the public API as an admin's CLI would send it: a dry run, the apply, then a
changed bundle (names, schools, people gone and new), its dry run and apply, and a third
run of that bundle, which must find nothing to do.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from chalicelib.auth.principal import Role
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.roster_bundle import Staff, district
from tests.support.users import TokenFactory


def _timed(
    api: Api, files: dict[str, str], *, apply: bool, digest: str | None = None
) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    report = api.ok(
        "POST", "/directory/imports", json={"files": files, "apply": apply, "digest": digest}
    )
    return report, time.perf_counter() - started


def import_district(
    stack: LocalStack, tokens: TokenFactory, schools: int, staff: int
) -> dict[str, Any]:
    name = f"bench-roster-{secrets.token_hex(3)}"
    api = Api(stack.api_url, tokens.token("bench-admin", Role.ADMIN, district=name, school=None))
    made = district(schools=schools, staff=staff, domain=f"{name}.example")
    first = made.files("1.1")
    dry, dry_s = _timed(api, first, apply=False)
    applied, apply_s = _timed(api, first, apply=True, digest=dry["digest"])
    # The second import: a few renamed, a few moved, a few gone, a few new.
    people = list(made.staff.values())
    renamed, moved, gone = people[1:21], people[21:41], people[41:61]
    for person in renamed:
        person.given += "-Renamed"
    first_school = next(iter(made.schools))
    really_moved = {p.sourced_id for p in moved if p.schools != [first_school]}
    for person in moved:
        person.schools = [first_school]
    for person in gone:
        del made.staff[person.sourced_id]
    for n in range(15):
        made.staff[f"new-{n}"] = Staff(
            f"new-{n}",
            "New",
            "Hire",
            f"new-{n}@{name}.example",
            "teacher",
            [first_school],
        )
    second = made.files("1.1")
    dry2, dry2_s = _timed(api, second, apply=False)
    applied2, apply2_s = _timed(api, second, apply=True, digest=dry2["digest"])
    again, again_s = _timed(api, second, apply=False)
    expected = {"creates": 15, "deactivations": len(gone)}
    changed = {p["id"] for p in applied2["updates"]}
    exact = (
        applied2["counts"]["creates"] == expected["creates"]
        and applied2["counts"]["deactivations"] == expected["deactivations"]
        and changed == {p.sourced_id for p in renamed} | really_moved
        and sum(again["counts"][k] for k in ("creates", "updates", "deactivations")) == 0
    )
    return {
        "schools": schools,
        "staff": staff,
        "first": {"dry_run_s": dry_s, "apply_s": apply_s, "counts": applied["counts"]},
        "second": {"dry_run_s": dry2_s, "apply_s": apply2_s, "counts": applied2["counts"]},
        "third_dry_run_s": again_s,
        "diff_exact": exact,
    }
