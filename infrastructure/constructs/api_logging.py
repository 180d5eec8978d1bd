"""The REST API's stage: its name, access logs (JSON), error logs, metrics, tracing and
throttling.

Chalice's template declares the API and its ``api`` stage; these settings are
added to that resource. API Gateway writes logs only when the account (per
region) names a role for it, which is set here too.
"""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sam as sam

from infrastructure.deployment import DeploymentConfig
from infrastructure.nag import suppress

ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "time": "$context.requestTime",
        "ip": "$context.identity.sourceIp",
        "method": "$context.httpMethod",
        "path": "$context.path",
        "status": "$context.status",
        "latencyMs": "$context.responseLatency",
        "integrationStatus": "$context.integrationStatus",
        "error": "$context.error.message",
    },
    separators=(",", ":"),
)
# Per stage, across all clients: generous for a district's staff, low enough
# that a runaway script cannot run up the Lambda bill.
THROTTLE_RATE_PER_S = 50
THROTTLE_BURST = 100
_PUSH_LOGS_POLICY = "service-role/AmazonAPIGatewayPushToCloudWatchLogs"


def api_name(config: DeploymentConfig) -> str:
    """The REST API's name: its metrics (and alarms) are per name and stage, so each
    deployment stage names its own."""
    return config.name("api")


def configure_api_stage(api: sam.CfnApi, *, config: DeploymentConfig) -> None:
    scope = Stack.of(api)
    api.name = api_name(config)
    # X-Ray: requests are traced from API Gateway into the function.
    api.tracing_enabled = True
    access_logs = logs.LogGroup(
        scope,
        "ApiAccessLogs",
        log_group_name=f"/classreel/{config.stage}/api-access",
        retention=config.log_retention,
        removal_policy=RemovalPolicy.DESTROY,
    )
    api.access_log_setting = sam.CfnApi.AccessLogSettingProperty(
        destination_arn=access_logs.log_group_arn, format=ACCESS_LOG_FORMAT
    )
    api.method_settings = [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "LoggingLevel": "ERROR",
            "MetricsEnabled": True,
            "ThrottlingRateLimit": THROTTLE_RATE_PER_S,
            "ThrottlingBurstLimit": THROTTLE_BURST,
        }
    ]
    account = _logging_account(scope)
    api.node.add_dependency(account)


def _logging_account(scope: Stack) -> apigateway.CfnAccount:
    role = iam.Role(
        scope,
        "ApiGatewayLogsRole",
        assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(_PUSH_LOGS_POLICY)],
    )
    # The account setting outlives this stack: other stages in the account
    # rely on the same role.
    role.apply_removal_policy(RemovalPolicy.RETAIN)
    suppress(
        role,
        f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{_PUSH_LOGS_POLICY}]",
        "AWS's managed policy made for exactly this role (API Gateway writing its own "
        "logs, account-wide); a copy of it would only drift from AWS's updates.",
    )
    account = apigateway.CfnAccount(scope, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)
    account.apply_removal_policy(RemovalPolicy.RETAIN)
    return account
