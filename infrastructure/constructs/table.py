"""The single DynamoDB table, created from the same schema the local twin uses."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from chalicelib.db.schema import TTL_ATTRIBUTE, create_table_request

_ATTRIBUTE_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}


def _attribute(name: str, kind: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=_ATTRIBUTE_TYPES[kind])


class Table(Construct):
    """On-demand, point-in-time recovery, TTL, a stream of keys, and exactly the keys and GSIs
    of ``schema.py``."""

    def __init__(self, scope: Construct, construct_id: str, *, table_name: str) -> None:
        super().__init__(scope, construct_id)
        request = create_table_request(table_name)
        kinds = {a["AttributeName"]: a["AttributeType"] for a in request["AttributeDefinitions"]}
        keys = {k["KeyType"]: k["AttributeName"] for k in request["KeySchema"]}
        self.table = dynamodb.TableV2(
            self,
            "Table",
            table_name=table_name,
            partition_key=_attribute(keys["HASH"], kinds[keys["HASH"]]),
            sort_key=_attribute(keys["RANGE"], kinds[keys["RANGE"]]),
            billing=dynamodb.Billing.on_demand(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=TTL_ATTRIBUTE,
            deletion_protection=True,
            # Keys of every change: the event relay (relay_events) reads the
            # outbox items it names (chalicelib/events).
            dynamo_stream=dynamodb.StreamViewType.KEYS_ONLY,
            removal_policy=RemovalPolicy.RETAIN,
            global_secondary_indexes=[
                self._index(index, kinds) for index in request["GlobalSecondaryIndexes"]
            ],
        )

    @staticmethod
    def _index(
        index: dict[str, object], kinds: dict[str, str]
    ) -> dynamodb.GlobalSecondaryIndexPropsV2:
        schema = index["KeySchema"]
        projection = index["Projection"]
        if not isinstance(schema, list) or projection != {"ProjectionType": "ALL"}:
            raise ValueError(f"index {index['IndexName']}: unsupported schema or projection")
        keys = {k["KeyType"]: k["AttributeName"] for k in schema}
        return dynamodb.GlobalSecondaryIndexPropsV2(
            index_name=str(index["IndexName"]),
            partition_key=_attribute(keys["HASH"], kinds[keys["HASH"]]),
            sort_key=_attribute(keys["RANGE"], kinds[keys["RANGE"]]),
            projection_type=dynamodb.ProjectionType.ALL,
        )
