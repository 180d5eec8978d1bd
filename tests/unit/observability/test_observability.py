"""Logs with the Lambda context and the request's correlation id, metrics as EMF, summarised."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from chalice.test import Client

import app as application
from chalicelib.api.middleware import CORRELATION_HEADER
from chalicelib.config import reset_settings_cache
from chalicelib.jobs.batch import Delivery, consume, correlation_id, queue_age_s
from chalicelib.jobs.dispatch import correlation_attributes
from chalicelib.observability import CORRELATION_ATTRIBUTE, correlated, logger, metrics
from classreel.local.metrics_summary import emf_documents, percentile, summarise
from classreel.local.runner import LambdaContext, build_sqs_event


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_duration_is_one_emf_document_with_its_dimensions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics.record_duration("TimeToReady", 12.5, queue="ingest")
    (document,) = _lines(capsys.readouterr().out)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ClassReel"
    assert directive["Metrics"] == [{"Name": "TimeToReady", "Unit": "Seconds"}]
    assert sorted(directive["Dimensions"][0]) == ["queue", "service"]
    assert (document["TimeToReady"], document["queue"]) == ([12.5], "ingest")


def test_the_summary_counts_and_ranks_each_series(capsys: pytest.CaptureFixture[str]) -> None:
    for seconds in range(1, 101):
        metrics.record_duration("QueueAge", seconds, queue="clip")
    metrics.record_count("VideoFailed", reason="rejected")
    metrics.record_milliseconds("ApiLatency", 40, status="2xx")
    summary = summarise(emf_documents(capsys.readouterr().out.splitlines()))
    assert summary["QueueAge{queue=clip}"] == {
        "unit": "Seconds",
        "count": 100,
        "p50": 50.0,
        "p90": 90.0,
        "p99": 99.0,
        "max": 100.0,
    }
    assert summary["VideoFailed{reason=rejected}"]["count"] == 1
    assert summary["ApiLatency{status=2xx}"]["unit"] == "Milliseconds"


def test_lines_that_are_not_metrics_are_ignored() -> None:
    lines = ['{"level":"INFO","message":"job handled"}', "plain text", '{"_aws": broken']
    assert list(emf_documents(lines)) == []
    assert percentile([5.0], 99) == 5.0


def test_queued_messages_carry_the_correlation_id() -> None:
    assert correlation_attributes() == {}
    with correlated("req-123"):
        assert correlation_attributes() == {
            CORRELATION_ATTRIBUTE: {"DataType": "String", "StringValue": "req-123"}
        }
    assert logger.get_correlation_id() is None


def _record(**message_attributes: str) -> dict[str, Any]:
    message: Any = {
        "MessageId": "m1",
        "ReceiptHandle": "r1",
        "Body": '{"district": "d", "user_id": "u", "export_id": "e"}',
        "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1000000"},
        "MessageAttributes": {
            name: {"StringValue": value, "DataType": "String"}
            for name, value in message_attributes.items()
        },
    }
    event = build_sqs_event([message], "arn:aws:sqs:us-east-1:000000000000:q", "us-east-1")
    record: dict[str, Any] = event["Records"][0]
    return record


def test_a_record_tells_its_age_and_correlation_id() -> None:
    record = SQSRecord(_record(correlation_id="req-9"))
    assert queue_age_s(record, now_ms=1_004_500) == 4.5
    assert correlation_id(record) == "req-9"
    assert correlation_id(SQSRecord(_record())) is None


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the logger writes, as it writes it (JSON lines), beside its usual output."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        # Powertools' Logger adds handlers but has no remove: its standard logger does.
        logging.getLogger(logger.name).removeHandler(handler)


def test_a_worker_logs_the_lambda_context_and_the_requests_correlation_id(
    log_lines: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    def handle(delivery: Delivery[str], settings: Any) -> str:
        # (a warning: the test session logs from WARNING up)
        logger.warning("working on it")
        return "done"

    event = {"Records": [_record(correlation_id="req-42")]}
    result = consume(
        event,
        LambdaContext("classreel-export", timeout_s=60),
        queue_key="export",
        parse=lambda body: body,
        handle=handle,
    )
    assert result == {"batchItemFailures": []}
    lines = _lines(log_lines.getvalue())
    [working] = [line for line in lines if line.get("message") == "working on it"]
    assert working["correlation_id"] == "req-42"
    assert working["function_name"] == "classreel-export"
    assert "cold_start" in working
    assert "function_request_id" in working
    [age] = [line for line in _lines(capsys.readouterr().out) if "QueueAge" in line]
    assert age["queue"] == "export"
    assert logger.get_correlation_id() is None, "the next message starts clean"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    # Anonymous callers' rate is counted in the table: off here (tests/integration/limits).
    monkeypatch.setenv("CLASSREEL_LIMIT_ANONYMOUS_REQUESTS_PER_ADDRESS_PER_MINUTE", "0")
    reset_settings_cache()
    try:
        with Client(application.app) as test_client:
            yield test_client
    finally:
        monkeypatch.undo()
        reset_settings_cache()


def test_an_api_response_names_its_correlation_id_and_its_latency_is_measured(
    client: Client, log_lines: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    correlation = response.headers[CORRELATION_HEADER]
    assert correlation
    [latency] = [doc for doc in _lines(capsys.readouterr().out) if "ApiLatency" in doc]
    assert latency["status"] == "2xx"
    assert latency["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] == "Milliseconds"
    assert logger.get_correlation_id() is None, "the next request starts clean"


def test_api_log_lines_carry_the_lambda_context(client: Client, log_lines: io.StringIO) -> None:
    response = client.http.get("/videos")  # no token: refused, and logged
    assert response.status_code == 401
    refused = [
        line for line in _lines(log_lines.getvalue()) if line["message"] == "request refused"
    ]
    assert refused, log_lines.getvalue()
    assert refused[0]["function_name"]
    assert "cold_start" in refused[0]
    assert refused[0]["correlation_id"] == response.headers[CORRELATION_HEADER]
