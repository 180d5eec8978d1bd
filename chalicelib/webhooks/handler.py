"""The webhook delivery Lambda's batch entry point."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.jobs.batch import process_batch
from chalicelib.observability import logger
from chalicelib.webhooks.delivery import deliver


def _handle_record(record: SQSRecord) -> None:
    outcome = deliver(record.body, get_settings())
    logger.info("webhook delivery", extra={"message_id": record.message_id, "outcome": outcome})


def handle_webhook_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_batch(event, context, _handle_record)
