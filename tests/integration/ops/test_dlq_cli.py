"""`classreel dlq list|redrive` shows what died and replays it, for both DLQs.

The ingest case runs end to end: ffmpeg crashes until the "outage" is over,
the message dies, the video is failed; the operator lists the DLQ, fixes
nothing but the outage, redrives, and the video becomes ready.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.auth.principal import Role
from chalicelib.ingest.worker import GAVE_UP
from chalicelib.jobs.queues import work_queue
from classreel.local.stack import LocalStack
from tests.support.api import Api, upload_sample
from tests.support.media_corpus import BY_NAME, build
from tests.support.reliability_report import Report
from tests.support.stacks import dedicated_stack, ffmpeg_wrapper
from tests.support.users import TokenFactory

pytestmark = pytest.mark.integration


def classreel(
    stack: LocalStack, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """The operator's command, as a separate process pointed at ``stack``."""
    env = {k: v for k, v in stack.env.items() if not k.startswith("CLASSREEL_")}
    env["CLASSREEL_DATA_DIR"] = str(stack.data_dir)
    result = subprocess.run(
        [sys.executable, "-m", "classreel.cli.main", "dlq", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def listed(stack: LocalStack, queue: str = "ingest") -> list[dict[str, Any]]:
    letters: list[dict[str, Any]] = json.loads(
        classreel(stack, "list", "--queue", queue, "--json").stdout
    )
    return letters


@pytest.fixture
def flaky_stack(tmp_path: Path, local_stack: LocalStack) -> Iterator[tuple[LocalStack, Path]]:
    """A stack whose ffmpeg segfaults while ``outage`` exists."""
    outage = tmp_path / "outage"
    outage.touch()
    wrapper = ffmpeg_wrapper(
        tmp_path / "ffmpeg-while-outage", f'[ -e "{outage}" ] && kill -SEGV $$'
    )
    with dedicated_stack(
        tmp_path / "stack",
        CLASSREEL_FFMPEG_BINARY=str(wrapper),
        CLASSREEL_INGEST_VISIBILITY_TIMEOUT_S="2",
        CLASSREEL_INGEST_MAX_RECEIVE_COUNT="2",
    ) as stack:
        yield stack, outage


def test_list_shows_dead_ingest_messages_and_redrive_replays_them(
    flaky_stack: tuple[LocalStack, Path], corpus_dir: Path, reliability_report: Report
) -> None:
    stack, outage = flaky_stack
    api = Api(stack.api_url, TokenFactory(stack.settings()).token("teacher-dlq", Role.TEACHER))
    sample = BY_NAME["no_audio"]
    video_id = upload_sample(api, build(sample, corpus_dir), sample.filename, sample.content_type)
    video = api.wait_for(video_id, timeout_s=90)
    assert (video["status"], video["failure_reason"]) == ("failed", GAVE_UP)

    deadline = time.monotonic() + 30
    letters = listed(stack)
    while not letters and time.monotonic() < deadline:
        time.sleep(0.5)
        letters = listed(stack)
    assert len(letters) == 1
    assert video_id in letters[0]["summary"]
    assert letters[0]["receive_count"] >= 1
    table = classreel(stack, "list").stdout
    assert letters[0]["message_id"] in table and video_id in table
    # Listing is a peek: the message is still there.
    assert [m["message_id"] for m in listed(stack)] == [letters[0]["message_id"]]

    outage.unlink()
    redriven = classreel(stack, "redrive", letters[0]["message_id"])
    assert f"redriven {letters[0]['message_id']}" in redriven.stdout
    assert listed(stack) == []
    video = api.wait_for_status(video_id, "ready", timeout_s=90)
    reliability_report.add("poison message to DLQ, then redriven", trials=1, faults=1)
    assert video["failure_reason"] is None
    assert stack.worker("runner").running()


def test_redrive_by_id_leaves_the_others_and_reports_unknown_ids(local_stack: LocalStack) -> None:
    """The webhook DLQ, with messages put there directly."""
    settings = local_stack.settings()
    sqs = aws.sqs_client(settings)
    dlq_url = work_queue("webhook", settings).dlq_url(settings)
    sent = [
        sqs.send_message(
            QueueUrl=dlq_url, MessageBody=json.dumps({"pk": f"DELIVERY#gone-{n}", "sk": "META"})
        )["MessageId"]
        for n in range(3)
    ]
    try:
        assert sorted(m["message_id"] for m in listed(local_stack, "webhooks")) == sorted(sent)

        result = classreel(
            local_stack, "redrive", "--queue", "webhooks", sent[0], "no-such-id", check=False
        )
        assert result.returncode != 0
        assert "no-such-id" in result.stderr
        assert f"redriven {sent[0]}" in result.stdout
        remaining = {m["message_id"] for m in listed(local_stack, "webhooks")}
        assert remaining == set(sent[1:]), "only the chosen message moves; the rest stay visible"

        everything = classreel(local_stack, "redrive", "--queue", "webhooks", "--all")
        assert "2 message(s) sent back" in everything.stdout
        assert listed(local_stack, "webhooks") == []
        assert "empty" in classreel(local_stack, "list", "--queue", "webhooks").stdout
    finally:
        sqs.purge_queue(QueueUrl=dlq_url)


def test_redrive_needs_all_or_ids(local_stack: LocalStack) -> None:
    result = classreel(local_stack, "redrive", check=False)
    assert result.returncode == 2
    assert "--all" in result.stderr
