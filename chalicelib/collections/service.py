"""Curating collections of library clips and sharing them with people and groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import TransactWriteError

from chalicelib.audit import service as audit
from chalicelib.audit.models import AuditAction
from chalicelib.auth.principal import Principal
from chalicelib.clips.models import ClipRecord
from chalicelib.collections.models import (
    CollectionRecord,
    CollectionShare,
    ItemAttr,
    group_recipient,
    new_collection_id,
    owner_partition,
    shared_partition,
)
from chalicelib.collections.rules import can_curate, can_view, order_problem
from chalicelib.collections.schemas import (
    CollectionItemView,
    CollectionSharing,
    CollectionSummary,
    CollectionView,
    CreateCollectionRequest,
    ItemInput,
    SharedWithView,
    UpdateCollectionRequest,
)
from chalicelib.db.base import is_transaction_conflict, transaction, utcnow
from chalicelib.directory import service as directory
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound

# A curator's own, and what is shared with each of their groups: a handful of queries.
LIST_LIMIT = 100


def visible(principal: Principal, collection_id: str) -> CollectionRecord:
    collection = CollectionRecord.load(collection_id)
    if collection is None or not can_view(principal, collection):
        raise NotFound("Collection not found")
    return collection


def curated(principal: Principal, collection_id: str) -> CollectionRecord:
    collection = visible(principal, collection_id)
    if not can_curate(principal, collection):
        raise Forbidden("Only its curators (and district admins) can change a collection")
    return collection


def _items(principal: Principal, items: list[ItemInput]) -> list[ItemAttr]:
    """Library clips of the caller's district only, each once."""
    problem = order_problem([i.clip_id for i in items])
    if problem:
        raise InvalidInput(problem, field="items")
    clips = _clips(i.clip_id for i in items)
    for item in items:
        clip = clips.get(item.clip_id)
        if clip is None or clip.district != principal.district or not clip.published:
            raise InvalidInput(
                f"The clip {item.clip_id} is not in your district's library", field="items"
            )
    return [ItemAttr(clip_id=i.clip_id, note=i.note or None) for i in items]


def _clips(ids: Iterable[str]) -> dict[str, ClipRecord]:
    keys = [ClipRecord.key(i) for i in dict.fromkeys(ids)]
    return {c.clip_id: c for c in ClipRecord.batch_get(keys)} if keys else {}


def _check_sharing(
    principal: Principal, sharing: CollectionSharing, curator_group: str | None
) -> None:
    named = directory.names(
        principal.district,
        [*sharing.users, *sharing.groups, *([curator_group] if curator_group else [])],
    )
    for person in sharing.users:
        if named.get(person) is None or named[person].kind != "person":
            raise InvalidInput(
                f"Nobody in your district's directory has the id {person}", field="sharing.users"
            )
    for group in [*sharing.groups, *([curator_group] if curator_group else [])]:
        if named.get(group) is None or named[group].kind != "group":
            field = "curator_group" if group == curator_group else "sharing.groups"
            raise InvalidInput(f"Your district has no group {group}", field=field)


def create(principal: Principal, request: CreateCollectionRequest) -> CollectionRecord:
    _check_sharing(principal, request.sharing, request.curator_group)
    collection_id = new_collection_id()
    collection = CollectionRecord(
        *CollectionRecord.key(collection_id),
        collection_id=collection_id,
        district=principal.district,
        owner_id=principal.user_id,
        title=request.title,
        description=request.description or None,
        items=_items(principal, request.items),
        curator_group=request.curator_group,
        shared_with=set(request.sharing.users) - {principal.user_id} or None,
        shared_groups=set(request.sharing.groups) or None,
    ).index_keys()
    with transaction() as tx:
        tx.save(collection, condition=CollectionRecord.pk.does_not_exist())
        for recipient in collection.recipients:
            tx.save(CollectionShare.for_collection(collection, recipient))
    audit.record(
        principal,
        audit.Event(AuditAction.COLLECTION_CREATED, principal.district, subject=collection_id),
    )
    return collection


def update(
    principal: Principal, collection_id: str, request: UpdateCollectionRequest
) -> CollectionRecord:
    collection = curated(principal, collection_id)
    if int(collection.version) != request.version:
        raise Conflict(
            "The collection changed since you read it; read again and retry", field="version"
        )
    actions: list[Any] = [CollectionRecord.updated_at.set(utcnow())]
    if request.title is not None:
        actions.append(CollectionRecord.title.set(request.title))
    if "description" in request.model_fields_set:
        actions.append(
            CollectionRecord.description.set(request.description)
            if request.description
            else CollectionRecord.description.remove()
        )
    if request.items is not None:
        actions.append(CollectionRecord.items.set(_items(principal, request.items)))
    before = collection.recipients
    after = before
    if request.sharing is not None:
        _check_sharing(principal, request.sharing, None)
        users = set(request.sharing.users) - {collection.owner_id}
        groups = set(request.sharing.groups)
        actions.append(
            CollectionRecord.shared_with.set(users)
            if users
            else CollectionRecord.shared_with.remove()
        )
        actions.append(
            CollectionRecord.shared_groups.set(groups)
            if groups
            else CollectionRecord.shared_groups.remove()
        )
        curators = (
            {group_recipient(collection.curator_group)} if collection.curator_group else set()
        )
        after = users | {group_recipient(g) for g in groups} | curators
    try:
        with transaction() as tx:
            tx.update(collection, actions=actions)
            for recipient in after - before:
                tx.save(CollectionShare.for_collection(collection, recipient))
            for recipient in before - after:
                tx.delete(CollectionShare(*CollectionShare.key(collection_id, recipient)))
    except TransactWriteError as exc:
        if is_transaction_conflict(exc):
            raise Conflict(
                "The collection changed while you edited it; please retry", field="version"
            ) from exc
        raise
    audit.record(
        principal,
        audit.Event(AuditAction.COLLECTION_CHANGED, principal.district, subject=collection_id),
    )
    refreshed = CollectionRecord.load(collection_id)
    if refreshed is None:
        raise NotFound("Collection not found")
    return refreshed


def delete(principal: Principal, collection_id: str) -> None:
    collection = curated(principal, collection_id)
    with CollectionShare.batch_write() as batch:
        for recipient in collection.recipients:
            batch.delete(CollectionShare(*CollectionShare.key(collection_id, recipient)))
    collection.delete()
    audit.record(
        principal,
        audit.Event(AuditAction.COLLECTION_DELETED, principal.district, subject=collection_id),
    )


def list_for(principal: Principal) -> list[CollectionRecord]:
    """Newest first: the caller's own, those shared with them or any of their groups."""
    district = principal.district
    ids: dict[str, str] = {}
    for collection in CollectionRecord.by_owner.query(
        owner_partition(district, principal.user_id), scan_index_forward=False, limit=LIST_LIMIT
    ):
        ids[collection.collection_id] = collection.sort_key
    for recipient in [principal.user_id, *(group_recipient(g) for g in sorted(principal.groups))]:
        for grant in CollectionShare.by_recipient.query(
            shared_partition(district, recipient), scan_index_forward=False, limit=LIST_LIMIT
        ):
            ids[grant.collection_id] = str(grant.gsi1sk)
    newest = sorted(ids, key=lambda i: ids[i], reverse=True)[:LIST_LIMIT]
    found = {
        c.collection_id: c
        for c in CollectionRecord.batch_get([CollectionRecord.key(i) for i in newest])
    }
    return [found[i] for i in newest if i in found and can_view(principal, found[i])]


def _names(district: str, ids: Iterable[str]) -> dict[str, str]:
    return {i: ref.name for i, ref in directory.names(district, ids).items()}


def summaries(collections: list[CollectionRecord]) -> list[CollectionSummary]:
    names = (
        _names(collections[0].district, {c.owner_id for c in collections}) if collections else {}
    )
    return [_summary(c, names) for c in collections]


def _summary(collection: CollectionRecord, names: dict[str, str]) -> CollectionSummary:
    return CollectionSummary(
        id=collection.collection_id,
        title=collection.title,
        description=collection.description,
        owner_id=collection.owner_id,
        owner_name=names.get(collection.owner_id, "Someone no longer in the directory"),
        clips=len(collection.items),
        created_at=collection.created_at,
    )


def view(collection: CollectionRecord, principal: Principal) -> CollectionView:
    clips = _clips(i.clip_id for i in collection.items)
    curator = can_curate(principal, collection)
    people = sorted(collection.shared_with or ())
    groups = sorted(collection.shared_groups or ())
    extra = [collection.curator_group] if collection.curator_group else []
    names = _names(collection.district, [collection.owner_id, *people, *groups, *extra])

    def shared(i: str, kind: str) -> SharedWithView:
        return SharedWithView(id=i, kind=kind, name=names.get(i, i))

    items = []
    for item in collection.items:
        clip = clips.get(item.clip_id)
        available = clip is not None and bool(clip.published)
        items.append(
            CollectionItemView(
                clip_id=item.clip_id,
                title=clip.title if clip is not None and available else "No longer in the library",
                duration_s=float(clip.end_s - clip.start_s)
                if clip is not None and available
                else None,
                elements=list(clip.tags or []) if clip is not None and available else [],
                note=item.note,
                available=available,
            )
        )
    return CollectionView(
        **_summary(collection, names).model_dump(),
        items=items,
        curator_group=shared(collection.curator_group, "group")
        if collection.curator_group
        else None,
        shared_with=[*(shared(g, "group") for g in groups), *(shared(p, "person") for p in people)]
        if curator
        else [],
        can_curate=curator,
        version=int(collection.version or 0),
    )
