"""`pip install .` in a clean virtual environment gives a working `classreel` command.

The package declares its own dependencies (pyproject.toml); the local twin's
extra packages come with the `cli` extra, and `classreel local up` says so
when they are missing instead of failing on an import.
"""

from __future__ import annotations

import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from chalicelib.config import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, timeout=600)


def _source_copy(target: Path) -> Path:
    """What `pip install .` reads, copied, so the build leaves nothing in the checkout."""
    target.mkdir()
    shutil.copy2(PROJECT_ROOT / "pyproject.toml", target)
    for package in ("chalicelib", "classreel"):
        shutil.copytree(
            PROJECT_ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return target


def test_pip_install_dot_gives_a_working_classreel(tmp_path: Path) -> None:
    source = _source_copy(tmp_path / "source")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    installed = _run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "."],
        cwd=source,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    classreel = environment / "bin" / "classreel"
    elsewhere = tmp_path / "elsewhere"  # not the checkout: only the installed package counts
    elsewhere.mkdir()

    help_text = _run([str(classreel), "--help"], cwd=elsewhere)
    assert help_text.returncode == 0, help_text.stderr
    for command in ("upload", "local", "dlq", "audit"):
        assert command in help_text.stdout
    upload_help = _run([str(classreel), "upload", "--help"], cwd=elsewhere)
    assert upload_help.returncode == 0, upload_help.stderr

    local_up = _run([str(classreel), "local", "up", "--ephemeral"], cwd=elsewhere)
    assert local_up.returncode != 0
    assert "pip install 'classreel[cli]'" in local_up.stderr
    assert "Traceback" not in local_up.stderr
