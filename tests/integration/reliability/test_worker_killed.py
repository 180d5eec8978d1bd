"""The worker SIGKILLed mid-transcode: the job is redelivered and finishes.

Each kill lands while one of the job's ffmpeg runs is working (an observed
state, picked at random among the first runs), never after a guessed delay.

After the visibility timeout SQS hands the message to the restarted worker;
the dead job's lease runs out; a new attempt starts beside the dead one's work
folder (left on disk, as Lambda keeps /tmp) and publishes. A ready record only
ever points at finished objects of the attempt that published.

`make test` runs a few trials; `make soak` runs more
(SOAK_KILL_TRIALS).
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from chalicelib.auth.principal import Role
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.faults import assert_outputs_complete, kill_worker_mid_job
from tests.support.media_corpus import BY_NAME, build
from tests.support.reliability_report import Report
from tests.support.stacks import dedicated_stack
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration

TRIALS = int(os.environ.get("SOAK_KILL_TRIALS", "3"))
SEED = int(os.environ.get("SOAK_SEED", "20261123"))
# A transcode (HEVC source) and a remux + encode (web-ready 1080p source).
SAMPLES = ("hevc_mov", "phone_1080p")


@pytest.fixture
def killable(tmp_path: Path, local_stack: LocalStack) -> Iterator[LocalStack]:
    with dedicated_stack(
        tmp_path / "stack",
        CLASSREEL_WORK_DIR=str(tmp_path / "worker-tmp"),
        # Redelivery soon after a kill; a dead job's lease runs out soon too.
        CLASSREEL_INGEST_VISIBILITY_TIMEOUT_S="6",
        CLASSREEL_INGEST_LEASE_S="4",
        CLASSREEL_INGEST_MAX_RECEIVE_COUNT="20",
        # The same for the segment queue's tasks (a sample's chunk takes seconds): a
        # killed task stops holding its message, which returns within 15 s.
        CLASSREEL_SEGMENT_LEASE_S="4",
        CLASSREEL_SEGMENT_FUNCTION_TIMEOUT_S="40",
        CLASSREEL_SEGMENT_CRASH_REDELIVERY_S="15",
        CLASSREEL_SEGMENT_VISIBILITY_TIMEOUT_S="240",
        CLASSREEL_SEGMENT_MAX_RECEIVE_COUNT="20",
        CLASSREEL_LOCAL_WORKER_CONCURRENCY="1",
    ) as stack:
        yield stack


def test_sigkill_mid_transcode_then_redelivery_reaches_ready(
    killable: LocalStack, corpus_dir: Path, tmp_path: Path, reliability_report: Report
) -> None:
    api = Api(killable.api_url, TokenFactory(killable.settings()).token("teacher-k", Role.TEACHER))
    rng = random.Random(SEED)
    trials = []
    for index in range(TRIALS):
        sample = BY_NAME[SAMPLES[index % len(SAMPLES)]]
        trial = kill_worker_mid_job(killable, api, sample, build(sample, corpus_dir), rng)
        trials.append(trial)
        reliability_report.add(
            "worker SIGKILL mid-transcode",
            trials=1,
            faults=int(trial.hit),
            lost=int(trial.status != "ready"),
        )
        assert trial.status == "ready", trial
        assert_outputs_complete(trial.video_id, killable.settings(), tmp_path)
        assert trial.hit, f"the kill must land mid-job: {trial}"
        assert trial.attempts >= 2, trial
        assert trial.leftovers, f"a killed job leaves its work folder: {trial}"
    assert killable.worker("runner").running()
