"""The redaction function's batch entry point (its container image's handler): one
message per run of a clip's redaction."""

from __future__ import annotations

from typing import Any

from chalicelib.config import Settings
from chalicelib.jobs.batch import Delivery, consume, parse_model
from chalicelib.redaction.schemas import RedactionJobMessage
from chalicelib.redaction.worker import process_redaction


def _handle(delivery: Delivery[RedactionJobMessage], settings: Settings) -> str:
    message = delivery.message
    return process_redaction(
        message.clip_id,
        message.run_id,
        last_attempt=delivery.last_attempt,
        settings=settings,
        segment=message.segment,
        finish=message.finish,
    )


def handle_redaction_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(
        event,
        context,
        queue_key="redaction",
        parse=parse_model(RedactionJobMessage),
        handle=_handle,
        district_of=lambda job: job.district,
    )
