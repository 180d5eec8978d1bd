"""The export worker Lambda's batch entry point."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.config import get_settings
from chalicelib.jobs.batch import process_batch
from chalicelib.observability import logger
from chalicelib.privacy.export import build


def _job(body: str) -> tuple[str, str, str] | None:
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    fields = [message.get(k) for k in ("district", "user_id", "export_id")]
    strings = [v for v in fields if isinstance(v, str) and v]
    if len(strings) != len(fields):
        return None
    district, user_id, export_id = strings
    return district, user_id, export_id


def _handle_record(record: SQSRecord) -> None:
    job = _job(record.body)
    if job is None:
        logger.error(
            "dropping a message that is not an export job", extra={"id": record.message_id}
        )
        return
    outcome = build(*job, get_settings())
    logger.info("export handled", extra={"export_id": job[2], "outcome": outcome})


def handle_export_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_batch(event, context, _handle_record)
