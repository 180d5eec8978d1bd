"""Per-deployment settings from CDK context: parsed once, refused with a sentence."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs

from infrastructure.deployment import DeploymentConfig, DeploymentConfigError


def _config(**context: object) -> DeploymentConfig:
    return DeploymentConfig.from_context(cdk.App(context=dict(context)).node)


def test_defaults_describe_a_dev_stage() -> None:
    config = _config()
    assert config.stage == "dev"
    assert config.name("uploads") == "classreel-dev-uploads"
    assert config.cors_origins == ("*",)
    assert config.hosted_ui_prefix == "classreel-dev-signin"


def test_the_hosted_ui_prefix_can_be_chosen() -> None:
    assert _config(authDomainPrefix="lakeside-coaching").hosted_ui_prefix == "lakeside-coaching"


def test_command_line_strings_are_parsed() -> None:
    config = _config(
        stage="prod",
        corsOrigins="https://a.example.org, https://b.example.org",
        ingestMaxConcurrency="25",
        segmentMaxConcurrency="120",
    )
    assert config.cors_origins == ("https://a.example.org", "https://b.example.org")
    assert config.ingest_max_concurrency == 25
    assert config.segment_max_concurrency == 120


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"stage": "Prod_1"}, "stage"),
        ({"noncurrentVersionDays": "soon"}, "whole number"),
        ({"noncurrentVersionDays": "0"}, "positive"),
        ({"ingestMaxConcurrency": "1"}, "between 2 and 1000"),
        ({"segmentMaxConcurrency": "2000"}, "between 2 and 1000"),
        ({"ingestMemoryMb": "20000"}, "between 128 and 10240"),
        ({"authDomainPrefix": "Sign_In"}, "authDomainPrefix"),
        ({"authDomainPrefix": "district-cognito"}, "authDomainPrefix"),
        ({"corsOrigins": " , "}, "at least one origin"),
        ({"localSignIn": "maybe"}, "localSignIn"),
    ],
)
def test_bad_values_stop_synth(context: dict[str, object], message: str) -> None:
    with pytest.raises(DeploymentConfigError, match=message):
        _config(**context)


def test_log_retention_rounds_up_to_what_cloudwatch_offers() -> None:
    assert _config(logRetentionDays="90").log_retention == logs.RetentionDays.THREE_MONTHS
    assert _config(logRetentionDays="100").log_retention == logs.RetentionDays.FOUR_MONTHS
