"""The clip worker Lambda's batch entry point: one message per clip job."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import aws
from chalicelib.clips.worker import process_clip
from chalicelib.config import get_settings
from chalicelib.jobs.batch import process_batch
from chalicelib.jobs.retry import RetryLater, delay_redelivery
from chalicelib.observability import logger


def _clip_id(body: str) -> str | None:
    try:
        message = json.loads(body)
    except ValueError:
        return None
    clip_id = message.get("clip_id") if isinstance(message, dict) else None
    return clip_id if isinstance(clip_id, str) and clip_id else None


def _handle_record(record: SQSRecord) -> None:
    settings = get_settings()
    clip_id = _clip_id(record.body)
    if clip_id is None:
        # Retrying cannot fix a body that is not a clip job: drop it, loudly.
        logger.error("dropping a message that is not a clip job", extra={"id": record.message_id})
        return
    attempt = int(record.attributes.approximate_receive_count or 1)
    try:
        outcome = process_clip(
            clip_id, last_attempt=attempt >= settings.clip_max_receive_count, settings=settings
        )
    except RetryLater as later:
        delay_redelivery(record, aws.clip_queue_url(), later.delay_s)
        raise
    logger.info("clip job handled", extra={"clip_id": clip_id, "outcome": outcome})


def handle_clip_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_batch(event, context, _handle_record)
