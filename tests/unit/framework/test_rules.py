"""A district's framework: tags are active elements; elements in use are retired, not deleted."""

from __future__ import annotations

import pytest

from chalicelib.errors import Conflict, InvalidInput
from chalicelib.framework.schemas import Element
from chalicelib.framework.service import active_tags, check_replacement


def test_tags_are_active_elements_deduplicated_in_order() -> None:
    assert active_tags(["b", "a", "b"], {"a", "b"}) == ["b", "a"]
    with pytest.raises(InvalidInput, match="retired-one") as refused:
        active_tags(["a", "retired-one"], {"a"}, field="scores")
    assert refused.value.field == "scores"


def _element(element_id: str, retired: bool = False) -> Element:
    return Element(id=element_id, label=element_id.title(), retired=retired)


def test_an_element_in_use_may_be_retired_but_not_deleted() -> None:
    check_replacement(["a", "b"], [_element("a"), _element("b", retired=True)], {"b": 3})
    check_replacement(["a", "b"], [_element("a")], {"b": 0})
    with pytest.raises(Conflict, match=r"b \(3 uses\)"):
        check_replacement(["a", "b"], [_element("a")], {"b": 3})


def test_one_element_stays_active() -> None:
    with pytest.raises(InvalidInput, match="active"):
        check_replacement(["a"], [_element("a", retired=True)], {})
