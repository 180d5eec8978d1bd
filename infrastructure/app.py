"""The CDK app: ``python -m infrastructure.app``, run by ``cdk`` from the repository root
(cdk.json). ``make synth`` / ``make deploy`` call the pinned CLI.

Synthesizes one ClassReelStack for the stage named in context (``-c stage=prod``),
environment-agnostic: no account or region is looked up, so synth needs no AWS
credentials. cdk-nag's AwsSolutions rules run over everything at synth.
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk

from infrastructure.deployment import DeploymentConfig
from infrastructure.nag import check_app
from infrastructure.stacks.classreel import ClassReelStack

CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"


def cdk_json_context() -> dict[str, object]:
    """cdk.json's context (feature flags, defaults), for an app run without the CLI
    (``python -m infrastructure.app``, as tests/infrastructure does). Context the CLI
    passes (cdk.json, ``-c key=value``) wins over these.
    """
    context: dict[str, object] = json.loads(CDK_JSON.read_text())["context"]
    return context


def build_app() -> cdk.App:
    app = cdk.App(context=cdk_json_context())
    config = DeploymentConfig.from_context(app.node)
    ClassReelStack(
        app,
        f"ClassReel-{config.stage}",
        config=config,
        # Chalice's package goes into the cloud assembly, next to the template.
        package_dir=Path(app.outdir).resolve() / "chalice" / config.stage,
        description=f"ClassReel ({config.stage}): video coaching pipeline",
    )
    check_app(app)
    return app


def main() -> None:
    build_app().synth()


if __name__ == "__main__":
    main()
