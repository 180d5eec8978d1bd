"""Buckets: private, encrypted, TLS-only; uploads versioned with CORS and lifecycle; S3 → SQS."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match

from chalicelib.config import Settings
from chalicelib.storage.keys import RAW_PREFIX
from infrastructure.constructs.storage import ABORT_INCOMPLETE_MULTIPART
from tests.infrastructure.conftest import Synthesized


def _bucket(synthesized: Synthesized, role: str) -> dict[str, Any]:
    """The bucket whose name starts ``classreel-dev-{role}-``."""
    prefix = f"classreel-dev-{role}-"
    for resource in synthesized.resources("AWS::S3::Bucket").values():
        name = resource["Properties"].get("BucketName")
        if isinstance(name, dict) and str(name["Fn::Join"][1][0]).startswith(prefix):
            return resource
    raise AssertionError(f"no {role} bucket")


def _bucket_id(synthesized: Synthesized, role: str) -> str:
    target = _bucket(synthesized, role)
    return next(
        logical_id
        for logical_id, resource in synthesized.resources("AWS::S3::Bucket").items()
        if resource is target
    )


def test_every_bucket_is_private_and_encrypted(synthesized: Synthesized) -> None:
    buckets = synthesized.resources("AWS::S3::Bucket")
    assert len(buckets) >= 3
    for logical_id, bucket in buckets.items():
        properties = bucket["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256", logical_id


def test_every_bucket_refuses_plain_http(synthesized: Synthesized) -> None:
    policies = synthesized.resources("AWS::S3::BucketPolicy")
    secured = set()
    for policy in policies.values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}:
                assert statement["Effect"] == "Deny"
                secured.add(synthesized.logical_id(policy["Properties"]["Bucket"]))
    assert secured == set(synthesized.resources("AWS::S3::Bucket"))


def test_uploads_bucket_is_versioned(synthesized: Synthesized) -> None:
    uploads = _bucket(synthesized, "uploads")["Properties"]
    assert uploads["VersioningConfiguration"] == {"Status": "Enabled"}


@pytest.mark.parametrize("role", ["uploads", "media"])
def test_incomplete_multipart_uploads_are_aborted(synthesized: Synthesized, role: str) -> None:
    rules = _bucket(synthesized, role)["Properties"]["LifecycleConfiguration"]["Rules"]
    assert {
        "Id": "abort-incomplete-multipart",
        "AbortIncompleteMultipartUpload": {
            "DaysAfterInitiation": ABORT_INCOMPLETE_MULTIPART.to_days()
        },
        "Status": "Enabled",
    } in rules


def test_no_bucket_rule_expires_current_originals(synthesized: Synthesized) -> None:
    # Districts' retention policies delete originals, and a legal hold must be
    # able to stop them: an S3 expiration rule would ignore the hold.
    rules = _bucket(synthesized, "uploads")["Properties"]["LifecycleConfiguration"]["Rules"]
    assert not [rule for rule in rules if "ExpirationInDays" in rule]


def test_data_exports_expire_after_a_week(
    synthesized: Synthesized, deployed_settings: Settings
) -> None:
    rules = _bucket(synthesized, "media")["Properties"]["LifecycleConfiguration"]["Rules"]
    (rule,) = [r for r in rules if r.get("Prefix") == "exports/"]
    assert rule["ExpirationInDays"] == deployed_settings.export_keep_days == 7


def test_uploads_cors_lets_browsers_put_and_post_and_read_the_etag(
    synthesized: Synthesized,
) -> None:
    (rule,) = _bucket(synthesized, "uploads")["Properties"]["CorsConfiguration"]["CorsRules"]
    assert {"PUT", "POST"} <= set(rule["AllowedMethods"])
    assert "ETag" in rule["ExposedHeaders"]


def test_media_bucket_is_read_by_presigned_gets_and_the_distribution_only(
    synthesized: Synthesized,
) -> None:
    media = _bucket(synthesized, "media")["Properties"]
    (rule,) = media["CorsConfiguration"]["CorsRules"]
    assert set(rule["AllowedMethods"]) <= {"GET", "HEAD"}
    media_id = _bucket_id(synthesized, "media")
    for policy in synthesized.resources("AWS::S3::BucketPolicy").values():
        if synthesized.logical_id(policy["Properties"]["Bucket"]) != media_id:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Deny":
                continue
            # Playback through CloudFront (tests/infrastructure/test_playback_cdn.py).
            assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
            assert "AWS:SourceArn" in statement["Condition"]["StringEquals"]


def test_objects_created_under_raw_notify_the_ingest_queue(synthesized: Synthesized) -> None:
    uploads = _bucket(synthesized, "uploads")["Properties"]
    (config,) = uploads["NotificationConfiguration"]["QueueConfigurations"]
    assert config["Event"] == "s3:ObjectCreated:*"
    assert config["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": RAW_PREFIX}]}}
    queue_id = synthesized.logical_id(config["Queue"])
    queue = synthesized.document["Resources"][queue_id]["Properties"]
    assert queue["QueueName"] == "classreel-dev-ingest"


def test_only_the_uploads_bucket_may_send_to_the_ingest_queue(synthesized: Synthesized) -> None:
    synthesized.template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "sqs:SendMessage",
                                "Effect": "Allow",
                                "Principal": {"Service": "s3.amazonaws.com"},
                                "Condition": {
                                    "ArnEquals": {
                                        "aws:SourceArn": Match.object_like(
                                            {
                                                "Fn::Join": [
                                                    "",
                                                    Match.array_with(
                                                        [
                                                            Match.string_like_regexp(
                                                                "classreel-dev-uploads-"
                                                            )
                                                        ]
                                                    ),
                                                ]
                                            }
                                        )
                                    },
                                    "StringEquals": {
                                        "aws:SourceAccount": {"Ref": "AWS::AccountId"}
                                    },
                                },
                            }
                        )
                    ]
                )
            }
        },
    )


def test_the_bucket_waits_for_the_queue_policy(synthesized: Synthesized) -> None:
    """S3 checks it may deliver when the notification is written."""
    uploads_id = _bucket_id(synthesized, "uploads")
    depends = synthesized.document["Resources"][uploads_id].get("DependsOn", [])
    policies = synthesized.resources("AWS::SQS::QueuePolicy")
    assert any(dependency in policies for dependency in depends)
