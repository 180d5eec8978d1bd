"""The local runner invokes app functions as Lambda does: own process, hard timeout.

A function that runs past its timeout is stopped with everything it started
(its ffmpeg), so a design that cannot fit Lambda's limits fails on a laptop too.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from classreel.local.runner import (
    FunctionCrashed,
    FunctionFailed,
    FunctionTimedOut,
    IsolatedFunction,
    LambdaContext,
)

MODULE = "tests.unit.local.functions_for_isolation"
# Long enough for a loaded machine to fork, import and start the child; the
# handler then hangs well past it.
HANG_TIMEOUT_S = 5


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: it only waits for its parent to read its status.
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_the_result_comes_back_from_the_invocation_process() -> None:
    result = IsolatedFunction(MODULE, "echo")({"n": 1}, LambdaContext("echo", 60))
    assert result["got"] == {"n": 1}
    assert 0 < result["remaining_ms"] <= 60_000


def test_a_handler_error_fails_the_invocation() -> None:
    with pytest.raises(FunctionFailed, match="ValueError: the file is not a video"):
        IsolatedFunction(MODULE, "fails")({}, LambdaContext("fails", 60))


def test_a_process_that_dies_fails_the_invocation() -> None:
    with pytest.raises(FunctionCrashed, match="exit code 3"):
        IsolatedFunction(MODULE, "dies")({}, LambdaContext("dies", 60))


def test_past_its_timeout_the_invocation_and_its_children_are_stopped(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    # A warm server first, so the timeout below is spent in the handler, as in Lambda.
    IsolatedFunction(MODULE, "echo")({}, LambdaContext("warm", 60))
    with pytest.raises(FunctionTimedOut, match=f"timed out after {HANG_TIMEOUT_S} s"):
        IsolatedFunction(MODULE, "hangs_with_a_child")(
            {"pid_file": str(pid_file)}, LambdaContext("hangs", HANG_TIMEOUT_S)
        )
    assert pid_file.exists(), "the handler never started its child within the timeout"
    child = int(pid_file.read_text())
    # SIGKILL is delivered at once but reaped asynchronously: wait for that, not a guess.
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the invocation's child outlived it"
