"""What operators read when a message fails: the failure itself, even behind a retry."""

from __future__ import annotations

import logging

import pytest

from chalicelib.jobs.batch import RECORD_FAILED, _Processor
from chalicelib.jobs.retry import RetryLater


class _Record:
    message_id = "m-1"


def test_a_retry_raised_from_a_failure_names_the_failure(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only our logging is under test, not Powertools' bookkeeping of the batch.
    monkeypatch.setattr(
        "aws_lambda_powertools.utilities.batch.BatchProcessor.failure_handler",
        lambda self, record, exception: None,
    )
    caplog.set_level(logging.WARNING)
    retry = RetryLater(10)
    retry.__cause__ = FileNotFoundError("source is gone")
    _Processor.__new__(_Processor).failure_handler(_Record(), (RetryLater, retry, None))
    [record] = [r for r in caplog.records if r.getMessage() == RECORD_FAILED]
    error = str(record.__dict__["error"])
    assert "retry in 10s" in error
    assert "FileNotFoundError: source is gone" in error
