"""The export worker Lambda's batch entry point."""

from __future__ import annotations

from typing import Any

from chalicelib.config import Settings
from chalicelib.jobs.batch import Delivery, consume, parse_model
from chalicelib.privacy.export import build
from chalicelib.privacy.schemas import ExportJob


def _handle(delivery: Delivery[ExportJob], settings: Settings) -> str:
    job = delivery.message
    return build(job.district, job.user_id, job.export_id, settings)


def handle_export_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(
        event,
        context,
        queue_key="export",
        parse=parse_model(ExportJob),
        handle=_handle,
        district_of=lambda job: job.district,
    )
