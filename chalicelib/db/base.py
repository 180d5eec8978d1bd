"""PynamoDB base model bound to the single table named in settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self

from pynamodb.attributes import MapAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # PynamoDB caches a connection, built from the model's index schema, on
        # the class. A model must not inherit its parent's: that schema lacks the
        # model's own indexes ("Table has no index: gsi1").
        cls._connection = None

    @classmethod
    def unread(cls, pk: str, sk: str) -> Self:
        """A handle for updating an item without reading it first (alone or in a transaction).

        PynamoDB *sets* the version to 1 when the local value is unknown; a local
        0 makes it *increment* instead, keeping optimistic locking intact for
        readers that hold an older version. Update it with ``add_version_condition=False``.
        """
        item = cls(pk, sk)
        if cls._version_attribute_name:
            setattr(item, cls._version_attribute_name, 0)
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
    free port after the models are defined).
    """
    settings = settings or get_settings()
    meta: Any = TableModel.Meta
    meta.table_name = settings.table_name
    meta.region = settings.region
    meta.host = settings.dynamodb_endpoint_url
    for model in _all_models(TableModel):
        model._connection = None


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


def transaction() -> TransactWrite:
    """A TransactWrite on the table's connection (all-or-nothing across items)."""
    return TransactWrite(connection=TableModel._get_connection().connection)


def is_transaction_conflict(error: PynamoDBException) -> bool:
    """A transaction refused because a condition failed or another write raced it."""
    return error.cause_response_code in (
        "TransactionCanceledException",
        "ConditionalCheckFailedException",
        "TransactionConflictException",
    )


def delete_partition(pk: str) -> int:
    """Delete every item whose partition key is ``pk``; returns how many."""
    keys = [(item.pk, item.sk) for item in TableModel.query(pk, attributes_to_get=["pk", "sk"])]
    with TableModel.batch_write() as batch:
        for pk_value, sk_value in keys:
            batch.delete(TableModel(pk_value, sk_value))
    return len(keys)
