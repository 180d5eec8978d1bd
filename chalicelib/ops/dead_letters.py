"""The dead-letter queues, for operators: list what died, replay it.

Each queue the app consumes (chalicelib/jobs/queues.py) has a DLQ that SQS fills after
``maxReceiveCount`` failed receives. Listing only *peeks* (messages stay
visible); redriving sends a copy of each chosen message to its source queue and
only then deletes it from the DLQ, so a crash in between duplicates a message
(which both workers tolerate: they are idempotent) but never loses one.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.jobs.queues import work_queues

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

# How long a message we are looking at stays hidden from other readers of the
# DLQ (another operator, the reconciler) while a redrive runs.
_REDRIVE_HOLD_S = 60


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str
    url: str
    source_url: str


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    sent_at: float
    receive_count: int
    body: str
    summary: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "sent_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.sent_at)),
            "receive_count": self.receive_count,
            "summary": self.summary,
            "body": self.body,
        }


@dataclass
class RedriveResult:
    moved: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def queue_names(settings: Settings) -> list[str]:
    """Every work queue, by the name operators know it (ingest, clips, exports, webhooks...)."""
    return [queue.suffix for queue in work_queues(settings).values()]


def dead_letter_queue(name: str, settings: Settings) -> DeadLetterQueue:
    for queue in work_queues(settings).values():
        if queue.suffix == name:
            return DeadLetterQueue(name, queue.dlq_url(settings), queue.url(settings))
    raise ValueError(f"unknown queue {name!r}; expected one of {', '.join(queue_names(settings))}")


def peek(sqs: SQSClient, queue_url: str, limit: int = 500) -> list[MessageTypeDef]:
    """Up to ``limit`` distinct messages of a queue, left in place and visible."""
    seen: dict[str, MessageTypeDef] = {}
    while len(seen) < limit:
        batch = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        fresh = [m for m in batch if m["MessageId"] not in seen]
        if not fresh:
            break
        seen.update({m["MessageId"]: m for m in fresh})
    return list(seen.values())


def summarize(body: str) -> str:
    """One line an operator can act on: the objects of an S3 event, or the body itself."""
    try:
        document = json.loads(body)
    except json.JSONDecodeError:
        return body[:120]
    if isinstance(document, dict) and isinstance(document.get("Records"), list):
        keys = []
        for record in document["Records"]:
            try:
                keys.append(str(record["s3"]["object"]["key"]))
            except (KeyError, TypeError):
                keys.append("?")
        return "s3: " + ", ".join(keys)
    return json.dumps(document, sort_keys=True)[:120]


def _as_dead_letter(message: MessageTypeDef) -> DeadLetter:
    attributes = message.get("Attributes", {})
    body = message.get("Body", "")
    return DeadLetter(
        message_id=message["MessageId"],
        sent_at=int(attributes.get("SentTimestamp", "0")) / 1000,
        receive_count=int(attributes.get("ApproximateReceiveCount", "0")),
        body=body,
        summary=summarize(body),
    )


def list_dead_letters(queue: DeadLetterQueue, settings: Settings) -> list[DeadLetter]:
    letters = [_as_dead_letter(m) for m in peek(aws.sqs_client(settings), queue.url)]
    return sorted(letters, key=lambda letter: (letter.sent_at, letter.message_id))


def redrive(
    queue: DeadLetterQueue, settings: Settings, message_ids: set[str] | None = None
) -> RedriveResult:
    """Send the chosen messages (all when ``message_ids`` is None) back to the source queue."""
    sqs = aws.sqs_client(settings)
    result = RedriveResult()
    seen: set[str] = set()
    skipped: list[str] = []
    try:
        while message_ids is None or len(result.moved) < len(message_ids):
            batch = sqs.receive_message(
                QueueUrl=queue.url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=_REDRIVE_HOLD_S,
                WaitTimeSeconds=1,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            fresh = [m for m in batch if m["MessageId"] not in seen]
            if not fresh:
                break
            for message in fresh:
                seen.add(message["MessageId"])
                if message_ids is not None and message["MessageId"] not in message_ids:
                    skipped.append(message["ReceiptHandle"])
                    continue
                _send_back(sqs, queue, message)
                sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])
                result.moved.append(message["MessageId"])
    finally:
        # What we only looked at becomes visible again at once.
        for receipt_handle in skipped:
            sqs.change_message_visibility(
                QueueUrl=queue.url, ReceiptHandle=receipt_handle, VisibilityTimeout=0
            )
    if message_ids is not None:
        result.not_found = sorted(message_ids - set(result.moved))
    return result


def _send_back(sqs: SQSClient, queue: DeadLetterQueue, message: MessageTypeDef) -> None:
    attributes: dict[str, Any] = {
        name: {
            key: value[key] for key in ("DataType", "StringValue", "BinaryValue") if key in value
        }
        for name, value in message.get("MessageAttributes", {}).items()
    }
    if attributes:
        sqs.send_message(
            QueueUrl=queue.source_url, MessageBody=message["Body"], MessageAttributes=attributes
        )
    else:
        sqs.send_message(QueueUrl=queue.source_url, MessageBody=message["Body"])
