"""app.py in AWS: Chalice's CDK construct (``chalice.cdk.Chalice``), wired by this stack.

app.py stays the only place routes and event handlers are declared: the
construct runs Chalice's packager, which turns app.py into a deployment zip
(a CDK asset) and a SAM template with one function per handler, the REST API
and the event sources, and includes that template. This construct then
decides, per function, what Chalice's config cannot express with CDK values:
its own IAM role (only what it uses), its name and log group, memory and
timeout, the ffmpeg layer, the settings it reads, for a queue-triggered
handler the queue's ARN, partial batch responses and a concurrency cap, and for
a function fed by the table's stream the event source mapping (Chalice cannot
name a stream whose ARN is known only at deploy time).

Around ``chalice.cdk.Chalice`` it packages into the cloud assembly (the
construct writes to its working directory), imports app.py under controlled
settings, and refuses a handler it has no ``FunctionSpec`` for, so a new
handler cannot ship with defaults by accident.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sam as sam
from chalice import cdk as chalice_cdk
from constructs import Construct

from chalicelib.config import reset_settings_cache
from infrastructure.constructs import permissions as allow
from infrastructure.constructs.queues import WorkQueue
from infrastructure.deployment import check_setting_names
from infrastructure.nag import acknowledge_scoped_wildcards

SAM_FUNCTION = "AWS::Serverless::Function"
SAM_API = "AWS::Serverless::Api"
# The REST API's handler is the Chalice app object itself ("app.app").
API_HANDLER = "app"
API_FUNCTION_KEY = "api"

# What Chalice is told when packaging. Roles are created here, one per
# function (the placeholder ARN is replaced before deployment); REGIONAL
# because CloudFront (constructs/web.py) is the edge.
PACKAGE_CONFIG: dict[str, Any] = {
    "manage_iam_role": False,
    "iam_role_arn": "arn:aws:iam::000000000000:role/replaced-per-function",
    "autogen_policy": False,
    "api_gateway_endpoint_type": "REGIONAL",
}
# Chalice's packager creates a boto3 session; the region never reaches the
# template (ARNs use ${AWS::Region}), but botocore insists on one.
PACKAGE_REGION = "us-east-1"
_QUEUE_ARN_NAME = re.compile(r":([^:]+)$")


@dataclass(frozen=True)
class StreamTrigger:
    """The table's stream feeding an ``@app.lambda_function``: new items under one key prefix."""

    table: dynamodb.ITableV2
    key_prefix: str
    batch_size: int = 100
    # A batch that keeps failing is retried this often, halved each time, then
    # skipped: the items it named are still in the table for the sweep.
    max_retries: int = 5


@dataclass(frozen=True)
class FunctionSpec:
    """How one function of app.py runs in AWS. Keyed by its handler name in app.py."""

    memory_mb: int
    timeout_s: int
    # Exactly what the function's code calls, beyond writing its own logs.
    permissions: Sequence[iam.PolicyStatement]
    ephemeral_storage_mb: int = 512
    layers: Sequence[lambda_.ILayerVersion] = ()
    # For an @app.on_sqs_message handler: the queue it consumes.
    trigger: WorkQueue | None = None
    # For a queue-triggered handler: how many invocations at once, at most.
    max_concurrency: int | None = None
    # For an @app.lambda_function fed by the table's stream.
    stream: StreamTrigger | None = None
    extra_environment: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PackagedFunction:
    logical_id: str
    key: str  # FunctionSpec key: the handler's name in app.py, "api" for the REST API
    sqs_events: dict[str, str]  # SAM event name -> queue name


@dataclass(frozen=True)
class DeployedFunction:
    key: str
    function_name: str
    role: iam.Role
    resource: sam.CfnFunction


def _function_key(handler: str) -> str:
    attribute = handler.rsplit(".", 1)[-1]
    return API_FUNCTION_KEY if attribute == API_HANDLER else attribute


def read_functions(template: Mapping[str, Any]) -> list[PackagedFunction]:
    """The functions Chalice made from app.py, with the queues their SQS events name."""
    found = []
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != SAM_FUNCTION:
            continue
        properties = resource["Properties"]
        sqs_events = {}
        for event_name, event in properties.get("Events", {}).items():
            if event["Type"] == "SQS":
                arn = event["Properties"]["Queue"]
                arn_text = arn["Fn::Sub"] if isinstance(arn, dict) else arn
                match = _QUEUE_ARN_NAME.search(str(arn_text))
                if match is None:
                    raise ValueError(f"{logical_id}: cannot read the queue of event {event_name}")
                sqs_events[event_name] = match.group(1)
        found.append(PackagedFunction(logical_id, _function_key(properties["Handler"]), sqs_events))
    return found


@contextmanager
def app_import_environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Import app.py afresh under exactly these settings, then restore this process.

    app.py reads settings when it is imported (the queue each handler consumes,
    the batch size), and Chalice imports it as the module ``app`` and writes
    its config into ``os.environ``. Neither may leak into, or from, the rest of
    the synth.
    """
    saved_environ = os.environ.copy()
    saved_app = sys.modules.pop("app", None)
    for name in [n for n in os.environ if n.startswith("CLASSREEL_")]:
        del os.environ[name]
    os.environ.update(variables)
    os.environ.setdefault("AWS_DEFAULT_REGION", PACKAGE_REGION)
    reset_settings_cache()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_environ)
        sys.modules.pop("app", None)
        if saved_app is not None:
            sys.modules["app"] = saved_app
        reset_settings_cache()


# chalice.cdk packages into ``chalice.out/`` of the working directory.
CHALICE_OUT = "chalice.out"


def package(
    scope: Construct, project_dir: Path, out_dir: Path, import_env: Mapping[str, str]
) -> tuple[chalice_cdk.Chalice, dict[str, Any]]:
    """``chalice.cdk.Chalice`` for app.py, packaged under ``out_dir``; with its SAM template.

    The construct runs ``chalice package`` and includes the SAM template (code
    pointing at a CDK asset). It packages into ``./chalice.out/<uuid>``, so it
    runs from ``out_dir`` (inside the cloud assembly), emptied first: exactly one
    template is there afterwards, the one read back here.
    """
    shutil.rmtree(out_dir / CHALICE_OUT, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    with app_import_environment(import_env), contextlib.chdir(out_dir):
        construct = chalice_cdk.Chalice(
            scope, "Chalice", source_dir=str(project_dir), stage_config=dict(PACKAGE_CONFIG)
        )
    (template,) = (out_dir / CHALICE_OUT).glob("*.sam_with_assets.json")
    document: dict[str, Any] = json.loads(template.read_text())
    return construct, document


class ChaliceApp(Construct):
    """The Chalice app's functions and REST API, each function wired from its FunctionSpec."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        project_dir: Path,
        package_dir: Path,
        import_environment: Mapping[str, str],
        environment: Mapping[str, str],
        functions: Mapping[str, FunctionSpec],
        function_name: Callable[[str], str],
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        self.chalice, document = package(self, project_dir, package_dir, import_environment)
        packaged = read_functions(document)
        _check_specs(packaged, functions)
        self.template = self.chalice.sam_template
        self.functions: dict[str, DeployedFunction] = {}
        for function in packaged:
            spec = functions[function.key]
            name = function_name(function.key)
            resource = self._function_resource(function.logical_id)
            role = self._role(function.key, name, spec)
            self._configure(resource, name, role, spec, environment)
            for event_name, queue_name in function.sqs_events.items():
                self._connect_queue(resource, event_name, queue_name, spec, function.key)
            if spec.stream is not None:
                self._connect_stream(resource, spec.stream, function.key)
            logs.LogGroup(
                self,
                f"{function.logical_id}Logs",
                log_group_name=f"/aws/lambda/{name}",
                retention=log_retention,
                removal_policy=RemovalPolicy.DESTROY,
            )
            self.functions[function.key] = DeployedFunction(function.key, name, role, resource)
        self.api = self._api_resource()

    def _function_resource(self, logical_id: str) -> sam.CfnFunction:
        resource = self.template.get_resource(logical_id)
        if not isinstance(resource, sam.CfnFunction):
            raise TypeError(f"{logical_id} is not a SAM function")
        return resource

    def _api_resource(self) -> sam.CfnApi:
        apis = [
            r
            for r in self.template.node.children
            if isinstance(r, sam.CfnApi)  # the REST API Chalice generates for the routes
        ]
        if len(apis) != 1:
            raise ValueError(f"expected one REST API in the Chalice template, found {len(apis)}")
        return apis[0]

    def _role(self, key: str, function_name: str, spec: FunctionSpec) -> iam.Role:
        return function_role(self, f"{camel(key)}Role", function_name, spec)

    def _configure(
        self,
        resource: sam.CfnFunction,
        name: str,
        role: iam.Role,
        spec: FunctionSpec,
        environment: Mapping[str, str],
    ) -> None:
        resource.function_name = name
        resource.role = role.role_arn
        resource.memory_size = spec.memory_mb
        resource.timeout = spec.timeout_s
        resource.ephemeral_storage = sam.CfnFunction.EphemeralStorageProperty(
            size=spec.ephemeral_storage_mb
        )
        resource.layers = [layer.layer_version_arn for layer in spec.layers]
        # X-Ray: each invocation is traced (chalicelib/observability.py's tracer).
        resource.tracing = "Active"
        variables = {**environment, **spec.extra_environment}
        check_setting_names(variables)
        resource.environment = sam.CfnFunction.FunctionEnvironmentProperty(variables=variables)

    def _connect_queue(
        self,
        resource: sam.CfnFunction,
        event_name: str,
        queue_name: str,
        spec: FunctionSpec,
        key: str,
    ) -> None:
        queue = spec.trigger
        if queue is None or queue.name != queue_name:
            raise ValueError(
                f"app.py subscribes {key} to queue {queue_name!r}, but its FunctionSpec "
                f"triggers on {queue.name if queue else 'no queue'!r}"
            )
        queue.check_consumer_timeout(spec.timeout_s)
        properties = f"Events.{event_name}.Properties"
        # The ARN (not Chalice's name-based Fn::Sub) also makes the event source
        # wait for the queue to exist.
        resource.add_property_override(f"{properties}.Queue", queue.queue.queue_arn)
        # The handler returns {"batchItemFailures": [...]}: without this, Lambda
        # would treat a partly failed batch as a success and delete every message.
        resource.add_property_override(
            f"{properties}.FunctionResponseTypes", ["ReportBatchItemFailures"]
        )
        if spec.max_concurrency is not None:
            resource.add_property_override(
                f"{properties}.ScalingConfig", {"MaximumConcurrency": spec.max_concurrency}
            )

    def _connect_stream(self, resource: sam.CfnFunction, stream: StreamTrigger, key: str) -> None:
        table_stream = stream.table.table_stream_arn
        if table_stream is None:
            raise ValueError(f"{key} is fed by the table's stream, but the table has none")
        pattern = {
            "eventName": ["INSERT"],
            "dynamodb": {"Keys": {"pk": {"S": [{"prefix": stream.key_prefix}]}}},
        }
        lambda_.CfnEventSourceMapping(
            self,
            f"{camel(key)}Stream",
            # A Ref (the function's name) also orders the mapping after the function.
            function_name=resource.ref,
            event_source_arn=table_stream,
            # Items written before the mapping existed are the sweep's.
            starting_position="LATEST",
            batch_size=stream.batch_size,
            bisect_batch_on_function_error=True,
            maximum_retry_attempts=stream.max_retries,
            filter_criteria=lambda_.CfnEventSourceMapping.FilterCriteriaProperty(
                filters=[lambda_.CfnEventSourceMapping.FilterProperty(pattern=json.dumps(pattern))]
            ),
        )


def function_role(
    scope: Construct, construct_id: str, function_name: str, spec: FunctionSpec
) -> iam.Role:
    """One role per function: its own log group, then exactly ``spec.permissions``.

    Inline in the role (not a separate policy resource), so the permissions
    exist before CloudFormation creates the function and its event source,
    which checks that the role may read the queue.
    """
    stack = Stack.of(scope)
    log_group_arn = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=f"/aws/lambda/{function_name}:*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    statements = [
        iam.PolicyStatement(
            sid="OwnLogs",
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[log_group_arn],
        ),
        # Active tracing: Lambda and the Powertools Tracer send X-Ray segments.
        iam.PolicyStatement(
            sid="Traces",
            actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            resources=["*"],
        ),
        *spec.permissions,
    ]
    if spec.trigger is not None:
        statements.append(spec.trigger.consume_statement())
    if spec.stream is not None:
        statements.append(allow.table_stream("ReadTableStream", spec.stream.table))
    role = iam.Role(
        scope,
        construct_id,
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"ClassReel function {function_name}: only what its code calls",
        inline_policies={"access": iam.PolicyDocument(statements=statements)},
    )
    acknowledge_scoped_wildcards(role, statements)
    return role


def camel(key: str) -> str:
    """``reconcile_dead_letters`` -> ``ReconcileDeadLetters`` (construct ids)."""
    return "".join(part.capitalize() for part in key.split("_"))


def _check_specs(packaged: Sequence[PackagedFunction], specs: Mapping[str, FunctionSpec]) -> None:
    """Every handler in app.py has a FunctionSpec, and every FunctionSpec a handler."""
    handlers = {function.key for function in packaged}
    missing = sorted(handlers - specs.keys())
    unused = sorted(specs.keys() - handlers)
    if missing:
        raise ValueError(
            f"app.py defines {', '.join(missing)} but infrastructure/stacks/functions.py has no "
            "FunctionSpec for it: give it memory, timeout and the permissions its code needs"
        )
    if unused:
        raise ValueError(f"FunctionSpecs for handlers app.py does not define: {', '.join(unused)}")
