"""The ingest Lambda's batch entry point: partial batch failures via Powertools."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.ingest.events import MalformedNotification, parse_s3_notification
from chalicelib.observability import logger

_processor = BatchProcessor(event_type=EventType.SQS)


def _handle_record(record: SQSRecord) -> None:
    try:
        objects = parse_s3_notification(record.body)
    except MalformedNotification as exc:
        # A poison message: retrying cannot fix it, so it is logged and dropped
        # rather than cycling to the DLQ.
        logger.error(
            "dropping a message that is not an S3 notification",
            extra={"message_id": record.message_id, "reason": str(exc)},
        )
        return
    for created in objects:
        logger.info(
            "upload landed",
            extra={"bucket": created.bucket, "key": created.key, "size": created.size},
        )


def handle_ingest_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=_handle_record, processor=_processor, context=context
    )
    return dict(response)
