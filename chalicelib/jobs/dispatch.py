"""Putting a job on its queue (the registry says where)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.jobs.queues import work_queue
from chalicelib.observability import CORRELATION_ATTRIBUTE, logger

# SQS's own limits.
MAX_DELAY_S = 900
MAX_BATCH = 10


def correlation_attributes() -> dict[str, Any]:
    """The request's (or job's) correlation id as a message attribute, so the worker's logs
    carry it too (chalicelib/jobs/batch.py reads it)."""
    correlation_id = logger.get_correlation_id()
    if not correlation_id:
        return {}
    return {CORRELATION_ATTRIBUTE: {"DataType": "String", "StringValue": correlation_id}}


def enqueue(queue_key: str, message: BaseModel, settings: Settings, delay_s: int = 0) -> None:
    aws.sqs_client(settings).send_message(
        QueueUrl=work_queue(queue_key, settings).url(settings),
        MessageBody=message.model_dump_json(),
        DelaySeconds=max(0, min(delay_s, MAX_DELAY_S)),
        MessageAttributes=correlation_attributes(),
    )


def enqueue_all(queue_key: str, messages: Sequence[BaseModel], settings: Settings) -> None:
    """Many jobs at once, ten per request; a message SQS refuses is an error."""
    url = work_queue(queue_key, settings).url(settings)
    sqs = aws.sqs_client(settings)
    for start in range(0, len(messages), MAX_BATCH):
        chunk = messages[start : start + MAX_BATCH]
        response = sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {
                    "Id": str(index),
                    "MessageBody": message.model_dump_json(),
                    "MessageAttributes": correlation_attributes(),
                }
                for index, message in enumerate(chunk)
            ],
        )
        failed = response.get("Failed", [])
        if failed:
            raise RuntimeError(f"SQS refused {len(failed)} of {len(chunk)} messages: {failed[0]}")
