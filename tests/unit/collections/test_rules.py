"""Who sees and curates a collection."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.auth.principal import Role
from chalicelib.collections.models import CollectionRecord
from chalicelib.collections.rules import can_curate, can_view, order_problem
from tests.support.principals import person


def _collection(**fields: Any) -> CollectionRecord:
    defaults: dict[str, Any] = {
        "collection_id": "col_1",
        "district": "district-a",
        "owner_id": "lead",
        "title": "Wait time",
    }
    return CollectionRecord(*CollectionRecord.key("col_1"), **{**defaults, **fields})


def test_curators_members_and_everyone_else() -> None:
    collection = _collection(curator_group="plc", shared_groups={"grade-3"}, shared_with={"ana"})
    lead, admin = person("lead"), person("boss", Role.ADMIN)
    plc_member = replace(person("raj"), groups=frozenset({"plc"}))
    grade3 = replace(person("sol"), groups=frozenset({"grade-3"}))
    ana, stranger = person("ana"), person("zed")
    assert all(can_curate(p, collection) for p in (lead, admin, plc_member))
    assert not any(can_curate(p, collection) for p in (grade3, ana, stranger))
    assert all(can_view(p, collection) for p in (lead, admin, plc_member, grade3, ana))
    assert not can_view(stranger, collection)
    elsewhere = person("lead", Role.ADMIN, district="district-b")
    assert not can_view(elsewhere, collection) and not can_curate(elsewhere, collection)


def test_a_clip_is_in_a_collection_once() -> None:
    assert order_problem(["a", "b", "c"]) is None
    assert order_problem(["a", "b", "a"]) == "The clip a is in the list twice"
