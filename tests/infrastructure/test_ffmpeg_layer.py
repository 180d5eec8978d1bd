"""The ffmpeg layer: built from the pinned wheel, runs, fits Lambda's size limit."""

from __future__ import annotations

import subprocess
import zipfile

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


def test_media_functions_mount_the_layer(synthesized: Synthesized) -> None:
    (layer_id,) = synthesized.resources("AWS::Lambda::LayerVersion")
    functions = synthesized.functions()
    for name in ("classreel-dev-ingest", "classreel-dev-api"):
        assert functions[name]["Properties"]["Layers"] == [{"Ref": layer_id}]
        variables = functions[name]["Properties"]["Environment"]["Variables"]
        assert variables["CLASSREEL_FFMPEG_BINARY"] == "/opt/bin/ffmpeg"
