"""Property-based fuzzing of the S3-through-SQS event parsing (hypothesis, no network).

Whatever arrives on the ingest queue, parsing either yields well-formed
``ObjectCreated`` values or raises ``MalformedNotification`` (which the
handler drops instead of cycling to the DLQ). No other exception, no hang.
"""

from __future__ import annotations

import json
import os
import string
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chalicelib.ingest.dead_letters import video_ids
from chalicelib.ingest.events import MalformedNotification, ObjectCreated, parse_s3_notification
from chalicelib.ingest.handler import handle_ingest_batch
from chalicelib.ops.dead_letters import summarize
from classreel.local.runner import LambdaContext, failed_message_ids
from tests.support.reliability_report import Report

FUZZ = settings(
    max_examples=int(os.environ.get("SOAK_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
_examples = [0]


@pytest.fixture(scope="module", autouse=True)
def _count_examples(reliability_report: Report) -> Iterator[None]:
    yield
    reliability_report.add("S3/SQS event parsing fuzz", trials=_examples[0])


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)
object_keys = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=200)


def _record(key: str, **obj: Any) -> dict[str, Any]:
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Post",
        "s3": {"bucket": {"name": "uploads"}, "object": {"key": key, **obj}},
    }


def _parses_or_refuses(body: str) -> list[ObjectCreated] | None:
    _examples[0] += 1
    try:
        created = parse_s3_notification(body)
    except MalformedNotification:
        return None
    for item in created:
        assert isinstance(item, ObjectCreated)
        assert item.key and item.bucket
        assert item.size >= 0
        assert item.event_name.startswith("ObjectCreated:")
    return created


@FUZZ
@given(st.text(max_size=500))
def test_any_text_parses_or_is_refused(body: str) -> None:
    _parses_or_refuses(body)


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_decoded_as_sqs_would_parse_or_are_refused(raw: bytes) -> None:
    _parses_or_refuses(raw.decode("utf-8", errors="replace"))


@FUZZ
@given(json_values)
def test_any_json_document_parses_or_is_refused(document: Any) -> None:
    _parses_or_refuses(json.dumps(document))


@st.composite
def mutated_notifications(draw: st.DrawFn) -> str:
    """A real notification with one field replaced by arbitrary JSON, or removed."""
    document: dict[str, Any] = {
        "Records": [_record("raw/d/v/source", size=10, eTag="e", versionId="1", sequencer="0A")]
    }
    path = draw(
        st.sampled_from(
            [
                ("Records",),
                ("Records", 0),
                ("Records", 0, "eventSource"),
                ("Records", 0, "eventName"),
                ("Records", 0, "s3"),
                ("Records", 0, "s3", "bucket"),
                ("Records", 0, "s3", "bucket", "name"),
                ("Records", 0, "s3", "object"),
                ("Records", 0, "s3", "object", "key"),
                ("Records", 0, "s3", "object", "size"),
                ("Records", 0, "s3", "object", "eTag"),
                ("Records", 0, "s3", "object", "versionId"),
                ("Records", 0, "s3", "object", "sequencer"),
            ]
        )
    )
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    if draw(st.booleans()):
        parent[path[-1]] = draw(json_values)
    elif isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent.pop(path[-1])
    return json.dumps(document)


@FUZZ
@given(mutated_notifications())
def test_damaged_notifications_parse_or_are_refused(body: str) -> None:
    _parses_or_refuses(body)


@FUZZ
@given(
    key=object_keys,
    size=st.integers(min_value=0, max_value=10**13),
    version=st.none() | st.text(string.ascii_letters + string.digits + "._-", min_size=1),
)
def test_keys_survive_s3_url_encoding(key: str, size: int, version: str | None) -> None:
    """S3 sends keys URL-encoded with '+' for spaces; we recover the exact key."""
    body = json.dumps(
        {"Records": [_record(quote_plus(key, safe="/"), size=size, versionId=version)]}
    )
    [created] = parse_s3_notification(body)
    assert (created.key, created.size, created.version_id) == (key, size, version)


@FUZZ
@given(st.lists(object_keys, min_size=1, max_size=5))
def test_every_record_of_a_batch_is_kept_in_order(keys: list[str]) -> None:
    body = json.dumps({"Records": [_record(quote_plus(k, safe="/")) for k in keys]})
    assert [c.key for c in parse_s3_notification(body)] == keys


@FUZZ
@given(st.text(max_size=300) | json_values.map(json.dumps))
def test_operator_views_of_any_body_never_fail(body: str) -> None:
    """The reconciler and `classreel dlq list` read whatever is in the DLQ."""
    assert isinstance(video_ids({"MessageId": "m", "Body": body}), list)
    assert isinstance(summarize(body), str)


def _sqs_event(bodies: list[str]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"r{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:classreel-ingest",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


@FUZZ
@given(st.lists(st.text(max_size=200) | json_values.map(json.dumps), min_size=1, max_size=5))
def test_the_handler_drops_bodies_that_are_not_uploads(bodies: list[str]) -> None:
    """Poison bodies are dropped, not retried into the DLQ (and touch no service)."""
    assume(all(_parses_or_refuses(body) in (None, []) for body in bodies))
    response = handle_ingest_batch(_sqs_event(bodies), LambdaContext("ingest", 60))
    assert response == {"batchItemFailures": []}


@FUZZ
@given(json_values, st.sets(st.text(min_size=1, max_size=4), min_size=1, max_size=4))
def test_any_handler_result_settles_only_messages_of_the_batch(
    result: Any, batch_ids: set[str]
) -> None:
    assert failed_message_ids(result, batch_ids) <= batch_ids


@FUZZ
@given(
    st.sets(st.text(min_size=1, max_size=4), min_size=1, max_size=4).flatmap(
        lambda ids: st.tuples(st.just(ids), st.lists(st.sampled_from(sorted(ids))))
    )
)
def test_reported_failures_are_exactly_what_is_kept(case: tuple[set[str], list[str]]) -> None:
    batch_ids, failed = case
    result = {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}
    assert failed_message_ids(result, batch_ids) == set(failed)
