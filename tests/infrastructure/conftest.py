"""One synthesis of the CDK app per session, shared by every infrastructure test.

Synth packages app.py with Chalice and runs cdk-nag: it takes seconds, not
milliseconds, so it happens once. It needs no AWS credentials and no network
(once the ffmpeg layer's pinned wheel is cached by ``make layer``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import assertions

from infrastructure.app import build_app
from layers.ffmpeg import build as ffmpeg_build

STACK_NAME = "ClassReel-dev"


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    template_path: Path
    document: dict[str, Any]
    template: assertions.Template

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.document["Resources"].items()
            if resource["Type"] == kind
        }

    def functions(self) -> dict[str, dict[str, Any]]:
        """Chalice's functions by their deployed name (``classreel-dev-ingest``)."""
        return {
            resource["Properties"]["FunctionName"]: resource
            for resource in self.resources("AWS::Serverless::Function").values()
        }

    def logical_id(self, ref: object) -> str:
        """The logical id behind ``{"Ref": id}`` or ``{"Fn::GetAtt": [id, attr]}``."""
        if isinstance(ref, dict) and "Ref" in ref:
            return str(ref["Ref"])
        if isinstance(ref, dict) and "Fn::GetAtt" in ref:
            return str(ref["Fn::GetAtt"][0])
        raise AssertionError(f"not a reference: {ref!r}")


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    ffmpeg_build.build()  # no-op when the layer is up to date
    outdir = tmp_path_factory.mktemp("cdk.out")
    assembly = build_app(outdir=str(outdir)).synth()
    stack = assembly.get_stack_by_name(STACK_NAME)
    document: dict[str, Any] = stack.template
    return Synthesized(
        outdir=outdir,
        template_path=outdir / stack.template_file,
        document=document,
        template=assertions.Template.from_json(document),
    )
