"""A request's correlation id reaches the worker's logs; the metrics in the logs are summarised."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from chalicelib.api.middleware import CORRELATION_HEADER
from classreel.cli.local_cmd import local
from classreel.local.stack import LocalStack
from tests.support.api import Api

pytestmark = pytest.mark.integration


def _log_lines(stack: LocalStack, name: str) -> list[dict[str, Any]]:
    lines = []
    for line in stack.worker(name).log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return lines


def _until(found: Callable[[], list[dict[str, Any]]], what: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 60
    while not (lines := found()):
        if time.monotonic() > deadline:
            raise AssertionError(f"never logged: {what}")
        time.sleep(0.2)
    return lines


def test_a_requests_correlation_id_is_in_the_workers_log_lines(
    api_as: Callable[..., Api], local_stack: LocalStack
) -> None:
    teacher = api_as("teacher-observed")
    response = teacher.call("POST", "/me/exports")
    assert response.status_code == 202, response.text
    correlation = response.headers[CORRELATION_HEADER]

    def handled() -> list[dict[str, Any]]:
        return [
            line
            for line in _log_lines(local_stack, "runner")
            if line.get("correlation_id") == correlation and line.get("message") == "job handled"
        ]

    [line] = _until(handled, "the export job under the request's correlation id")
    assert line["queue"] == "export"
    # The Lambda context, as Powertools' inject_lambda_context adds it.
    assert line["function_name"] == "build_exports"
    assert "cold_start" in line
    assert line["function_request_id"]


def test_local_status_summarises_the_metrics_in_the_logs(
    api_as: Callable[..., Api], local_stack: LocalStack
) -> None:
    teacher = api_as("teacher-measured")
    assert teacher.call("POST", "/me/exports").status_code == 202
    _until(
        lambda: [line for line in _log_lines(local_stack, "runner") if "QueueAge" in line],
        "a queue age",
    )
    result = CliRunner().invoke(local, ["status", "--data-dir", str(local_stack.data_dir)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)["metrics"]
    assert metrics["ApiLatency{status=2xx}"]["count"] >= 1
    assert metrics["ApiLatency{status=2xx}"]["unit"] == "Milliseconds"
    age = metrics["QueueAge{queue=export}"]
    assert age["count"] >= 1
    assert age["p50"] <= age["p90"] <= age["p99"] <= age["max"]
