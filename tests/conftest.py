"""Shared fixtures.

Unit tests get an isolated data dir and no network. Integration and e2e tests
share one local stack per session (moto, DynamoDB Local in memory, the Lambda
runner and the API on free ports), torn down at the end.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Before anything imports the app: settings must not point at a developer's
# .classreel/ or at a real AWS account.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="classreel-tests-"))
for _name in list(os.environ):
    if _name.startswith("CLASSREEL_"):
        del os.environ[_name]
os.environ["CLASSREEL_DATA_DIR"] = str(_SESSION_DIR / "unit")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"

from chalicelib.auth.principal import Role  # noqa: E402
from classreel.local.stack import LocalStack, StackOptions  # noqa: E402
from tests.support.api import Api  # noqa: E402
from tests.support.lesson import make_lesson  # noqa: E402
from tests.support.reliability_report import Report  # noqa: E402
from tests.support.users import TokenFactory  # noqa: E402

# Short enough that retry paths are exercised within a test, long enough that a
# healthy ingest job never looks abandoned.
STACK_OVERRIDES = {
    "CLASSREEL_INGEST_VISIBILITY_TIMEOUT_S": "20",
    "CLASSREEL_INGEST_MAX_RECEIVE_COUNT": "3",
    "CLASSREEL_INGEST_LEASE_S": "10",
    "CLASSREEL_LOCAL_SCHEDULE_INTERVAL_S": "2",
    "CLASSREEL_WEBHOOK_RETRY_BASE_S": "1",
    # Small limits so every path runs on small generated files.
    "CLASSREEL_MAX_DURATION_S": "60",
    # A lesson's task is seconds on an idle machine; on a loaded shared one it can take
    # minutes, and the runner would stop it at the function timeout as Lambda does.
    # (Its message is held while it runs, so a crashed one still returns within the default
    # crash redelivery.)
    "CLASSREEL_SEGMENT_FUNCTION_TIMEOUT_S": "900",
    "CLASSREEL_SEGMENT_VISIBILITY_TIMEOUT_S": "5400",
    "CLASSREEL_SINGLE_UPLOAD_MAX_BYTES": str(2 * 1024 * 1024),
    "CLASSREEL_MULTIPART_PART_BYTES": str(5 * 1024 * 1024),
    # The suite's shared users upload all session long and the API fuzzer floods on
    # purpose; tests/integration/limits proves each limit with settings of its own.
    "CLASSREEL_LIMIT_REQUESTS_PER_USER_PER_MINUTE": "1000000",
    "CLASSREEL_LIMIT_REQUESTS_PER_DISTRICT_PER_MINUTE": "1000000",
    "CLASSREEL_LIMIT_VIDEOS_PER_USER_PER_DAY": "100000",
    "CLASSREEL_LIMIT_UPLOAD_BYTES_PER_USER_PER_DAY": str(1 << 50),
    "CLASSREEL_LIMIT_CLIPS_PER_USER_PER_DAY": "100000",
    # Every test calls from 127.0.0.1, the access matrix without tokens by the hundred.
    "CLASSREEL_LIMIT_ANONYMOUS_REQUESTS_PER_ADDRESS_PER_MINUTE": "1000000",
}


@pytest.fixture(scope="session")
def session_dir() -> Path:
    return _SESSION_DIR


@pytest.fixture(scope="session")
def local_stack(session_dir: Path) -> Iterator[LocalStack]:
    stack = LocalStack(
        StackOptions(
            data_dir=session_dir / "stack",
            api_port=0,
            persist=False,
            settings_overrides=STACK_OVERRIDES,
        )
    )
    stack.start()
    stack.apply_to_current_process()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def tokens(local_stack: LocalStack) -> TokenFactory:
    return TokenFactory(local_stack.settings())


@pytest.fixture(scope="session")
def corpus_dir(session_dir: Path) -> Path:
    """Generated media files (tests/support/media_corpus.py), made once per session."""
    return session_dir / "corpus"


@pytest.fixture(scope="session")
def teacher_api(local_stack: LocalStack, tokens: TokenFactory) -> Api:
    return Api(local_stack.api_url, tokens.token("teacher-ingest", Role.TEACHER))


@pytest.fixture(scope="session")
def big_video(session_dir: Path) -> Path:
    """~12 MB: three 5 MiB parts with the test stack's part size."""
    path = session_dir / "big.mp4"
    if not path.exists():
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=1280x720:rate=30:duration=6",
                "-f",
                "lavfi",
                "-i",
                "sine=duration=6",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-b:v",
                "24M",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                str(path),
            ],
            check=True,
        )
    assert path.stat().st_size > 10 * 1024 * 1024
    return path


@pytest.fixture(scope="session")
def lesson_file(session_dir: Path) -> Path:
    """A 40 s lesson with a keyframe every 10 s (tests/support/lesson.py)."""
    return make_lesson(session_dir / "lesson.mp4")


@pytest.fixture(scope="session")
def api_as(local_stack: LocalStack, tokens: TokenFactory) -> Callable[..., Api]:
    """``api_as("coach-1", Role.COACH, school="school-2")`` → an API client for that user."""

    def make(user: str, role: Role = Role.TEACHER, **claims: Any) -> Api:
        return Api(local_stack.api_url, tokens.token(user, role, **claims))

    return make


@pytest.fixture(scope="session")
def reliability_report() -> Iterator[Report]:
    """Counts of trials and faults; saved where SOAK_REPORT says (soak)."""
    report = Report()
    yield report
    destination = os.environ.get("SOAK_REPORT")
    if destination:
        report.save(Path(destination))
