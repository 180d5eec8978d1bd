"""PynamoDB base model bound to the single table named in settings."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

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
