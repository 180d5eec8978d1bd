"""Stacks of a test's own, for tests that break things (kill workers, stop services)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chalicelib.local.stack import LocalStack, StackOptions
from tests.conftest import STACK_OVERRIDES


@contextmanager
def dedicated_stack(
    data_dir: Path, *, persist: bool = False, start_runner: bool = True, **settings: str
) -> Iterator[LocalStack]:
    """A whole local stack on free ports; ``settings`` are extra ``CLASSREEL_*`` values.

    Stopping it restores the environment it found (the session stack's, if any).
    """
    stack = LocalStack(
        StackOptions(
            data_dir=data_dir,
            api_port=0,
            persist=persist,
            start_runner=start_runner,
            settings_overrides={**STACK_OVERRIDES, **settings},
        )
    )
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def ffmpeg_wrapper(path: Path, before: str) -> Path:
    """An executable that runs the shell line ``before``, then the real ffmpeg."""
    path.write_text(f'#!/bin/sh\n{before}\nexec ffmpeg "$@"\n')
    path.chmod(0o755)
    return path
