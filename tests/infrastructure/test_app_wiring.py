"""Everything app.py declares exists in AWS: each SQS handler's queue + DLQ, each schedule,
and every function receives the settings (chalicelib/config.py) that say where things are."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from chalicelib.config import PROJECT_ROOT, Settings
from chalicelib.jobs.queues import work_queues
from infrastructure.constructs.queues import VISIBILITY_PER_FUNCTION_TIMEOUT
from tests.infrastructure.conftest import Synthesized

# app.py's event handlers, read in a fresh interpreter: synth imports app.py
# itself (through Chalice's packager), and its blueprints register only once
# per process.
_DECLARED = """
import json
from chalice.app import ScheduledEventConfig, SQSEventConfig
from app import app
print(json.dumps({
    "sqs": sorted(s.name for s in app.event_sources if isinstance(s, SQSEventConfig)),
    "lambdas": sorted(f.name for f in app.pure_lambda_functions),
    "schedules": {
        s.name: s.schedule_expression.to_string()
        for s in app.event_sources if isinstance(s, ScheduledEventConfig)
    },
}))
"""


def _declared_by_app_py() -> dict[str, Any]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLASSREEL_")}
    output = subprocess.run(
        [sys.executable, "-c", _DECLARED],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    declared: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return declared


DECLARED = _declared_by_app_py()
SQS_HANDLERS: list[str] = DECLARED["sqs"]
SCHEDULES: dict[str, str] = DECLARED["schedules"]
LAMBDAS: list[str] = DECLARED["lambdas"]


def _deployed_name(handler: str) -> str:
    return f"classreel-dev-{handler.replace('_', '-')}"


def _sqs_event(synthesized: Synthesized, handler: str) -> dict[str, Any]:
    function = synthesized.functions()[_deployed_name(handler)]
    (event,) = [e for e in function["Properties"]["Events"].values() if e["Type"] == "SQS"]
    properties: dict[str, Any] = event["Properties"]
    return properties


def _queue_of(synthesized: Synthesized, handler: str) -> dict[str, Any]:
    queue_id = synthesized.logical_id(_sqs_event(synthesized, handler)["Queue"])
    properties: dict[str, Any] = synthesized.document["Resources"][queue_id]["Properties"]
    return properties


def test_app_py_declares_the_handlers_this_suite_knows() -> None:
    assert SQS_HANDLERS == [
        "build_exports", "cut_clips", "deliver_webhooks", "encode_segments", "ingest",
        "record_email_feedback", "send_emails", "sync_sign_in_accounts",
    ]  # fmt: skip
    assert set(SCHEDULES) == {
        "apply_retention", "reconcile_dead_letters", "relay_outbox", "send_digests"
    }  # fmt: skip
    assert LAMBDAS == ["relay_events"]


def test_one_function_per_handler_plus_the_api(synthesized: Synthesized) -> None:
    expected = {_deployed_name(h) for h in [*SQS_HANDLERS, *SCHEDULES, *LAMBDAS, "api"]}
    assert set(synthesized.functions()) == expected


@pytest.mark.parametrize("handler", SQS_HANDLERS)
def test_each_queue_has_a_dead_letter_queue(synthesized: Synthesized, handler: str) -> None:
    queue = _queue_of(synthesized, handler)
    redrive = queue["RedrivePolicy"]
    assert redrive["maxReceiveCount"] >= 1
    dlq = synthesized.document["Resources"][synthesized.logical_id(redrive["deadLetterTargetArn"])]
    assert dlq["Type"] == "AWS::SQS::Queue"
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert dlq["Properties"]["SqsManagedSseEnabled"] is True


@pytest.mark.parametrize("handler", SQS_HANDLERS)
def test_visibility_timeout_covers_six_function_timeouts(
    synthesized: Synthesized, handler: str
) -> None:
    timeout = synthesized.functions()[_deployed_name(handler)]["Properties"]["Timeout"]
    assert _queue_of(synthesized, handler)["VisibilityTimeout"] >= (
        VISIBILITY_PER_FUNCTION_TIMEOUT * timeout
    )


@pytest.mark.parametrize("handler", SQS_HANDLERS)
def test_queues_are_encrypted(synthesized: Synthesized, handler: str) -> None:
    assert _queue_of(synthesized, handler)["SqsManagedSseEnabled"] is True


@pytest.mark.parametrize("handler", SQS_HANDLERS)
def test_partial_batch_failures_are_reported(synthesized: Synthesized, handler: str) -> None:
    event = _sqs_event(synthesized, handler)
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert event["ScalingConfig"]["MaximumConcurrency"] >= 2


def test_the_ingest_queue_is_the_one_uploads_notify(synthesized: Synthesized) -> None:
    queue = _queue_of(synthesized, "ingest")
    settings = Settings.model_construct()
    assert queue["QueueName"] == "classreel-dev-ingest"
    assert queue["VisibilityTimeout"] == settings.ingest_visibility_timeout_s
    assert queue["RedrivePolicy"]["maxReceiveCount"] == settings.ingest_max_receive_count
    assert _sqs_event(synthesized, "ingest")["BatchSize"] == settings.ingest_batch_size


@pytest.mark.parametrize("handler", sorted(SCHEDULES))
def test_schedules_run_as_app_py_says(synthesized: Synthesized, handler: str) -> None:
    function = synthesized.functions()[_deployed_name(handler)]
    (event,) = function["Properties"]["Events"].values()
    assert event == {
        "Type": "Schedule",
        "Properties": {"Schedule": SCHEDULES[handler]},
    }


def test_every_setting_handed_to_a_function_exists(synthesized: Synthesized) -> None:
    for name, function in synthesized.functions().items():
        variables = function["Properties"]["Environment"]["Variables"]
        for variable in variables:
            assert variable.startswith("CLASSREEL_"), (name, variable)
            assert variable.removeprefix("CLASSREEL_").lower() in Settings.model_fields, (
                name,
                variable,
            )


def test_functions_know_where_everything_is(synthesized: Synthesized) -> None:
    needed = {
        "CLASSREEL_UPLOADS_BUCKET",
        "CLASSREEL_MEDIA_BUCKET",
        "CLASSREEL_TABLE_NAME",
        "CLASSREEL_QUEUE_PREFIX",
        "CLASSREEL_QUEUE_URLS",
        "CLASSREEL_JWT_ISSUER",
        "CLASSREEL_JWT_AUDIENCE",
        "CLASSREEL_JWKS_URL",
    }
    for name, function in synthesized.functions().items():
        assert needed <= set(function["Properties"]["Environment"]["Variables"]), name


def test_no_function_points_at_the_local_twin(synthesized: Synthesized) -> None:
    for function in synthesized.functions().values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert not any(v.endswith("_ENDPOINT_URL") for v in variables)


def test_every_queue_refuses_plain_http(synthesized: Synthesized) -> None:
    secured: set[str] = set()
    for policy in synthesized.resources("AWS::SQS::QueuePolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}:
                assert statement["Effect"] == "Deny"
                secured.update(synthesized.logical_id(q) for q in policy["Properties"]["Queues"])
    assert secured == set(synthesized.resources("AWS::SQS::Queue"))


def test_the_clip_queue_is_sized_from_the_settings(
    synthesized: Synthesized, deployed_settings: Settings
) -> None:
    queue = _queue_of(synthesized, "cut_clips")
    settings = deployed_settings
    assert queue["QueueName"] == "classreel-dev-clips"
    assert queue["VisibilityTimeout"] == settings.clip_visibility_timeout_s
    assert queue["RedrivePolicy"]["maxReceiveCount"] == settings.clip_max_receive_count
    assert _sqs_event(synthesized, "cut_clips")["BatchSize"] == 1


def test_the_queue_registry_is_what_app_py_and_the_stack_use(
    synthesized: Synthesized, deployed_settings: Settings
) -> None:
    """chalicelib/jobs/queues.py: every queue exists with its DLQ, sized as declared, and
    its handler consumes it with the declared batch size, timeout and concurrency."""
    settings = deployed_settings
    # Queues of container-image functions (face redaction) have no app.py handler.
    registry = {k: q for k, q in work_queues(settings).items() if not q.container_image}
    assert sorted(q.handler for q in registry.values()) == SQS_HANDLERS
    names = {
        q["Properties"]["QueueName"] for q in synthesized.resources("AWS::SQS::Queue").values()
    }
    every = work_queues(settings).values()
    assert names == {n for q in every for n in (q.name(settings), q.dlq_name(settings))}
    for spec in registry.values():
        queue = _queue_of(synthesized, spec.handler)
        assert queue["QueueName"] == spec.name(settings)
        assert queue["VisibilityTimeout"] == spec.visibility_timeout_s
        assert queue["RedrivePolicy"]["maxReceiveCount"] == spec.max_receive_count
        event = _sqs_event(synthesized, spec.handler)
        assert event["BatchSize"] == spec.batch_size
        function = synthesized.functions()[_deployed_name(spec.handler)]
        assert function["Properties"]["Timeout"] == spec.function_timeout_s
        if spec.max_concurrency is not None:
            assert event["ScalingConfig"]["MaximumConcurrency"] == spec.max_concurrency
