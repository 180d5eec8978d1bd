"""The app's zip functions never import the redaction function's libraries (numpy, OpenCV,
MediaPipe live only in its container image: requirements-redaction.txt)."""

from __future__ import annotations

import json
import subprocess
import sys

from chalicelib.config import PROJECT_ROOT, Settings
from chalicelib.jobs.queues import work_queues

_PROBE = """
import json, sys
import app  # noqa: F401
print(json.dumps(sorted(m for m in ("numpy", "cv2", "mediapipe") if m in sys.modules)))
"""


def test_importing_app_py_loads_no_redaction_library() -> None:
    output = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip
    assert json.loads(output.strip().splitlines()[-1]) == []


def test_the_redaction_queue_is_consumed_by_the_container_entry_point() -> None:
    queue = work_queues(Settings())["redaction"]
    assert queue.container_image
    module, function = queue.handler.split(":")
    assert (module, function) == ("chalicelib.redaction.handler", "handle_redaction_batch")


def test_the_lambda_lock_has_none_of_them_and_the_image_lock_has_all() -> None:
    def names(path: str) -> set[str]:
        text = (PROJECT_ROOT / path).read_text()
        return {ln.split("==")[0] for ln in text.splitlines() if "==" in ln and ln[:1].isalpha()}

    heavy = {"numpy", "opencv-python-headless", "mediapipe", "matplotlib"}
    assert names("requirements.txt") & heavy == set()
    assert heavy <= names("requirements-redaction.txt")
    assert names("requirements.txt") <= names("requirements-redaction.txt")
