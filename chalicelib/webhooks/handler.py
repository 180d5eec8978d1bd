"""The webhook delivery Lambda's batch entry point."""

from __future__ import annotations

from typing import Any

from chalicelib.config import Settings
from chalicelib.jobs.batch import Delivery, consume, parse_model
from chalicelib.webhooks.delivery import deliver
from chalicelib.webhooks.schemas import DeliveryJob


def _handle(delivery: Delivery[DeliveryJob], settings: Settings) -> str:
    return deliver(delivery.message, settings)


def handle_webhook_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return consume(
        event,
        context,
        queue_key="webhook",
        parse=parse_model(DeliveryJob),
        handle=_handle,
        district_of=lambda job: job.district,
    )
