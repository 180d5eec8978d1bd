"""The segment queue's numbers: tasks of minutes, and a crashed task back within a minute."""

from __future__ import annotations

from fractions import Fraction

from chalicelib.config import Settings
from chalicelib.ingest.planning import chunks_of
from chalicelib.jobs.queues import work_queue
from chalicelib.jobs.retry import backoff_s
from chalicelib.media import hls

# Lambda's rule for a queue's consumer (the CDK stack refuses less).
VISIBILITY_PER_FUNCTION_TIMEOUT = 6


def test_a_segment_task_is_given_minutes_not_the_whole_lambda_limit() -> None:
    queue = work_queue("segment", Settings())
    assert queue.function_timeout_s <= 5 * 60
    assert queue.visibility_timeout_s >= VISIBILITY_PER_FUNCTION_TIMEOUT * queue.function_timeout_s


def test_a_crashed_segment_task_comes_back_within_a_minute() -> None:
    queue = work_queue("segment", Settings())
    assert queue.crash_redelivery_s is not None
    # Held while it runs (tests/unit/jobs/test_held_message.py), so the hold can be far
    # shorter than a healthy task's longest run, and than the queue's own timeout.
    assert queue.crash_redelivery_s <= 60 < queue.function_timeout_s
    assert queue.crash_redelivery_s < queue.visibility_timeout_s / 4


def test_the_first_chunk_is_one_segment_so_playable_waits_for_one_encode() -> None:
    spans = hls.segment_spans(60.0, Fraction(30), 2)
    chunks = chunks_of(spans, 5)
    assert [len(c.spans) for c in chunks] == [1, 5, 4]
    assert [s.index for c in chunks for s in c.spans] == list(range(len(spans)))
    assert [len(c.spans) for c in chunks_of(spans[:1], 5)] == [1]
    assert chunks_of([], 5) == []


def test_a_failed_task_is_tried_again_in_seconds_then_less_often() -> None:
    queue = work_queue("segment", Settings())
    assert queue.crash_redelivery_s is not None
    delays = [
        backoff_s(attempt, queue.retry_first_s, queue.crash_redelivery_s) for attempt in range(1, 8)
    ]
    assert delays[0] <= 15  # a deletion's race or a blip: seconds, not the crash redelivery
    assert delays == sorted(delays)
    assert delays[-1] == queue.crash_redelivery_s
