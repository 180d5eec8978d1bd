"""One synthesis of the CDK app per session, shared by every infrastructure test.

Synth packages app.py with Chalice and runs cdk-nag: it takes seconds, not
milliseconds, so it happens once. It needs no AWS credentials and no network
(once the ffmpeg layer's pinned wheel is cached by ``make layer``).

It runs as ``cdk synth`` runs it, in its own interpreter: Chalice's packager
imports app.py, and app.py's blueprints can be registered on one Chalice app
per process, so a synth inside a pytest session where another test already
imported app.py would fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import assertions

from chalicelib.config import PROJECT_ROOT, Settings
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

    def role_statements(self, function: str) -> list[dict[str, Any]]:
        """The IAM statements of a function's own role (by its deployed name)."""
        role_ref = self.functions()[function]["Properties"]["Role"]
        role = self.document["Resources"][self.logical_id(role_ref)]
        return [
            statement
            for policy in role["Properties"].get("Policies", [])
            for statement in policy["PolicyDocument"]["Statement"]
        ]

    def variables(self, function: str) -> dict[str, Any]:
        """A function's environment variables (by its deployed name)."""
        variables: dict[str, Any] = self.functions()[function]["Properties"]["Environment"][
            "Variables"
        ]
        return variables

    def logical_id(self, ref: object) -> str:
        """The logical id behind ``{"Ref": id}`` or ``{"Fn::GetAtt": [id, attr]}``."""
        if isinstance(ref, dict) and "Ref" in ref:
            return str(ref["Ref"])
        if isinstance(ref, dict) and "Fn::GetAtt" in ref:
            return str(ref["Fn::GetAtt"][0])
        raise AssertionError(f"not a reference: {ref!r}")


def _deployment_environment() -> dict[str, str]:
    """This process's environment without its CLASSREEL_* settings (a local test stack
    started earlier in the session sets some): what the CDK app sees on a laptop."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}


@pytest.fixture
def deployed_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings the synthesized stack was built from, to compare its resources with."""
    for name in list(os.environ):
        if name.startswith("CLASSREEL_"):
            monkeypatch.delenv(name)
    return Settings(queue_prefix="classreel-dev")


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    ffmpeg_build.build()  # no-op when the layer is up to date
    outdir = tmp_path_factory.mktemp("cdk.out")
    # As the CLI does (cdk.json's "app"), with none of this shell's CLASSREEL_* settings.
    environment = _deployment_environment()
    environment["CDK_OUTDIR"] = str(outdir)
    result = subprocess.run(
        [sys.executable, "-m", "infrastructure.app"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"synth failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    template_path = outdir / f"{STACK_NAME}.template.json"
    document: dict[str, Any] = json.loads(template_path.read_text())
    return Synthesized(
        outdir=outdir,
        template_path=template_path,
        document=document,
        template=assertions.Template.from_json(document),
    )


def rendered(value: Any) -> str:
    """A ``Fn::Join`` (or a plain string) as text, references written ``<Id>`` / ``<Id.Attr>``."""
    if isinstance(value, str):
        return value
    separator, parts = value["Fn::Join"]
    text = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
        elif "Ref" in part:
            text.append(f"<{part['Ref']}>")
        else:
            text.append("<{}.{}>".format(*part["Fn::GetAtt"]))
    return str(separator).join(text)


# Installed next to this interpreter (the infra extra, requirements-dev.txt).
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def cfn_lint(template_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CFN_LINT), str(template_path)], capture_output=True, text=True, check=False
    )
