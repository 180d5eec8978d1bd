"""The event relay in AWS: the table streams its keys; new outbox items trigger relay_events."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.events.models import OUTBOX_PREFIX
from tests.infrastructure.conftest import Synthesized

RELAY = "classreel-dev-relay-events"


def _mapping(synthesized: Synthesized) -> dict[str, Any]:
    mappings: list[dict[str, Any]] = [
        m["Properties"]
        for m in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if "StartingPosition" in m["Properties"]
    ]
    (mapping,) = mappings
    return mapping


def test_the_table_streams_the_keys_of_every_change(synthesized: Synthesized) -> None:
    (table,) = synthesized.resources("AWS::DynamoDB::GlobalTable").values()
    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": "KEYS_ONLY"}


def test_new_outbox_items_trigger_the_relay_function(synthesized: Synthesized) -> None:
    mapping = _mapping(synthesized)
    (table_id,) = synthesized.resources("AWS::DynamoDB::GlobalTable")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    function_id = synthesized.logical_id(mapping["FunctionName"])
    function = synthesized.document["Resources"][function_id]
    assert function["Properties"]["FunctionName"] == RELAY
    (pattern,) = [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]]
    assert pattern == {
        "eventName": ["INSERT"],
        "dynamodb": {"Keys": {"pk": {"S": [{"prefix": OUTBOX_PREFIX}]}}},
    }
    # A failing batch is split and retried a few times; what it named stays in
    # the table for the sweep, so nothing is dropped.
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] >= 1
    assert mapping["StartingPosition"] == "LATEST"


def test_only_the_relay_reads_the_stream(synthesized: Synthesized) -> None:
    readers = set()
    for role in synthesized.resources("AWS::IAM::Role").values():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                if "dynamodb:GetRecords" in (actions if isinstance(actions, list) else [actions]):
                    readers.add(role["Properties"]["Description"])
    assert len(readers) == 1
    assert RELAY in readers.pop()


def test_the_sweep_runs_every_minute(synthesized: Synthesized) -> None:
    function = synthesized.functions()["classreel-dev-relay-outbox"]
    (event,) = function["Properties"]["Events"].values()
    assert event["Properties"]["Schedule"] == "rate(1 minute)"
