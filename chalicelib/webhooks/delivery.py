"""The webhook Lambda: POST one delivery, record the attempt, schedule the retry.

Retries are re-sent messages with an exponential DelaySeconds (SQS caps it at
15 minutes) rather than SQS redelivery, so the backoff is ours to choose. A
delivery already delivered is skipped: receivers also dedupe on the delivery id.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.jobs.dispatch import enqueue
from chalicelib.observability import logger
from chalicelib.webhooks.models import DeliveryRecord, DeliveryStatus, WebhookRecord
from chalicelib.webhooks.schemas import DeliveryJob
from chalicelib.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from chalicelib.webhooks.targets import UnsafeTarget, check_target

MAX_SQS_DELAY_S = 900


def backoff_s(attempts: int, settings: Settings) -> int:
    return int(min(MAX_SQS_DELAY_S, settings.webhook_retry_base_s * 2 ** (attempts - 1)))


def _post(url: str, body: str, headers: dict[str, str], timeout_s: float) -> int:
    request = urllib.request.Request(  # noqa: S310  (scheme checked by check_target)
        url, data=body.encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def deliver(job: DeliveryJob, settings: Settings) -> str:
    try:
        delivery = DeliveryRecord.get(job.pk, job.sk, consistent_read=True)
    except DeliveryRecord.DoesNotExist:
        return "gone"
    if delivery.status != DeliveryStatus.PENDING.value:
        return "already_" + delivery.status
    try:
        hook = WebhookRecord.get(*WebhookRecord.key(delivery.district, delivery.hook_id))
    except WebhookRecord.DoesNotExist:
        _finish(delivery, DeliveryStatus.FAILED, None, "the webhook was deleted")
        return "hook_deleted"

    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ClassReel-Webhooks/1",
        EVENT_HEADER: delivery.event_type,
        DELIVERY_HEADER: delivery.delivery_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(hook.secret, timestamp, delivery.body),
    }
    status: int | None = None
    error: str | None = None
    try:
        check_target(hook.url, settings)  # again at send time: DNS may have changed
        status = _post(hook.url, delivery.body, headers, settings.webhook_timeout_s)
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except UnsafeTarget as exc:
        _finish(delivery, DeliveryStatus.FAILED, None, str(exc))
        return "unsafe_target"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]

    if error is None:
        _finish(delivery, DeliveryStatus.DELIVERED, status, None)
        return "delivered"
    attempts = int(delivery.attempts) + 1
    if attempts >= settings.webhook_max_attempts:
        _finish(delivery, DeliveryStatus.FAILED, status, error, attempts)
        logger.warning("webhook delivery failed for good", extra={"delivery": delivery.delivery_id})
        return "failed"
    delay = backoff_s(attempts, settings)
    delivery.update(
        actions=[
            DeliveryRecord.attempts.set(attempts),
            DeliveryRecord.last_status_code.set(status)
            if status is not None
            else DeliveryRecord.last_status_code.remove(),
            DeliveryRecord.last_error.set(error),
            DeliveryRecord.next_attempt_at.set(utcnow() + timedelta(seconds=delay)),
        ]
    )
    enqueue("webhook", job, settings, delay_s=delay)
    return "retrying"


def _finish(
    delivery: DeliveryRecord,
    status: DeliveryStatus,
    code: int | None,
    error: str | None,
    attempts: int | None = None,
) -> None:
    actions: list[Any] = [
        DeliveryRecord.status.set(status.value),
        DeliveryRecord.attempts.set(
            attempts if attempts is not None else int(delivery.attempts) + 1
        ),
        DeliveryRecord.next_attempt_at.remove(),
    ]
    if code is not None:
        actions.append(DeliveryRecord.last_status_code.set(code))
    if error is not None:
        actions.append(DeliveryRecord.last_error.set(error))
    if status is DeliveryStatus.DELIVERED:
        actions += [DeliveryRecord.delivered_at.set(utcnow()), DeliveryRecord.last_error.remove()]
    delivery.update(actions=actions)
