"""What ships to Lambda: the app, its runtime libraries, and nothing that only runs on a laptop.

Chalice packages app.py, chalicelib/ and requirements.txt (the Lambda lock) into
one zip shared by every function, adding its own two-file runtime
(chalice/__init__.py, chalice/app.py). The CLI and the local twin live in
classreel/, outside that package; chalice's CLI and its tooling stay out.
"""

from __future__ import annotations

import tomllib
import zipfile
from pathlib import Path

import pytest

from chalicelib.config import PROJECT_ROOT
from tests.infrastructure.conftest import Synthesized

# Lambda's limits: 50 MiB zipped (direct upload), 250 MiB unzipped with layers.
# Our own budget leaves room for the ffmpeg layer (about 152 MiB unzipped).
MAX_ZIPPED_BYTES = 40 * 1024 * 1024
MAX_UNZIPPED_BYTES = 80 * 1024 * 1024
# Top-level names that must never be in a function's package.
LAPTOP_ONLY = {
    "classreel",  # the CLI and the local twin
    "click",
    "pip",
    "setuptools",
    "inquirer",
    "moto",
    "werkzeug",
    "requests_toolbelt",
    "tqdm",
    "tests",
    "bench",
    "infrastructure",
}


@pytest.fixture(scope="module")
def package(synthesized: Synthesized) -> zipfile.ZipFile:
    zips = list(synthesized.outdir.glob("chalice/*/chalice.out/*/deployment.zip"))
    assert len(zips) == 1, zips
    return zipfile.ZipFile(zips[0])


def _top_level(package: zipfile.ZipFile) -> set[str]:
    return {name.split("/", 1)[0] for name in package.namelist()}


def test_no_laptop_tools_in_the_package(package: zipfile.ZipFile) -> None:
    assert _top_level(package) & LAPTOP_ONLY == set()
    assert not [n for n in package.namelist() if n.startswith("chalicelib/") and "/cli/" in n]


def test_only_chalices_own_runtime_piece(package: zipfile.ZipFile) -> None:
    chalice_files = {n for n in package.namelist() if n.startswith("chalice/")}
    assert chalice_files == {"chalice/__init__.py", "chalice/app.py"}


def test_the_app_and_its_runtime_libraries_are_there(package: zipfile.ZipFile) -> None:
    top = _top_level(package)
    assert {"app.py", "chalicelib", "aws_lambda_powertools", "pynamodb", "pydantic", "jwt"} <= top
    assert {"ffmpeg"} <= top  # ffmpeg-python; the binaries come from the layer


def test_the_package_fits_lambda(package: zipfile.ZipFile) -> None:
    assert package.filename is not None
    zipped = Path(package.filename).stat().st_size
    unzipped = sum(info.file_size for info in package.infolist())
    assert zipped <= MAX_ZIPPED_BYTES, f"{zipped / 2**20:.1f} MiB zipped"
    assert unzipped <= MAX_UNZIPPED_BYTES, f"{unzipped / 2**20:.1f} MiB unzipped"


def test_the_lambda_lock_is_what_pyproject_declares() -> None:
    """requirements.txt holds exactly the closure of [tool.classreel].lambda-dependencies."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    declared = {
        name.split("[")[0].lower() for name in pyproject["tool"]["classreel"]["lambda-dependencies"]
    }
    locked = {
        line.split("==")[0].lower()
        for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith((" ", "#"))
    }
    assert declared <= locked
    assert locked & {"chalice", "click", "pip", "setuptools", "requests", "tqdm", "moto"} == set()
    assert all(
        "--hash=sha256:" in line for line in _continuations(PROJECT_ROOT / "requirements.txt")
    )


def _continuations(path: Path) -> list[str]:
    lines = path.read_text().splitlines()
    return [lines[i + 1] for i, line in enumerate(lines) if "==" in line and line.endswith("\\")]
