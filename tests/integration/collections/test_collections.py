"""Collections: a teacher leader curates library clips in order and shares them with a PLC;
its members see it (and curate it when the PLC curates it), a removed member stops seeing it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib.auth.principal import Role
from tests.support.api import Api
from tests.support.seed import ready_clip
from tests.support.workflow import Workflow

pytestmark = pytest.mark.integration


def _published(workflow: Workflow) -> str:
    """A clip of the workflow's video, nominated and approved into the library."""
    return str(workflow.approve(workflow.nominate(workflow.clip(), ["collaborative"]))["clip_id"])


def test_curate_share_reorder_and_follow_the_plc(
    workflow: Workflow, api_as: Callable[..., Api]
) -> None:
    district = workflow.district
    lead = api_as("lead", district=district, school="school-1")
    member = api_as("member", district=district, school="school-2")
    outsider = api_as("outsider", district=district, school="school-2")
    elsewhere = api_as("lead", Role.ADMIN, district=f"{district}-other", school=None)
    first, second = (_published(workflow) for _ in range(2))
    not_published = ready_clip(workflow.video, created_by="coach-r")
    plc = lead.ok(
        "POST",
        "/directory/groups",
        201,
        json={"name": "Grade 3 PLC", "members": [{"id": "member"}]},
    )

    refused = lead.call(
        "POST", "/collections", json={"title": "x", "items": [{"clip_id": not_published.clip_id}]}
    )
    assert refused.status_code == 400 and refused.json()["field"] == "items"
    twice = lead.call(
        "POST",
        "/collections",
        json={"title": "x", "items": [{"clip_id": first}, {"clip_id": first}]},
    )
    assert twice.status_code == 400 and "twice" in twice.json()["message"]

    made = lead.ok(
        "POST",
        "/collections",
        201,
        json={
            "title": "Wait time, grades 3-5",
            "items": [
                {"clip_id": first, "note": "The pause before the question"},
                {"clip_id": second},
            ],
            "sharing": {"groups": [plc["id"]]},
        },
    )
    assert [i["clip_id"] for i in made["items"]] == [first, second]
    assert (
        made["items"][0]["note"] == "The pause before the question"
        and made["items"][0]["available"]
    )
    assert made["shared_with"] == [{"id": plc["id"], "kind": "group", "name": "Grade 3 PLC"}]
    seen = member.ok("GET", f"/collections/{made['id']}")
    assert seen["can_curate"] is False and seen["shared_with"] == []
    assert seen["owner_name"] == "lead"
    assert [c["id"] for c in member.ok("GET", "/collections")["items"]] == [made["id"]]
    assert outsider.call("GET", f"/collections/{made['id']}").status_code == 404
    assert elsewhere.call("GET", f"/collections/{made['id']}").status_code == 404
    assert (
        member.call(
            "PATCH",
            f"/collections/{made['id']}",
            json={"version": made["version"], "title": "mine"},
        ).status_code
        == 403
    )

    reordered = lead.ok(
        "PATCH",
        f"/collections/{made['id']}",
        json={"version": made["version"], "items": [{"clip_id": second}, {"clip_id": first}]},
    )
    assert [i["clip_id"] for i in reordered["items"]] == [second, first]
    stale = lead.call(
        "PATCH", f"/collections/{made['id']}", json={"version": made["version"], "title": "late"}
    )
    assert stale.status_code == 409

    # A clip that leaves the library stays in place, marked, until a curator removes it.
    workflow.admin.ok("POST", f"/library/{first}/unpublish", json={"reason": "A face is visible"})
    shown = member.ok("GET", f"/collections/{made['id']}")["items"]
    assert [(i["clip_id"], i["available"]) for i in shown] == [(second, True), (first, False)]
    assert shown[1]["title"] == "No longer in the library"

    lead.ok("DELETE", f"/directory/groups/{plc['id']}/members/member")
    assert member.call("GET", f"/collections/{made['id']}").status_code == 404
    assert member.ok("GET", "/collections")["items"] == []


def test_a_plc_can_curate_together(workflow: Workflow, api_as: Callable[..., Api]) -> None:
    district = workflow.district
    lead = api_as("lead", district=district, school="school-1")
    api_as("member", district=district, school="school-2")
    member = api_as("member", district=district, school="school-2")
    clip = _published(workflow)
    plc = lead.ok(
        "POST", "/directory/groups", 201, json={"name": "PLC", "members": [{"id": "member"}]}
    )
    made = lead.ok("POST", "/collections", 201, json={"title": "Ours", "curator_group": plc["id"]})
    assert made["curator_group"]["name"] == "PLC"
    seen = member.ok("GET", f"/collections/{made['id']}")
    assert seen["can_curate"] is True
    added = member.ok(
        "PATCH",
        f"/collections/{made['id']}",
        json={"version": seen["version"], "items": [{"clip_id": clip}]},
    )
    assert [i["clip_id"] for i in added["items"]] == [clip]
    assert member.call("DELETE", f"/collections/{made['id']}").status_code == 204
    assert lead.call("GET", f"/collections/{made['id']}").status_code == 404
