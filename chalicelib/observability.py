"""Logs, metrics and traces, the Powertools way, shared by the API and the workers.

- ``logger``: structured JSON logs; every line carries the Lambda context, cold
  start and the correlation id of the request that started the work (the API
  sets it, queue messages carry it to the workers: chalicelib/jobs).
- ``metrics``: CloudWatch metrics as EMF lines in the logs (no API call; in AWS
  CloudWatch extracts them, locally ``classreel local status`` summarises them):
  ``metrics.record_duration("TimeToReady", seconds)``,
  ``metrics.record_count("VideoFailed", reason="rejected")``.
- ``tracer``: X-Ray segments for each invocation and the AWS calls it makes; off
  outside Lambda (and locally, where ``POWERTOOLS_TRACE_DISABLED`` is set), so no
  daemon is needed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aws_lambda_powertools import Logger, Tracer, single_metric
from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.config import get_settings

SERVICE = "classreel"
METRICS_NAMESPACE = "ClassReel"
# The SQS message attribute that carries the correlation id from the API to the workers.
CORRELATION_ATTRIBUTE = "correlation_id"

logger = Logger(service=SERVICE, level=get_settings().log_level)
tracer = Tracer(service=SERVICE)


class Metrics:
    """One metric per call, printed at once as an EMF document with its own dimensions.

    Dimensions are few and bounded (a queue, a failure kind), never ids: each
    combination is a CloudWatch metric of its own.
    """

    def record_duration(self, name: str, seconds: float, **dimensions: str) -> None:
        self._emit(name, MetricUnit.Seconds, max(0.0, seconds), dimensions)

    def record_count(self, name: str, value: float = 1, **dimensions: str) -> None:
        self._emit(name, MetricUnit.Count, value, dimensions)

    def record_milliseconds(self, name: str, milliseconds: float, **dimensions: str) -> None:
        self._emit(name, MetricUnit.Milliseconds, max(0.0, milliseconds), dimensions)

    @staticmethod
    def _emit(name: str, unit: MetricUnit, value: float, dimensions: dict[str, str]) -> None:
        with single_metric(
            name=name,
            unit=unit,
            value=value,
            namespace=METRICS_NAMESPACE,
            default_dimensions={"service": SERVICE, **dimensions},
        ):
            pass


metrics = Metrics()


@contextlib.contextmanager
def correlated(correlation_id: str | None) -> Iterator[None]:
    """Log (and pass on to queued jobs) ``correlation_id`` while the block runs."""
    previous = logger.get_correlation_id()
    if correlation_id:
        logger.set_correlation_id(correlation_id)
    try:
        yield
    finally:
        logger.set_correlation_id(previous)
