"""Child processes of the local stack: started, watched and stopped by pid.

Children are asked by the kernel to receive SIGTERM if their parent dies
(PR_SET_PDEATHSIG), so a crashed test run or supervisor leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ManagedProcess:
    name: str
    argv: Sequence[str]
    env: dict[str, str]
    log_path: Path
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            list(self.argv),
            env=self.env,
            cwd=self.cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # noqa: PLW1509  (no threads touch fork here)
            start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM the process group we created, then SIGKILL after ``grace_s``."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self._log:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """SIGKILL without grace (fault-injection tests)."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


class StartupFailed(RuntimeError):
    pass


def wait_until(
    ready: ManagedProcess, probe_url: str, *, timeout_s: float = 60.0, accept_status: int = 0
) -> None:
    """Poll ``probe_url`` until it answers (any HTTP status when accept_status=0)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not ready.running():
            raise StartupFailed(f"{ready.name} exited during startup:\n{ready.log_tail()}")
        try:
            with urllib.request.urlopen(probe_url, timeout=2) as response:  # noqa: S310
                if not accept_status or response.status == accept_status:
                    return
        except urllib.error.HTTPError as exc:
            if not accept_status or exc.code == accept_status:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise StartupFailed(
        f"{ready.name} did not answer at {probe_url} in {timeout_s:.0f}s:\n{ready.log_tail()}"
    )


def wait_for_port(ready: ManagedProcess, port: int, *, timeout_s: float = 30.0) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:``port`` (an SMTP server)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not ready.running():
            raise StartupFailed(f"{ready.name} exited during startup:\n{ready.log_tail()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise StartupFailed(f"{ready.name} did not listen on {port} in {timeout_s:.0f}s")
