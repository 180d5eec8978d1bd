"""``COLLECTION#{id}`` / ``META``: a collection and its ordered items; ``SHARE#{recipient}``
beside it: a grant to a person or a group (``GROUP#{id}``).

Indexes: gsi1 ``COLLECTIONS#{district}#{owner}``: a curator's own collections; grants: gsi1
``SHAREDCOLLECTION#{district}#{recipient}``: what was shared with a person or a group.
Both sorted ``{created_at}#{id}``, newest first.
"""

from __future__ import annotations

import secrets

from pynamodb.attributes import (
    ListAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.base import Document, Gsi1, TableModel, utcnow

MAX_ITEMS = 100


def new_collection_id() -> str:
    return "col_" + secrets.token_hex(8)


def owner_partition(district: str, owner_id: str) -> str:
    return f"COLLECTIONS#{district}#{owner_id}"


def shared_partition(district: str, recipient: str) -> str:
    return f"SHAREDCOLLECTION#{district}#{recipient}"


def group_recipient(group_id: str) -> str:
    return f"GROUP#{group_id}"


class ItemAttr(Document):
    clip_id = UnicodeAttribute()
    # Why this clip is here ("watch the pause before the question"), the curator's words.
    note = UnicodeAttribute(null=True)


class CollectionRecord(TableModel):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_owner = Gsi1()

    collection_id = UnicodeAttribute()
    district = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    items = ListAttribute(of=ItemAttr, default=list)
    # Whose members curate it with its owner (a PLC), if any.
    curator_group = UnicodeAttribute(null=True)
    shared_with = UnicodeSetAttribute(null=True)
    shared_groups = UnicodeSetAttribute(null=True)
    created_at = UTCDateTimeAttribute(default_for_new=utcnow)
    updated_at = UTCDateTimeAttribute(default_for_new=utcnow)
    version = VersionAttribute()

    @staticmethod
    def key(collection_id: str) -> tuple[str, str]:
        return f"COLLECTION#{collection_id}", "META"

    @classmethod
    def load(cls, collection_id: str) -> CollectionRecord | None:
        try:
            return cls.get(*cls.key(collection_id), consistent_read=True)
        except cls.DoesNotExist:
            return None

    @property
    def sort_key(self) -> str:
        return f"{self.created_at.isoformat()}#{self.collection_id}"

    @property
    def recipients(self) -> set[str]:
        """Everyone with a grant: people by name, groups (the curators' too)."""
        groups = set(self.shared_groups or ()) | (
            {self.curator_group} if self.curator_group else set()
        )
        return set(self.shared_with or ()) | {group_recipient(g) for g in groups}

    def index_keys(self) -> CollectionRecord:
        self.gsi1pk = owner_partition(self.district, self.owner_id)
        self.gsi1sk = self.sort_key
        return self


class CollectionShare(TableModel):
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_recipient = Gsi1()
    collection_id = UnicodeAttribute()
    recipient = UnicodeAttribute()

    @staticmethod
    def key(collection_id: str, recipient: str) -> tuple[str, str]:
        return f"COLLECTION#{collection_id}", f"SHARE#{recipient}"

    @classmethod
    def for_collection(cls, collection: CollectionRecord, recipient: str) -> CollectionShare:
        return cls(
            *cls.key(collection.collection_id, recipient),
            gsi1pk=shared_partition(collection.district, recipient),
            gsi1sk=collection.sort_key,
            collection_id=collection.collection_id,
            recipient=recipient,
        )
