"""A queue worker that runs as a container image: face redaction (chalicelib/redaction).

MediaPipe's wheels need glibc >= 2.28, which Lambda's Python 3.11 runtime lacks, and the
detector with OpenCV and NumPy is far beyond a zip's 250 MB; so its queue (declared
``container_image=True`` in chalicelib/jobs/queues.py) is consumed by a
``DockerImageFunction`` rather than one of app.py's handlers.

At synth the image's build context is laid out under the cloud assembly: its Dockerfile
(infrastructure/redaction/), requirements-redaction.txt, chalicelib/ and the ffmpeg
layer's static binaries (hard links where the file system allows, so synth stays quick).
CDK records it as an image asset: Docker builds and pushes it only when the assets are
published (``cdk deploy``), so synth needs no Docker. The function gets the same kind of
role as the others (its own logs, X-Ray, exactly ``spec.permissions`` and its queue),
partial batch responses and a concurrency cap.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Size
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infrastructure.constructs.chalice_app import FunctionSpec, camel, function_role
from infrastructure.deployment import check_setting_names
from layers.ffmpeg import build as ffmpeg_build

DOCKERFILE = "infrastructure/redaction/Dockerfile"
LOCK = "requirements-redaction.txt"
# What the image holds of the repository (beside the lock and the ffmpeg binaries).
SOURCE_PACKAGES = ("chalicelib",)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def stage_build_context(project_dir: Path, context_dir: Path) -> Path:
    """The image's build context: exactly what its Dockerfile copies, nothing else."""
    shutil.rmtree(context_dir, ignore_errors=True)
    context_dir.mkdir(parents=True)
    shutil.copy2(project_dir / DOCKERFILE, context_dir / "Dockerfile")
    shutil.copy2(project_dir / LOCK, context_dir / LOCK)
    for package in SOURCE_PACKAGES:
        shutil.copytree(
            project_dir / package,
            context_dir / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            copy_function=_link_or_copy,
        )
    shutil.copytree(ffmpeg_build.BIN_DIR, context_dir / "bin", copy_function=_link_or_copy)
    return context_dir


class ContainerFunction(Construct):
    """One container-image queue worker: the image, its role, logs and queue mapping."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: str,
        handler: str,
        context_dir: Path,
        spec: FunctionSpec,
        function_name: str,
        environment: Mapping[str, str],
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        queue = spec.trigger
        if queue is None:
            raise ValueError(f"{key}: a container-image worker consumes a queue")
        queue.check_consumer_timeout(spec.timeout_s)
        self.key = key
        self.function_name = function_name
        self.role = function_role(self, "Role", function_name, spec)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        variables = {**environment, **spec.extra_environment}
        check_setting_names(variables)
        module, function = handler.split(":")
        self.function = lambda_.DockerImageFunction(
            self,
            "Function",
            function_name=function_name,
            code=lambda_.DockerImageCode.from_image_asset(
                str(context_dir), cmd=[f"{module}.{function}"]
            ),
            architecture=lambda_.Architecture.X86_64,  # the ffmpeg build and the wheels
            role=self.role,
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            ephemeral_storage_size=Size.mebibytes(spec.ephemeral_storage_mb),
            environment=variables,
            log_group=self.log_group,
        )
        # Active tracing, as on app.py's functions; set on the resource so CDK adds no
        # policy of its own beside the role's inline one.
        cfn = self.function.node.default_child
        if not isinstance(cfn, lambda_.CfnFunction):
            raise TypeError("expected the function's CfnFunction")
        cfn.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")
        # The role's policy is inline, so its GetAtt already orders the function after it.
        cfn.add_deletion_override("DependsOn")
        # A mapping of its own (not add_event_source), so the role stays exactly as declared.
        lambda_.EventSourceMapping(
            self,
            f"{camel(key)}Queue",
            target=self.function,
            event_source_arn=queue.queue.queue_arn,
            batch_size=queue.spec.batch_size,
            # The handler answers {"batchItemFailures": [...]} (chalicelib/jobs/batch.py).
            report_batch_item_failures=True,
            max_concurrency=spec.max_concurrency,
        )
