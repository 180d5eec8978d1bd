"""Create the cloud resources the app expects, on the local twin.

Mirrors what infrastructure/ creates in AWS: buckets (+ CORS for direct
browser/phone uploads), every work queue of the registry with its dead-letter
queue, the bucket → queue notification, and the table with its GSIs and TTL.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import Settings
from chalicelib.db.schema import TTL_ATTRIBUTE, create_table_request
from chalicelib.jobs.queues import DLQ_RETENTION_S, work_queues
from chalicelib.storage.cors import MEDIA_CORS_RULES, UPLOAD_CORS_RULES
from chalicelib.storage.keys import RAW_PREFIX

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType


def _ensure_queue(
    sqs: SQSClient, name: str, attributes: Mapping[QueueAttributeNameType, str]
) -> str:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    if attributes:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    return url


def _queue_arn(sqs: SQSClient, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]


def create_queues(settings: Settings) -> dict[str, str]:
    """Every queue of the registry with its DLQ, as infrastructure/ creates them.

    Returns their URLs by registry key ("ingest", "ingest-dlq", ...), the shape
    of ``Settings.queue_urls``.
    """
    sqs = aws.sqs_client(settings)
    urls: dict[str, str] = {}
    for queue in work_queues(settings).values():
        dlq_url = _ensure_queue(
            sqs, queue.dlq_name(settings), {"MessageRetentionPeriod": str(DLQ_RETENTION_S)}
        )
        urls[queue.dlq_key] = dlq_url
        urls[queue.key] = _ensure_queue(
            sqs,
            queue.name(settings),
            {
                "VisibilityTimeout": str(queue.visibility_timeout_s),
                "RedrivePolicy": json.dumps(
                    {
                        "deadLetterTargetArn": _queue_arn(sqs, dlq_url),
                        "maxReceiveCount": queue.max_receive_count,
                    }
                ),
            },
        )
    return urls


def create_buckets(settings: Settings) -> None:
    s3 = aws.s3_client(settings)
    for bucket, cors in (
        (settings.uploads_bucket, UPLOAD_CORS_RULES),
        (settings.media_bucket, MEDIA_CORS_RULES),
    ):
        try:
            s3.create_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in (
                "BucketAlreadyOwnedByYou",
                "BucketAlreadyExists",
            ):
                raise
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": cors})  # type: ignore[typeddict-item]
    # Versioning on uploads: a second upload to an already-used presigned URL
    # becomes a new version that the worker refuses, never a silent overwrite.
    s3.put_bucket_versioning(
        Bucket=settings.uploads_bucket, VersioningConfiguration={"Status": "Enabled"}
    )


def connect_uploads_to_queue(settings: Settings, queue_url: str) -> None:
    """S3 ObjectCreated under raw/ → ingest queue (the same filter CDK sets)."""
    sqs = aws.sqs_client(settings)
    aws.s3_client(settings).put_bucket_notification_configuration(
        Bucket=settings.uploads_bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "ingest-on-upload",
                    "QueueArn": _queue_arn(sqs, queue_url),
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": RAW_PREFIX}]}},
                }
            ]
        },
    )


def create_table(settings: Settings, timeout_s: float = 30.0) -> None:
    ddb = aws.dynamodb_client(settings)
    try:
        ddb.create_table(**create_table_request(settings.table_name))
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceInUseException":
            raise
    deadline = time.monotonic() + timeout_s
    while ddb.describe_table(TableName=settings.table_name)["Table"]["TableStatus"] != "ACTIVE":
        if time.monotonic() > deadline:
            raise TimeoutError(f"table {settings.table_name} did not become ACTIVE")
        time.sleep(0.2)
    try:
        ddb.update_time_to_live(
            TableName=settings.table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
    except ClientError as exc:
        # Re-running bootstrap on a persisted table: TTL is already on.
        if "already enabled" not in str(exc).lower():
            raise
