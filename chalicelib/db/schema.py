"""The table's physical schema, shared by the local bootstrap and the CDK stack.

One table, generic key names (pk/sk) and three overloaded GSIs. Each record type
(a PynamoDB model) documents which key patterns it writes into which index.
"""

from __future__ import annotations

from typing import Any

GSI_NAMES = ("gsi1", "gsi2", "gsi3")
TTL_ATTRIBUTE = "expires_at"


def key_attributes() -> list[tuple[str, str]]:
    names = [("pk", "S"), ("sk", "S")]
    for gsi in GSI_NAMES:
        names += [(f"{gsi}pk", "S"), (f"{gsi}sk", "S")]
    return names


def create_table_request(table_name: str) -> dict[str, Any]:
    """Arguments for DynamoDB CreateTable (boto3), on-demand billing."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind} for name, kind in key_attributes()
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": gsi,
                "KeySchema": [
                    {"AttributeName": f"{gsi}pk", "KeyType": "HASH"},
                    {"AttributeName": f"{gsi}sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for gsi in GSI_NAMES
        ],
    }
