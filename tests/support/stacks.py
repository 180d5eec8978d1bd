"""Stacks of a test's own, for tests that break things (kill workers, stop services)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from classreel.local.stack import LocalStack, StackOptions
from tests.conftest import STACK_OVERRIDES
from tests.support.tcp_proxy import TcpProxy


def _stack(
    data_dir: Path, persist: bool, start_runner: bool, settings: dict[str, str]
) -> LocalStack:
    return LocalStack(
        StackOptions(
            data_dir=data_dir,
            api_port=0,
            persist=persist,
            start_runner=start_runner,
            # Nobody signs in through a browser on these: no OpenID Connect provider.
            start_oidc=False,
            # Its own table name, persisted or not: this process talks to the
            # session's stack too, and reconnects by table name.
            settings_overrides={
                **STACK_OVERRIDES,
                "CLASSREEL_TABLE_NAME": f"classreel-{secrets.token_hex(4)}",
                **settings,
            },
        )
    )


@contextmanager
def _running(stack: LocalStack) -> Iterator[LocalStack]:
    stack.start()
    try:
        yield stack
    finally:
        # Restores the environment it found (the session stack's, if any).
        stack.stop()


@contextmanager
def dedicated_stack(
    data_dir: Path, *, persist: bool = False, start_runner: bool = True, **settings: str
) -> Iterator[LocalStack]:
    """A whole local stack on free ports; ``settings`` are extra ``CLASSREEL_*`` values."""
    with _running(_stack(data_dir, persist, start_runner, settings)) as stack:
        yield stack


@contextmanager
def stack_behind_proxy(
    data_dir: Path, *, persist: bool = False, **settings: str
) -> Iterator[tuple[LocalStack, TcpProxy]]:
    """A stack whose every client reaches moto (S3, SQS) through a proxy we can cut."""
    stack = _stack(data_dir, persist, True, settings)
    proxy = TcpProxy(target_port=stack.moto_port).start()
    stack.options.settings_overrides["CLASSREEL_S3_ENDPOINT_URL"] = proxy.url
    stack.options.settings_overrides["CLASSREEL_SQS_ENDPOINT_URL"] = proxy.url
    try:
        with _running(stack):
            yield stack, proxy
    finally:
        proxy.stop()


def ffmpeg_wrapper(path: Path, before: str) -> Path:
    """An executable that runs the shell line ``before``, then the real ffmpeg."""
    path.write_text(f'#!/bin/sh\n{before}\nexec ffmpeg "$@"\n')
    path.chmod(0o755)
    return path
