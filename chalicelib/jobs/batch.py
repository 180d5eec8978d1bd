"""One SQS batch entry point for every worker: typed messages, partial batch failures.

Each queue's handler in app.py calls ``consume`` with its queue (from the
registry), how to read a message body, and what to do with one message:

- a body that cannot be a message of this queue is dropped, loudly: retrying
  cannot fix it, and it must not block the messages behind it;
- ``RetryLater`` asks SQS to bring the message back after the given delay (the
  record another job holds may be free by then) instead of a whole timeout;
- any other exception leaves the message on the queue (``batchItemFailures``):
  it comes back after the visibility timeout and goes to the DLQ after
  ``max_receive_count`` receives;
- a message whose district is at its share of the queue (``district_of`` and the queue's
  ``district_share``, chalicelib/jobs/fairness.py) is sent again with a delay and deleted:
  other districts' work goes first, and waiting costs it no receive;
- on a queue with ``crash_redelivery_s``, a message is held invisible for that long at a
  time while its handler runs (``HeldMessage`` renews it), so a task whose invocation
  dies returns within it, not after the queue's whole timeout (sized for throttled
  invocations), and a healthy task of any length is never delivered twice; a handler
  that fails while its invocation lives brings its message back in seconds instead
  (``retry_first_s``, doubling per receive up to the crash redelivery);
- the rest of the batch is deleted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ValidationError

from chalicelib.config import Settings, get_settings
from chalicelib.events import relay
from chalicelib.jobs import fairness
from chalicelib.jobs.queues import WorkQueue, work_queue
from chalicelib.jobs.retry import HeldMessage, RetryLater, backoff_s, delay_redelivery
from chalicelib.observability import CORRELATION_ATTRIBUTE, correlated, logger, metrics, tracer

# Logged once per failed record: operators (and the fault tests) watch for it.
RECORD_FAILED = "message failed; SQS will deliver it again"

MessageT = TypeVar("MessageT")
ModelT = TypeVar("ModelT", bound=BaseModel)


class PoisonMessage(ValueError):
    """The body is not a message of this queue; retrying will not help."""


@dataclass(frozen=True)
class Delivery(Generic[MessageT]):
    """One message of a queue, as its handler sees it."""

    message: MessageT
    message_id: str
    # 1 on the first receive; the DLQ takes it after queue.max_receive_count.
    attempt: int
    queue: WorkQueue

    @property
    def last_attempt(self) -> bool:
        return self.attempt >= self.queue.max_receive_count


def parse_model(model: type[ModelT]) -> Callable[[str], ModelT]:
    """A body parser for queues whose messages are one pydantic model (JSON)."""

    def parse(body: str) -> ModelT:
        try:
            return model.model_validate_json(body)
        except ValidationError as exc:
            raise PoisonMessage(f"not a {model.__name__}: {exc.errors()[0]['msg']}") from exc

    return parse


class _Processor(BatchProcessor):
    def failure_handler(self, record: Any, exception: Any) -> Any:
        error_type, error, _ = exception
        metrics.record_count("JobFailed", error=getattr(error_type, "__name__", "Exception"))
        logger.warning(
            RECORD_FAILED,
            extra={
                "message_id": getattr(record, "message_id", None),
                "error": f"{getattr(error_type, '__name__', error_type)}: {error}",
            },
        )
        return super().failure_handler(record, exception)


def process_batch(
    event: dict[str, Any], context: Any, record_handler: Callable[[SQSRecord], None]
) -> dict[str, Any]:
    # A processor per batch: it holds the batch's state, and the local runner
    # may run several invocations of one function in one process.
    # A batch where every record failed is still a partial response (all listed),
    # not an exception: SQS retries each record on its own terms either way.
    processor = _Processor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    response: PartialItemFailureResponse = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)


def _held(
    record: SQSRecord, queue: WorkQueue, settings: Settings
) -> AbstractContextManager[object]:
    """While the handler runs: its message held on a queue with a crash redelivery."""
    if queue.crash_redelivery_s is None:
        return nullcontext()
    return HeldMessage(record, queue.url(settings), queue.crash_redelivery_s)


def queue_age_s(record: SQSRecord, now_ms: float) -> float | None:
    """How long the message waited since it was first sent (SQS's SentTimestamp)."""
    # Read leniently: a measurement must never fail the job.
    attributes = record.raw_event.get("attributes") or {}
    sent = attributes.get("SentTimestamp")
    if not isinstance(sent, str) or not sent.isdigit():
        return None
    return max(0.0, (now_ms - int(sent)) / 1000)


def correlation_id(record: SQSRecord) -> str | None:
    # Powertools' mapping answers None for a missing attribute.
    attribute = record.message_attributes[CORRELATION_ATTRIBUTE]
    return attribute.string_value if attribute is not None else None


def consume(
    event: dict[str, Any],
    context: Any,
    *,
    queue_key: str,
    parse: Callable[[str], MessageT],
    handle: Callable[[Delivery[MessageT], Settings], str],
    district_of: Callable[[MessageT], str | None] | None = None,
) -> dict[str, Any]:
    """Run ``handle`` for each message of the batch; returns Lambda's partial batch response.

    Every log line of the invocation carries the Lambda context and cold start,
    and each message's lines the correlation id of the request that queued it;
    the invocation is traced (X-Ray, in AWS).
    """
    settings = get_settings()
    queue = work_queue(queue_key, settings)

    def handle_record(record: SQSRecord) -> None:
        with correlated(correlation_id(record)):
            age = queue_age_s(record, time.time() * 1000)
            if age is not None:
                metrics.record_duration("QueueAge", age, queue=queue.key)
            handle_message(record)

    def handle_message(record: SQSRecord) -> None:
        try:
            message = parse(record.body)
        except PoisonMessage as exc:
            logger.error(
                "dropping a message that is not a job of this queue",
                extra={"queue": queue.key, "message_id": record.message_id, "reason": str(exc)},
            )
            return
        attempt = int(record.attributes.approximate_receive_count or 1)
        delivery = Delivery(message, record.message_id, attempt, queue)
        district = district_of(message) if district_of and queue.district_share else None
        if district and not fairness.acquire(
            queue, district, record.message_id, queue.district_share
        ):
            fairness.send_again_later(queue, record.body, settings.district_share_retry_s, settings)
            metrics.record_count("JobDeferred", queue=queue.key)
            logger.info(
                "district at its share; message sent again later",
                extra={"queue": queue.key, "message_id": record.message_id, "district": district},
            )
            return
        try:
            with _held(record, queue, settings):
                outcome = handle(delivery, settings)
        except RetryLater as later:
            delay_redelivery(record, queue.url(settings), later.delay_s)
            raise
        except Exception:
            if queue.crash_redelivery_s is not None:
                # Alive, so not a crash: e.g. a deletion mid-task removed the source before
                # the record, and the retry finds the video gone and cleans up.
                delay = backoff_s(attempt, queue.retry_first_s, queue.crash_redelivery_s)
                delay_redelivery(record, queue.url(settings), delay)
            raise
        finally:
            if district:
                fairness.release(queue, district, record.message_id)
            # The job's events are delivered right after its commits (best effort).
            relay.flush()
        logger.info(
            "job handled",
            extra={"queue": queue.key, "message_id": record.message_id, "outcome": outcome},
        )

    @logger.inject_lambda_context(clear_state=True)
    @tracer.capture_lambda_handler(capture_response=False)
    def invocation(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_batch(event, context, handle_record)

    response: dict[str, Any] = invocation(event, context)
    return response
