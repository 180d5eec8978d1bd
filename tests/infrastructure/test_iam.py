"""Least privilege: one role per function, each with only the prefixes, queues and
table actions its code uses; no wildcard actions, no account-wide resources."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infrastructure.conftest import Synthesized


def _role_of(synthesized: Synthesized, function: str) -> dict[str, Any]:
    role_ref = synthesized.functions()[function]["Properties"]["Role"]
    role: dict[str, Any] = synthesized.document["Resources"][synthesized.logical_id(role_ref)]
    return role


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for policy in role["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


def _rendered(resource: object) -> str:
    """An ARN with its references spelled out, to match prefixes against."""
    if isinstance(resource, str):
        return resource
    if isinstance(resource, dict) and "Fn::Join" in resource:
        return "".join(_rendered(part) for part in resource["Fn::Join"][1])
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return f"<{resource['Fn::GetAtt'][0]}.{resource['Fn::GetAtt'][1]}>"
    if isinstance(resource, dict) and "Ref" in resource:
        return f"<{resource['Ref']}>"
    raise AssertionError(f"unexpected resource {resource!r}")


def _object_resources(statements: list[dict[str, Any]]) -> list[str]:
    resources: list[str] = []
    for statement in statements:
        if any(a.startswith("s3:") for a in _actions([statement])):
            listed = statement["Resource"]
            resources += [_rendered(r) for r in (listed if isinstance(listed, list) else [listed])]
    return resources


FUNCTIONS = [
    "classreel-dev-api",
    "classreel-dev-ingest",
    "classreel-dev-encode-segments",
    "classreel-dev-cut-clips",
    "classreel-dev-build-exports",
    "classreel-dev-apply-retention",
    "classreel-dev-deliver-webhooks",
    "classreel-dev-reconcile-dead-letters",
    "classreel-dev-sync-sign-in-accounts",
]


def test_each_function_has_its_own_role(synthesized: Synthesized) -> None:
    roles = [
        synthesized.functions()[name]["Properties"]["Role"]["Fn::GetAtt"][0] for name in FUNCTIONS
    ]
    assert len(set(roles)) == len(FUNCTIONS)
    for role_id in roles:
        role = synthesized.document["Resources"][role_id]["Properties"]
        (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
        assert "ManagedPolicyArns" not in role


# X-Ray's write actions take no resource: "*" is the only way to grant them.
RESOURCELESS_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_no_policy_allows_every_action_or_every_resource(synthesized: Synthesized) -> None:
    for logical_id, role in synthesized.resources("AWS::IAM::Role").items():
        for statement in _statements(role):
            for action in _actions([statement]):
                assert action != "*" and not action.endswith(":*"), (logical_id, action)
            if set(_actions([statement])) <= RESOURCELESS_ACTIONS:
                continue
            resources = statement["Resource"]
            assert resources != "*" and "*" not in (
                resources if isinstance(resources, list) else []
            ), (logical_id, statement)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_function_scans_the_table(synthesized: Synthesized, function: str) -> None:
    actions = _actions(_statements(_role_of(synthesized, function)))
    assert "dynamodb:Scan" not in actions
    assert not any(a.startswith("dynamodb:") and "*" in a for a in actions)


def test_s3_object_access_is_scoped_to_prefixes(synthesized: Synthesized) -> None:
    for function in FUNCTIONS:
        for resource in _object_resources(_statements(_role_of(synthesized, function))):
            if "/" in resource:
                assert resource.endswith(("/raw/*", "/videos/*", "/clips/*", "/exports/*")), (
                    function,
                    resource,
                )


def test_the_ingest_worker_reads_raw_and_writes_videos(synthesized: Synthesized) -> None:
    statements = _statements(_role_of(synthesized, "classreel-dev-ingest"))
    by_sid = {statement["Sid"]: statement for statement in statements}
    assert "s3:GetObjectVersion" in _actions([by_sid["ReadAndRefuseSources"]])
    assert _rendered(by_sid["ReadAndRefuseSources"]["Resource"]).endswith("/raw/*")
    assert "s3:PutObject" in _actions([by_sid["WriteOutputs"]])
    assert _rendered(by_sid["WriteOutputs"]["Resource"]).endswith("/videos/*")
    assert "s3:PutObject" not in _actions([by_sid["ReadAndRefuseSources"]])


def test_the_clip_worker_reads_sources_and_writes_only_clips(synthesized: Synthesized) -> None:
    statements = _statements(_role_of(synthesized, "classreel-dev-cut-clips"))
    by_sid = {statement["Sid"]: statement for statement in statements}
    assert _rendered(by_sid["ReadSources"]["Resource"]).endswith("/raw/*")
    assert "s3:PutObject" in _actions([by_sid["WriteClipOutputs"]])
    writes = [s for s in statements if "s3:PutObject" in _actions([s])]
    assert [_rendered(s["Resource"]) for s in writes] == [
        _rendered(by_sid["WriteClipOutputs"]["Resource"])
    ]
    assert _rendered(by_sid["WriteClipOutputs"]["Resource"]).endswith("/clips/*")


def test_queue_consumers_may_only_consume_their_own_queue(synthesized: Synthesized) -> None:
    for function, queue_name in [
        ("classreel-dev-ingest", "classreel-dev-ingest"),
        ("classreel-dev-encode-segments", "classreel-dev-segments"),
        ("classreel-dev-cut-clips", "classreel-dev-clips"),
        ("classreel-dev-build-exports", "classreel-dev-exports"),
        ("classreel-dev-deliver-webhooks", "classreel-dev-webhooks"),
        ("classreel-dev-sync-sign-in-accounts", "classreel-dev-sign-in-accounts"),
    ]:
        statements = _statements(_role_of(synthesized, function))
        consuming = [s for s in statements if "sqs:DeleteMessage" in _actions([s])]
        (statement,) = consuming
        queue_id = synthesized.logical_id(statement["Resource"])
        queue = synthesized.document["Resources"][queue_id]["Properties"]
        assert queue["QueueName"] == queue_name


def test_a_worker_with_a_district_share_may_send_its_own_queue_a_waiting_message(
    synthesized: Synthesized,
) -> None:
    for function, queue_name in [
        ("classreel-dev-ingest", "classreel-dev-ingest"),
        ("classreel-dev-encode-segments", "classreel-dev-segments"),
        ("classreel-dev-cut-clips", "classreel-dev-clips"),
        ("classreel-dev-build-exports", "classreel-dev-exports"),
        ("classreel-dev-deliver-webhooks", "classreel-dev-webhooks"),
    ]:
        statements = _statements(_role_of(synthesized, function))
        sends = [s for s in statements if "sqs:SendMessage" in _actions([s])]
        names = {
            synthesized.document["Resources"][synthesized.logical_id(s["Resource"])]["Properties"][
                "QueueName"
            ]
            for s in sends
        }
        assert queue_name in names, function
        assert "dynamodb:PutItem" in _actions(statements), function


def test_the_reconciler_only_peeks_at_the_dead_letters(synthesized: Synthesized) -> None:
    statements = _statements(_role_of(synthesized, "classreel-dev-reconcile-dead-letters"))
    actions = _actions(statements)
    assert not any(a.startswith("s3:") for a in actions)
    assert "sqs:DeleteMessage" not in actions
    (peek,) = [s for s in statements if s["Sid"] == "PeekDeadLetters"]
    dlq = synthesized.document["Resources"][synthesized.logical_id(peek["Resource"])]
    assert dlq["Properties"]["QueueName"] == "classreel-dev-ingest-dlq"


def test_the_webhook_sender_touches_no_files(synthesized: Synthesized) -> None:
    statements = _statements(_role_of(synthesized, "classreel-dev-deliver-webhooks"))
    assert not any(a.startswith("s3:") for a in _actions(statements))
    assert "dynamodb:DeleteItem" not in _actions(statements)
    # It writes whole items only to its districts' shares of the delivery workers.
    (put,) = [s for s in statements if "dynamodb:PutItem" in _actions([s])]
    assert _actions([put]) == {"dynamodb:PutItem"}
    assert put["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["FAIRSHARE#webhook#*"]}
    }


def test_functions_write_only_their_own_logs(synthesized: Synthesized) -> None:
    for function in FUNCTIONS:
        statements = _statements(_role_of(synthesized, function))
        (logs,) = [s for s in statements if s["Sid"] == "OwnLogs"]
        assert _rendered(logs["Resource"]).endswith(f":log-group:/aws/lambda/{function}:*")
