"""The clip worker Lambda's batch entry point: one message per clip job."""

from __future__ import annotations

from typing import Any

from chalicelib.clips.schemas import ClipJob
from chalicelib.clips.worker import process_clip
from chalicelib.config import Settings
from chalicelib.jobs.batch import Delivery, consume, parse_model


def _handle(delivery: Delivery[ClipJob], settings: Settings) -> str:
    return process_clip(
        delivery.message.clip_id, last_attempt=delivery.last_attempt, settings=settings
    )


def handle_clip_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(
        event,
        context,
        queue_key="clip",
        parse=parse_model(ClipJob),
        handle=_handle,
        district_of=lambda job: job.district,
    )
