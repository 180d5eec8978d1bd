"""PynamoDB base model bound to the single table named in settings."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, Self, TypeVar

from pynamodb.attributes import Attribute, MapAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.connection import Connection
from pynamodb.constants import STRING
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.update import RemoveAction, SetAction
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.config import Settings, get_settings


class TableModel(Model):
    """Base for every record type: all share one table and its pk/sk keys."""

    class Meta:
        table_name = get_settings().table_name
        region = get_settings().region
        host = get_settings().dynamodb_endpoint_url
        connect_timeout_seconds = 3
        read_timeout_seconds = 10
        max_retry_attempts = 2

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)

    # PynamoDB caches a connection, built from the model's index schema, on the
    # class where it is first used, and a subclass inherits its parent's until it
    # makes its own. So TableModel itself never talks to the table (its schema
    # lacks the records' indexes: "Table has no index: gsi1"): ``transaction``
    # has a connection of its own, ``delete_partition`` goes through ``AnyItem``.

    @classmethod
    def unread(cls, pk: str, sk: str) -> Self:
        """A handle for updating an item without reading it first (alone or in a transaction).

        PynamoDB *sets* the version to 1 when the local value is unknown; a local
        0 makes it *increment* instead, keeping optimistic locking intact for
        readers that hold an older version. Update it with ``add_version_condition=False``.
        """
        item = cls(pk, sk)
        for name, attribute in cls.get_attributes().items():
            if isinstance(attribute, VersionAttribute):
                setattr(item, name, 0)
        return item

    @classmethod
    def update_item(cls, pk: str, sk: str, *, actions: list[Any], condition: Any = None) -> Self:
        """UpdateItem without reading first; ``condition`` decides, the version still bumps."""
        item = cls.unread(pk, sk)
        item.update(actions=actions, condition=condition, add_version_condition=False)
        return item


def _all_models(cls: type[Model]) -> list[type[Model]]:
    found: list[type[Model]] = [cls]
    for sub in cls.__subclasses__():
        found.extend(_all_models(sub))
    return found


def configure_models(settings: Settings | None = None) -> None:
    """Point every model at the table and endpoint in ``settings``.

    Needed when settings change after import (tests start DynamoDB Local on a
    free port after the models are defined). PynamoDB builds a model's
    connection anew when the model's table name changes, and only then: two
    tables at two endpoints in one process (two local stacks) need two names,
    which is how the test harness runs them.
    """
    settings = settings or get_settings()
    meta: Any = TableModel.Meta
    meta.table_name = settings.table_name
    meta.region = settings.region
    meta.host = settings.dynamodb_endpoint_url


E = TypeVar("E", bound=Enum)


class EnumAttribute(Attribute[E], Generic[E]):
    """A status (or any closed set) stored as its enum's string value.

    Reads (and assignments) give the enum member. Writes and conditions take the member or its
    value (``ReviewStatus.PENDING`` or ``"pending"``), and refuse anything else,
    so no unknown status is ever stored. With a ``StrEnum`` the member still
    compares equal to its string.
    """

    attr_type = STRING

    def __init__(self, enum_type: type[E], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.enum_type = enum_type

    def __set__(self, instance: Any, value: E | str | None) -> None:
        # A record built in code holds the member too, as one read from the table does.
        super().__set__(instance, self.enum_type(value) if value is not None else None)

    def serialize(self, value: E | str) -> str:
        return str(self.enum_type(value).value)

    def deserialize(self, value: str) -> E:
        return self.enum_type(value)

    def set(self, value: Any) -> SetAction | RemoveAction:
        """``status.set(VideoStatus.READY)``; the value (``"ready"``) is checked the same way."""
        return super().set(self.enum_type(value) if isinstance(value, str) else value)


class Document(MapAttribute[str, Any]):
    """A nested map with named attributes (a typed constructor for mypy)."""

    def __init__(self, **attributes: Any) -> None:
        super().__init__(**attributes)  # type: ignore[no-untyped-call]


class _GsiBase(GlobalSecondaryIndex[Any]):
    """Overloaded GSIs: each record type decides what its gsiNpk/gsiNsk mean."""


class Gsi1(_GsiBase):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(_GsiBase):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(_GsiBase):
    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_conditional_check_failure(error: PynamoDBException) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


_connections: dict[tuple[str | None, str | None], Connection] = {}
_connections_lock = threading.Lock()


def table_connection() -> Connection:
    """One low-level connection per endpoint, configured as the models' are."""
    meta: Any = TableModel.Meta
    key = (meta.region, meta.host)
    with _connections_lock:
        if key not in _connections:
            _connections[key] = Connection(
                region=meta.region,
                host=meta.host,
                connect_timeout_seconds=meta.connect_timeout_seconds,
                read_timeout_seconds=meta.read_timeout_seconds,
                max_retry_attempts=meta.max_retry_attempts,
            )
        return _connections[key]


def transaction() -> TransactWrite:
    """A TransactWrite on the table (all-or-nothing across items)."""
    return TransactWrite(connection=table_connection())


def is_transaction_conflict(error: PynamoDBException) -> bool:
    """A transaction refused because a condition failed or another write raced it."""
    return error.cause_response_code in (
        "TransactionCanceledException",
        "ConditionalCheckFailedException",
        "TransactionConflictException",
    )


class AnyItem(TableModel):
    """Any item of the table, by its keys alone (bulk deletes)."""


def delete_partition(pk: str) -> int:
    """Delete every item whose partition key is ``pk``; returns how many."""
    keys = [(item.pk, item.sk) for item in AnyItem.query(pk, attributes_to_get=["pk", "sk"])]
    with AnyItem.batch_write() as batch:
        for pk_value, sk_value in keys:
            batch.delete(AnyItem(pk_value, sk_value))
    return len(keys)
