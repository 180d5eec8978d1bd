"""A pathological file cannot wedge a worker: ffmpeg is stopped at its time limit,
and its memory is capped (what a decoder bomb would hit). Fake ffmpegs, no network."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from chalicelib.config import Settings
from chalicelib.media.errors import MediaRejected, MediaToolCrashed
from chalicelib.media.runner import (
    COULD_NOT_READ_IN_TIME,
    GCONV_DIR,
    TOOK_TOO_LONG,
    run_ffmpeg,
    run_probe_tool,
    timeout_for,
)


def _fake(tmp_path: Path, body: str) -> str:
    script = tmp_path / "ffmpeg"
    script.write_text(f"#!{sys.executable}\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_a_hung_ffmpeg_is_stopped_at_its_time_limit(tmp_path: Path) -> None:
    hung = _fake(tmp_path, "import time\nwhile True: time.sleep(1)")
    started = time.monotonic()
    with pytest.raises(MediaRejected) as rejected:
        run_ffmpeg([hung, "-i", "x"], Settings(), timeout_s=1.0)
    assert rejected.value.reason == TOOK_TOO_LONG
    assert time.monotonic() - started < 10


def test_memory_beyond_the_cap_kills_ffmpeg_not_the_worker(tmp_path: Path) -> None:
    greedy = _fake(tmp_path, "blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]")
    with pytest.raises((MediaRejected, MediaToolCrashed)):
        run_ffmpeg([greedy], Settings(ffmpeg_memory_limit_mb=256), timeout_s=30)


def test_the_time_limit_grows_with_the_media() -> None:
    settings = Settings(ffmpeg_timeout_base_s=120, ffmpeg_timeout_per_media_s=3)
    assert timeout_for(None, settings) == 120
    assert timeout_for(1800, settings) == 120 + 3 * 1800


def test_a_hung_ffprobe_is_stopped_and_the_file_refused(tmp_path: Path) -> None:
    hung = _fake(tmp_path, "import time\nwhile True: time.sleep(1)")
    started = time.monotonic()
    with pytest.raises(MediaRejected) as rejected:
        run_probe_tool([hung, "-i", "x"], Settings(), timeout_s=1.0)
    assert rejected.value.reason == COULD_NOT_READ_IN_TIME
    assert time.monotonic() - started < 10


def test_ffprobe_memory_is_capped_too(tmp_path: Path) -> None:
    greedy = _fake(
        tmp_path,
        "import sys\ntry:\n    blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]\n"
        "except MemoryError:\n    sys.exit(1)\nprint('not capped')",
    )
    result = run_probe_tool([greedy], Settings(ffprobe_memory_limit_mb=256), timeout_s=30)
    assert result.returncode == 1
    assert "not capped" not in result.stdout


def test_tools_never_load_the_hosts_iconv_modules(tmp_path: Path) -> None:
    reporter = _fake(tmp_path, "import os\nprint(os.environ.get('GCONV_PATH', ''))")
    result = run_probe_tool([reporter], Settings(), timeout_s=30)
    assert result.stdout.strip() == str(GCONV_DIR)
    assert (GCONV_DIR / "gconv-modules").is_file()


def test_bytes_that_are_not_utf8_do_not_break_reading_ffprobe(tmp_path: Path) -> None:
    chatty = _fake(tmp_path, 'import sys\nsys.stdout.buffer.write(b\'{"tag": "\\xff\\xfe"}\')')
    result = run_probe_tool([chatty], Settings(), timeout_s=30)
    assert result.returncode == 0
    assert result.stdout.startswith('{"tag": "')
