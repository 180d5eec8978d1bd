"""Who sees and curates a collection: pure rules."""

from __future__ import annotations

from chalicelib.auth.principal import Principal, Role
from chalicelib.collections.models import CollectionRecord


def can_view(principal: Principal, collection: CollectionRecord) -> bool:
    if collection.district != principal.district:
        return False
    if can_curate(principal, collection):
        return True
    if principal.user_id in (collection.shared_with or ()):
        return True
    return not principal.groups.isdisjoint(collection.shared_groups or ())


def can_curate(principal: Principal, collection: CollectionRecord) -> bool:
    """Its owner, the members of its curating group, and the district's admins."""
    if collection.district != principal.district:
        return False
    if collection.owner_id == principal.user_id or principal.has_role(Role.ADMIN):
        return True
    return collection.curator_group is not None and collection.curator_group in principal.groups


def order_problem(clip_ids: list[str]) -> str | None:
    """Why a list of items cannot be a collection's order, or None."""
    seen: set[str] = set()
    for clip_id in clip_ids:
        if clip_id in seen:
            return f"The clip {clip_id} is in the list twice"
        seen.add(clip_id)
    return None
