"""The local runner stops a worker at its function timeout, as Lambda does.

An ingest whose ffmpeg never finishes is stopped when the function's timeout
passes, with its ffmpeg; the message comes back after the visibility timeout,
and after the last receive the video is failed with a reason, not left
processing. Nothing the stopped invocations started keeps running.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from chalicelib.auth.principal import Role
from chalicelib.ingest.worker import GAVE_UP
from classreel.local.stack import LocalStack
from tests.support.api import Api, upload_sample
from tests.support.faults import log_count
from tests.support.media_corpus import BY_NAME, build
from tests.support.stacks import dedicated_stack, ffmpeg_wrapper
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration

STOPPED = "invocation stopped at the function timeout"


@pytest.fixture
def short_lambda(tmp_path: Path, local_stack: LocalStack) -> Iterator[LocalStack]:
    # Hangs on every job; answers `ffmpeg -version` (the health check) at once.
    never_finishes = ffmpeg_wrapper(
        tmp_path / "ffmpeg-that-hangs", 'case "$*" in *-version*) ;; *) sleep 600 ;; esac'
    )
    with dedicated_stack(
        tmp_path / "stack",
        CLASSREEL_FFMPEG_BINARY=str(never_finishes),
        CLASSREEL_WORKER_TIMEOUT_S="3",
        CLASSREEL_INGEST_LEASE_S="2",
        # Longer than the function timeout, as in AWS: the message comes back
        # only after the stopped invocation is gone.
        CLASSREEL_INGEST_VISIBILITY_TIMEOUT_S="6",
        CLASSREEL_INGEST_MAX_RECEIVE_COUNT="2",
        CLASSREEL_LOCAL_SCHEDULE_INTERVAL_S="2",
    ) as stack:
        yield stack


def _sleepers_under(pid: int) -> list[psutil.Process]:
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "sleep" in child.cmdline() and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def test_a_worker_past_its_timeout_is_stopped_and_the_video_fails(
    short_lambda: LocalStack, corpus_dir: Path
) -> None:
    api = Api(
        short_lambda.api_url,
        TokenFactory(short_lambda.settings()).token("teacher-slow", Role.TEACHER),
    )
    sample = BY_NAME["hevc_mov"]
    video_id = upload_sample(api, build(sample, corpus_dir), sample.filename, sample.content_type)

    video = api.wait_for(video_id, timeout_s=120)
    assert video["status"] == "failed", video
    assert video["failure_reason"] == GAVE_UP
    runner = short_lambda.worker("runner")
    assert log_count(runner, STOPPED) >= 2, runner.log_tail()
    assert runner.pid is not None
    # The stopped invocations' ffmpeg went with them (SIGKILL is reaped asynchronously).
    deadline = time.monotonic() + 30
    while _sleepers_under(runner.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sleepers_under(runner.pid) == []
    assert runner.running()
