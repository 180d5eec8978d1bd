"""One SQS batch entry point for every worker: partial batch failures via Powertools.

A record whose handler raises stays on the queue (``batchItemFailures``) and
comes back after its visibility timeout; the rest of the batch is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.observability import logger

# Logged once per failed record: operators (and the fault tests) watch for it.
RECORD_FAILED = "message failed; SQS will deliver it again"


class _Processor(BatchProcessor):
    def failure_handler(self, record: Any, exception: Any) -> Any:
        error_type, error, _ = exception
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
    # runs several invocations of one function in one process at once.
    # A batch where every record failed is still a partial response (all listed),
    # not an exception: SQS retries each record on its own terms either way.
    processor = _Processor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    response: PartialItemFailureResponse = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
