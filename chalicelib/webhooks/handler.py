"""The webhook delivery Lambda's batch entry point."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.observability import logger
from chalicelib.webhooks.delivery import deliver

_processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _handle_record(record: SQSRecord) -> None:
    outcome = deliver(record.body, get_settings())
    logger.info("webhook delivery", extra={"message_id": record.message_id, "outcome": outcome})


def handle_webhook_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=_handle_record, processor=_processor, context=context
        )
    )
