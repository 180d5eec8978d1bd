"""A work queue of a test's own on the twin's SQS, consumed by the test as Lambda would.

The job kit reads the queue's URL from settings, so pointing one registry key at a new
queue keeps the local runner (which polls the stack's own queues) off its messages: the
test decides which messages go into which invocation.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.config import get_settings, reset_settings_cache
from classreel.local.runner import LambdaContext, build_sqs_event

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@contextmanager
def private_queue(key: str, **settings: str) -> Iterator[str]:
    """Registry queue ``key`` is a new queue (its URL yielded) under extra ``CLASSREEL_*``
    ``settings`` for the duration."""
    sqs = aws.sqs_client(get_settings())
    url = sqs.create_queue(QueueName=f"{key}-{secrets.token_hex(4)}")["QueueUrl"]
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("CLASSREEL_QUEUE_URLS", json.dumps({key: url}))
            for name, value in settings.items():
                env.setenv(f"CLASSREEL_{name.upper()}", value)
            reset_settings_cache()
            yield url
    finally:
        reset_settings_cache()
        sqs.delete_queue(QueueUrl=url)


def receive(url: str, count: int) -> list[Any]:
    """Wait (long polls, not sleeps) until ``count`` messages are visible; take them."""
    sqs = aws.sqs_client(get_settings())
    taken: list[Any] = []
    for _ in range(30):
        response = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=2,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        taken += response.get("Messages", [])
        if len(taken) >= count:
            break
    return taken


def invoke(handler: Handler, url: str, messages: list[Any], function_name: str) -> dict[str, Any]:
    """One invocation over ``messages``; those it did not report failed are deleted, as
    Lambda's event source mapping does."""
    event = build_sqs_event(messages, "arn:aws:sqs:us-east-1:000000000000:private", "us-east-1")
    response = handler(event, LambdaContext(function_name, 60))
    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    sqs = aws.sqs_client(get_settings())
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return response
