"""The ingest Lambda's batch entry point: S3 notifications from the ingest queue."""

from __future__ import annotations

from typing import Any

from chalicelib.config import Settings
from chalicelib.ingest.events import ObjectCreated, parse_s3_notification
from chalicelib.ingest.worker import process_upload
from chalicelib.jobs.batch import Delivery, consume


def _handle(delivery: Delivery[list[ObjectCreated]], settings: Settings) -> str:
    # One notification may name several objects; S3 sends one, tests send more.
    outcomes = [
        process_upload(created, last_attempt=delivery.last_attempt, settings=settings)
        for created in delivery.message
    ]
    return ",".join(outcomes) or "no_objects"


def handle_ingest_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(event, context, queue_key="ingest", parse=parse_s3_notification, handle=_handle)
