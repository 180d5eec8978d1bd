"""A job's message on its queue: back sooner than a whole visibility timeout when the job
asks, and held invisible while the job runs."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.jobs.periodic import Periodic
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
        logger.warning("could not change when the message comes back", extra={"error": str(exc)})


class HeldMessage:
    """Keeps a running job's message invisible for ``hold_s`` at a time.

    Renewed every third of ``hold_s`` while the job runs, so a job may take as long as
    its function timeout allows and is never delivered twice, while a job whose
    invocation died (out of memory, killed, timed out) stops renewing and its message
    comes back within ``hold_s``: seconds, not the function timeout.
    """

    def __init__(self, record: SQSRecord, queue_url: str, hold_s: int) -> None:
        self._record = record
        self._queue_url = queue_url
        self._hold_s = hold_s
        # No join timeout: the caller settles the message only after the last renewal.
        self._renewals = Periodic(
            self._hold_once, interval_s=hold_s / 3, name=f"hold-{record.message_id}"
        )

    def __enter__(self) -> HeldMessage:
        self._hold_once()
        self._renewals.start()
        return self

    def __exit__(self, *exc: object) -> None:
        # Stopped before the caller settles the message: a late renewal must not undo
        # a shorter retry delay set after the job failed.
        self._renewals.stop()

    def _hold_once(self) -> bool:
        # A failed renewal is logged; two more chances remain before the message
        # becomes visible.
        delay_redelivery(self._record, self._queue_url, self._hold_s)
        return True
