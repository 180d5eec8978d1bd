"""The ffmpeg layer (layers/ffmpeg): static ffmpeg and ffprobe, mounted at /opt/bin."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from layers.ffmpeg import build as ffmpeg_build

# Where Lambda mounts the layer's bin/ directory; the functions' settings point here.
FFMPEG_BINARY = "/opt/bin/ffmpeg"
FFPROBE_BINARY = "/opt/bin/ffprobe"


class LayerNotBuiltError(FileNotFoundError):
    """Synth needs the layer zip; it is built by ``make layer``."""


class FfmpegLayer(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, layer_name: str) -> None:
        super().__init__(scope, construct_id)
        manifest = ffmpeg_build.read_manifest()
        if manifest is None or not ffmpeg_build.is_up_to_date(manifest):
            raise LayerNotBuiltError(
                f"{ffmpeg_build.LAYER_ZIP} is missing or stale: run `make layer` "
                "(python layers/ffmpeg/build.py) first"
            )
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            layer_version_name=layer_name,
            code=lambda_.Code.from_asset(str(ffmpeg_build.LAYER_ZIP)),
            compatible_architectures=[lambda_.Architecture.X86_64],
            description=f"Static ffmpeg/ffprobe {manifest.ffmpeg_version} from {manifest.source}",
            license="GPL-3.0-or-later",
            # Old versions stay usable by functions still deployed with them.
            removal_policy=RemovalPolicy.RETAIN,
        )

    @staticmethod
    def environment() -> dict[str, str]:
        return {
            "CLASSREEL_FFMPEG_BINARY": FFMPEG_BINARY,
            "CLASSREEL_FFPROBE_BINARY": FFPROBE_BINARY,
        }
