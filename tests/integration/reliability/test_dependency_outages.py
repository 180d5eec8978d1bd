"""DynamoDB or S3/SQS unavailable for a while: the API says 503, work resumes, nothing is lost.

One stack of its own (this test breaks it):
- DynamoDB Local is really stopped and started again (on disk, as DynamoDB
  keeps its data through an outage);
- moto (S3 + SQS) keeps its state only in memory, so killing it would lose what
  S3 and SQS never lose in AWS; its outage is a cut network instead: every
  client reaches it through a proxy that is closed, then opened again.
In both cases a video is mid-pipeline when the dependency goes away.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from chalicelib.auth.principal import Role
from chalicelib.jobs.batch import RECORD_FAILED
from classreel.local.processes import wait_until
from classreel.local.stack import LocalStack
from tests.support.api import Api, upload_file
from tests.support.faults import log_count, most_attempts, wait_for_log
from tests.support.media_corpus import BY_NAME, build
from tests.support.reliability_report import Report
from tests.support.stacks import ffmpeg_wrapper, stack_behind_proxy
from tests.support.tcp_proxy import TcpProxy
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration

# An outage must be answered, not waited out: well under a client's patience.
ANSWER_WITHIN_S = 15


@pytest.fixture
def fragile(tmp_path: Path, local_stack: LocalStack) -> Iterator[tuple[LocalStack, TcpProxy]]:
    # A slower ffmpeg, so that a job is surely running when S3 goes away.
    slow = ffmpeg_wrapper(tmp_path / "slow-ffmpeg", "sleep 1")
    with stack_behind_proxy(
        tmp_path / "stack",
        persist=True,
        CLASSREEL_FFMPEG_BINARY=str(slow),
        # Retries come quickly and often enough to outlast a short outage.
        CLASSREEL_INGEST_VISIBILITY_TIMEOUT_S="4",
        CLASSREEL_INGEST_MAX_RECEIVE_COUNT="30",
    ) as stacked:
        yield stacked


def _assert_unavailable(api: Api, method: str, path: str, **kwargs: object) -> None:
    started = time.monotonic()
    response = api.call(method, path, **kwargs)
    elapsed = time.monotonic() - started
    assert elapsed < ANSWER_WITHIN_S, f"{method} {path} took {elapsed:.1f}s: a hang"
    assert response.status_code == 503, (method, path, response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers.get("Retry-After")
    body = response.json()
    assert body["error"] == "dependency_unavailable", body
    assert body["message"] and "Traceback" not in response.text


def _create(api: Api, corpus_dir: Path, title: str) -> tuple[str, Callable[[], None]]:
    """A new video, and the function that uploads its file."""
    sample = BY_NAME["no_audio"]
    path = build(sample, corpus_dir)
    created = api.create_video(path, filename=sample.filename, title=title)
    return str(created["video"]["id"]), lambda: upload_file(
        api, created["upload"], path, sample.content_type
    )


def _start_upload(api: Api, corpus_dir: Path, title: str) -> str:
    video_id, upload = _create(api, corpus_dir, title)
    upload()
    return video_id


def test_dynamodb_down_then_back(
    fragile: tuple[LocalStack, TcpProxy], corpus_dir: Path, reliability_report: Report
) -> None:
    stack, _ = fragile
    api = Api(stack.api_url, TokenFactory(stack.settings()).token("teacher-out", Role.TEACHER))
    before = _start_upload(api, corpus_dir, "before the outage")
    assert api.wait_for(before)["status"] == "ready"
    in_flight, upload = _create(api, corpus_dir, "uploaded as the table goes away")

    runner = stack.worker("runner")
    failed_before = log_count(runner, RECORD_FAILED)
    dynamodb = stack.service("dynamodb")
    dynamodb.stop()
    try:
        # S3 takes the file and queues the job; the worker cannot read the table.
        upload()
        _assert_unavailable(api, "GET", "/videos")
        _assert_unavailable(api, "GET", f"/videos/{before}")
        _assert_unavailable(
            api,
            "POST",
            "/videos",
            json={"title": "t", "filename": "a.mp4", "content_type": "video/mp4", "size_bytes": 9},
        )
        health = requests.get(f"{stack.api_url}/health", timeout=ANSWER_WITHIN_S)
        assert health.status_code == 503
        assert health.json()["components"]["dynamodb"]["status"] == "down"
        # The outage is over only once the worker has failed at least one attempt.
        wait_for_log(runner, RECORD_FAILED, more_than=failed_before, timeout_s=120)
    finally:
        dynamodb.start()
        wait_until(dynamodb, stack.dynamodb_url, timeout_s=90)

    video = api.wait_for(in_flight, timeout_s=120)
    survivors = [api.video(before)["status"], video["status"]]
    reliability_report.add(
        "DynamoDB stopped, then started", trials=1, faults=1, lost=2 - survivors.count("ready")
    )
    assert survivors[0] == "ready", "a ready video survives the outage"
    assert video["status"] == "ready", video
    titles = {v["title"] for v in api.ok("GET", "/videos")["items"]}
    assert {"before the outage", "uploaded as the table goes away"} <= titles
    assert stack.worker("runner").running() and stack.worker("api").running()


def test_s3_and_sqs_unreachable_then_back(
    fragile: tuple[LocalStack, TcpProxy], corpus_dir: Path, reliability_report: Report
) -> None:
    stack, moto = fragile
    api = Api(stack.api_url, TokenFactory(stack.settings()).token("teacher-cut", Role.TEACHER))
    in_flight = _start_upload(api, corpus_dir, "uploaded as S3 goes away")
    deadline = time.monotonic() + 30
    while api.video(in_flight)["status"] != "processing" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert api.video(in_flight)["status"] == "processing"

    runner = stack.worker("runner")
    failed_before = log_count(runner, RECORD_FAILED)
    moto.stop()
    try:
        # Creating a large video opens an S3 multipart upload: S3 is needed.
        _assert_unavailable(
            api,
            "POST",
            "/videos",
            json={
                "title": "big",
                "filename": "big.mp4",
                "content_type": "video/mp4",
                "size_bytes": 50 * 1024 * 1024,
            },
        )
        _assert_unavailable(api, "DELETE", f"/videos/{in_flight}")
        health = requests.get(f"{stack.api_url}/health", timeout=ANSWER_WITHIN_S)
        assert health.status_code == 503
        assert health.json()["components"]["s3"]["status"] == "down"
        # What needs only the table still works.
        assert api.video(in_flight)["title"] == "uploaded as S3 goes away"
        # The outage is over only once it has broken the running job.
        wait_for_log(runner, RECORD_FAILED, more_than=failed_before, timeout_s=120)
    finally:
        moto.start()

    video = api.wait_for(in_flight, timeout_s=120)
    reliability_report.add(
        "S3/SQS cut off, then back", trials=1, faults=1, lost=int(video["status"] != "ready")
    )
    assert video["status"] == "ready", video
    assert most_attempts(in_flight) >= 2, "the outage must have broken a running job"
    after = _start_upload(api, corpus_dir, "after the outage")
    assert api.wait_for(after)["status"] == "ready"
    assert stack.worker("runner").running() and stack.worker("api").running()
