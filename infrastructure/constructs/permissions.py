"""IAM statements scoped to a bucket prefix, a queue, or the table: the vocabulary of
the functions' permissions (infrastructure/stacks/functions.py)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs


def objects(
    sid: str, bucket: s3.IBucket, prefix: str, actions: Sequence[str]
) -> iam.PolicyStatement:
    """Object actions on keys under ``prefix`` only."""
    return iam.PolicyStatement(
        sid=sid, actions=list(actions), resources=[bucket.arn_for_objects(f"{prefix}*")]
    )


def listing(
    sid: str, bucket: s3.IBucket, prefix: str, actions: Sequence[str]
) -> iam.PolicyStatement:
    """Bucket listings (ListBucket, ListBucketVersions) limited to keys under ``prefix``."""
    return iam.PolicyStatement(
        sid=sid,
        actions=list(actions),
        resources=[bucket.bucket_arn],
        conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
    )


def bucket_exists(sid: str, buckets: Sequence[s3.IBucket]) -> iam.PolicyStatement:
    """s3:ListBucket without a prefix condition.

    HeadBucket needs it (the API's health check), and without it S3 answers a
    request for a missing object with 403 instead of 404, which the worker
    must tell apart (an upload that is already gone is not an error). It
    reveals key names, never contents.
    """
    return iam.PolicyStatement(
        sid=sid, actions=["s3:ListBucket"], resources=[b.bucket_arn for b in buckets]
    )


def table_items(
    sid: str, table: dynamodb.ITableV2, actions: Sequence[str], *, indexes: bool = True
) -> iam.PolicyStatement:
    """Item actions on the table and, for queries, its indexes."""
    resources = [table.table_arn]
    if indexes:
        resources.append(f"{table.table_arn}/index/*")
    return iam.PolicyStatement(sid=sid, actions=list(actions), resources=resources)


def table_partitions(
    sid: str, table: dynamodb.ITableV2, actions: Sequence[str], partition_pattern: str
) -> iam.PolicyStatement:
    """Item actions on the table limited to partition keys like ``partition_pattern``."""
    return iam.PolicyStatement(
        sid=sid,
        actions=list(actions),
        resources=[table.table_arn],
        conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [partition_pattern]}},
    )


def table_metadata(sid: str, table: dynamodb.ITableV2) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid=sid, actions=["dynamodb:DescribeTable"], resources=[table.table_arn]
    )


def queue(sid: str, target: sqs.IQueue, actions: Sequence[str]) -> iam.PolicyStatement:
    return iam.PolicyStatement(sid=sid, actions=list(actions), resources=[target.queue_arn])


def table_stream(sid: str, table: dynamodb.ITableV2) -> iam.PolicyStatement:
    """What Lambda's event source mapping reads the table's stream with, on its streams only."""
    return iam.PolicyStatement(
        sid=sid,
        actions=[
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        ],
        resources=[f"{table.table_arn}/stream/*"],
    )
