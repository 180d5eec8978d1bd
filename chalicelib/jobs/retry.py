"""Asking SQS to bring a job's message back sooner than a whole visibility timeout."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.observability import logger


class RetryLater(Exception):
    """Another job holds the record right now; try again after ``delay_s``."""

    def __init__(self, delay_s: int) -> None:
        super().__init__(f"retry in {delay_s}s")
        self.delay_s = delay_s


def backoff_s(attempt: int, first_s: int, most_s: int) -> int:
    """How long a message that failed on its ``attempt``-th receive waits for the next:
    ``first_s``, doubling with each receive, never more than ``most_s``."""
    doubled: int = first_s * 2 ** max(0, attempt - 1)
    return min(most_s, doubled)


def delay_redelivery(record: SQSRecord, queue_url: str, delay_s: int) -> None:
    """Come back when the other job's lease may have run out, not a whole timeout later."""
    try:
        aws.sqs_client().change_message_visibility(
            QueueUrl=queue_url, ReceiptHandle=record.receipt_handle, VisibilityTimeout=delay_s
        )
    except (BotoCoreError, ClientError) as exc:
        logger.warning("could not shorten the retry delay", extra={"error": str(exc)})
