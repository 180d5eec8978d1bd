"""The table matches chalicelib/db/schema.py: keys, GSIs, TTL; on-demand with PITR."""

from __future__ import annotations

from typing import Any

from chalicelib.db.schema import GSI_NAMES, TTL_ATTRIBUTE, create_table_request
from tests.infrastructure.conftest import Synthesized


def _table(synthesized: Synthesized) -> dict[str, Any]:
    (table,) = synthesized.resources("AWS::DynamoDB::GlobalTable").values()
    properties: dict[str, Any] = table["Properties"]
    return properties


def test_keys_and_indexes_are_the_schema_of_the_local_twin(synthesized: Synthesized) -> None:
    table = _table(synthesized)
    request = create_table_request("classreel-dev-data")
    assert table["TableName"] == request["TableName"]
    assert table["KeySchema"] == request["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        request["AttributeDefinitions"], key=lambda a: a["AttributeName"]
    )
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert sorted(indexes) == sorted(GSI_NAMES)
    for expected in request["GlobalSecondaryIndexes"]:
        index = indexes[expected["IndexName"]]
        assert index["KeySchema"] == expected["KeySchema"]
        assert index["Projection"] == expected["Projection"]


def test_on_demand_with_ttl_and_point_in_time_recovery(synthesized: Synthesized) -> None:
    table = _table(synthesized)
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {
        "AttributeName": TTL_ATTRIBUTE,
        "Enabled": True,
    }
    (replica,) = table["Replicas"]
    assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert replica["DeletionProtectionEnabled"] is True


def test_the_table_outlives_the_stack(synthesized: Synthesized) -> None:
    (table,) = synthesized.resources("AWS::DynamoDB::GlobalTable").values()
    assert table["DeletionPolicy"] == "Retain"
