"""The ingest Lambda's batch entry point: partial batch failures via Powertools."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import aws
from chalicelib.config import get_settings
from chalicelib.ingest.events import MalformedNotification, parse_s3_notification
from chalicelib.ingest.worker import Delivery, process_delivery
from chalicelib.jobs.batch import process_batch
from chalicelib.jobs.retry import RetryLater, delay_redelivery
from chalicelib.observability import logger


def _handle_record(record: SQSRecord) -> None:
    settings = get_settings()
    try:
        objects = parse_s3_notification(record.body)
    except MalformedNotification as exc:
        # Retrying cannot fix a body that is not an S3 notification: log and drop
        # it instead of cycling it to the DLQ.
        logger.error(
            "dropping a message that is not an S3 notification",
            extra={"message_id": record.message_id, "reason": str(exc)},
        )
        return
    attempt = int(record.attributes.approximate_receive_count or 1)
    for created in objects:
        delivery = Delivery(created, attempt, settings.ingest_max_receive_count)
        try:
            outcome = process_delivery(delivery, settings)
        except RetryLater as later:
            delay_redelivery(record, aws.ingest_queue_url(), later.delay_s)
            raise
        logger.info("upload handled", extra={"key": created.key, "outcome": outcome})


def handle_ingest_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_batch(event, context, _handle_record)
