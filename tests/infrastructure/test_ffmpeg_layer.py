"""The ffmpeg layer: built from the pinned wheel, runs, fits Lambda's size limit."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from layers.ffmpeg import build as ffmpeg_build
from tests.infrastructure.conftest import Synthesized


def test_the_layer_is_built_and_up_to_date(synthesized: Synthesized) -> None:
    manifest = ffmpeg_build.read_manifest()
    assert manifest is not None
    assert ffmpeg_build.is_up_to_date(manifest)
    assert manifest.unzipped_bytes <= ffmpeg_build.LAYER_BUDGET_BYTES


@pytest.mark.skipif(
    not ffmpeg_build.can_execute_here(), reason="the layer's x86_64 binaries need an x86_64 host"
)
@pytest.mark.parametrize("binary", ["ffmpeg", "ffprobe"])
def test_the_binaries_run(synthesized: Synthesized, binary: str) -> None:
    result = subprocess.run(
        [str(ffmpeg_build.BIN_DIR / binary), "-version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert result.stdout.startswith(f"{binary} version ")


def test_the_zip_puts_the_binaries_in_opt_bin(synthesized: Synthesized) -> None:
    with zipfile.ZipFile(ffmpeg_build.LAYER_ZIP) as layer:
        names = set(layer.namelist())
        assert {"bin/ffmpeg", "bin/ffprobe"} <= names
        for name in ("bin/ffmpeg", "bin/ffprobe"):
            mode = layer.getinfo(name).external_attr >> 16
            assert mode & 0o111, f"{name} is not executable"


def test_function_package_plus_layer_fits_lambdas_limit(synthesized: Synthesized) -> None:
    packages = list((synthesized.outdir / "chalice").rglob("deployment.zip"))
    assert packages
    for package in packages:
        with zipfile.ZipFile(package) as code:
            unzipped = sum(info.file_size for info in code.infolist())
        assert unzipped <= ffmpeg_build.FUNCTION_BUDGET_BYTES, package


def test_media_functions_mount_the_layer_and_use_its_binaries(synthesized: Synthesized) -> None:
    (layer_id,) = synthesized.resources("AWS::Lambda::LayerVersion")
    for name, function in synthesized.functions().items():
        properties = function["Properties"]
        variables = properties["Environment"]["Variables"]
        media = ("ingest", "encode-segments", "cut-clips", "api")
        if name in tuple(f"classreel-dev-{f}" for f in media):
            assert properties["Layers"] == [{"Ref": layer_id}]
            assert variables["CLASSREEL_FFMPEG_BINARY"] == "/opt/bin/ffmpeg"
            assert variables["CLASSREEL_FFPROBE_BINARY"] == "/opt/bin/ffprobe"
        else:
            assert not properties.get("Layers"), name
            assert "CLASSREEL_FFMPEG_BINARY" not in variables, name


def test_the_layer_binaries_are_static_x86_64() -> None:
    for name in ffmpeg_build.SOURCE.members:
        ffmpeg_build.check_static_x86_64(ffmpeg_build.BIN_DIR / name)


@pytest.mark.skipif(not ffmpeg_build.can_execute_here(), reason="needs an x86_64 Linux host")
def test_a_dynamically_linked_binary_is_refused() -> None:
    with pytest.raises(ffmpeg_build.LayerError, match="dynamically linked"):
        ffmpeg_build.check_static_x86_64(Path(sys.executable).resolve())


def test_a_file_that_is_not_an_executable_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "ffmpeg"
    script.write_text("#!/bin/sh\necho ffmpeg version 7.0.2\n")
    with pytest.raises(ffmpeg_build.LayerError, match="not a 64-bit"):
        ffmpeg_build.check_static_x86_64(script)


def test_a_layer_over_its_budget_is_refused() -> None:
    half = ffmpeg_build.LAYER_BUDGET_BYTES // 2 + 1
    reports = [ffmpeg_build.BinaryReport(name, half, "") for name in ("ffmpeg", "ffprobe")]
    with pytest.raises(ffmpeg_build.LayerError, match="over its budget"):
        ffmpeg_build.check_size(reports)


def test_the_layer_budget_leaves_the_function_its_share() -> None:
    assert (
        ffmpeg_build.LAYER_BUDGET_BYTES + ffmpeg_build.FUNCTION_BUDGET_BYTES
        <= ffmpeg_build.LAMBDA_UNZIPPED_LIMIT_BYTES
    )
    # Lambda's documented limit: 250 MB unzipped, function and layers together.
    assert ffmpeg_build.LAMBDA_UNZIPPED_LIMIT_BYTES <= 262_144_000
