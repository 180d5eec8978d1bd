"""Lambda-style handlers the isolated-invocation tests run in their own processes."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"got": event, "remaining_ms": context.get_remaining_time_in_millis()}


def fails(event: dict[str, Any], context: Any) -> None:
    raise ValueError("the file is not a video")


def dies(event: dict[str, Any], context: Any) -> None:
    os._exit(3)


def hangs_with_a_child(event: dict[str, Any], context: Any) -> None:
    """Starts a long child (as a worker starts ffmpeg), says so, then never returns."""
    child = subprocess.Popen(["sleep", "600"])
    Path(event["pid_file"]).write_text(str(child.pid))
    while True:
        time.sleep(1)
