"""The API stage's web ACL: floods of requests without a sign-in stop before API Gateway."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.config import Settings
from tests.infrastructure.conftest import Synthesized


def _web_acl(synthesized: Synthesized) -> tuple[str, dict[str, Any]]:
    ((acl_id, acl),) = synthesized.resources("AWS::WAFv2::WebACL").items()
    return acl_id, acl["Properties"]


def _rule(acl: dict[str, Any], name: str) -> dict[str, Any]:
    rules: list[dict[str, Any]] = [rule for rule in acl["Rules"] if rule["Name"] == name]
    (rule,) = rules
    return rule


def test_a_regional_web_acl_guards_the_rest_api_stage(synthesized: Synthesized) -> None:
    acl_id, acl = _web_acl(synthesized)
    assert acl["Scope"] == "REGIONAL"
    assert acl["DefaultAction"] == {"Allow": {}}
    (association,) = synthesized.resources("AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    stage_arn = association["Properties"]["ResourceArn"]["Fn::Sub"]
    # SAM's own reference to the stage it generates: the association waits for it.
    assert stage_arn.endswith("::/restapis/${RestAPI}/stages/${RestAPI.Stage}")
    assert synthesized.document["Resources"]["RestAPI"]["Type"] == "AWS::Serverless::Api"


def test_requests_without_authorization_are_rate_limited_per_address_with_a_json_429(
    synthesized: Synthesized, deployed_settings: Settings
) -> None:
    _, acl = _web_acl(synthesized)
    rule = _rule(acl, "AnonymousRequestsPerAddress")
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP"
    assert rate["EvaluationWindowSec"] == 60
    # Above the app's own count, which answers ordinary overuse exactly.
    assert rate["Limit"] > deployed_settings.limit_anonymous_requests_per_address_per_minute
    assert rate["ScopeDownStatement"] == {
        "NotStatement": {
            "Statement": {
                "SizeConstraintStatement": {
                    "FieldToMatch": {"SingleHeader": {"Name": "authorization"}},
                    "ComparisonOperator": "GT",
                    "Size": 0,
                    "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                }
            }
        }
    }
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    assert response["ResponseHeaders"] == [{"Name": "Retry-After", "Value": "60"}]
    body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert body["ContentType"] == "APPLICATION_JSON"
    refusal = json.loads(body["Content"])
    assert refusal["error"] == "too_many_requests" and refusal["message"]
    assert (refusal["quota"], refusal["scope"], refusal["limit"]) == (
        "anonymous_requests",
        "address",
        rate["Limit"],
    )


def test_aws_common_rules_run_after_the_rate_rule_counting_what_the_api_sends(
    synthesized: Synthesized,
) -> None:
    _, acl = _web_acl(synthesized)
    common = _rule(acl, "AwsCommonRules")
    assert common["Priority"] > _rule(acl, "AnonymousRequestsPerAddress")["Priority"]
    assert common["OverrideAction"] == {"None": {}}
    group = common["Statement"]["ManagedRuleGroupStatement"]
    assert (group["VendorName"], group["Name"]) == ("AWS", "AWSManagedRulesCommonRuleSet")
    # Roster imports are larger than 8 KB; webhook subscriptions carry URLs.
    assert {o["Name"]: o["ActionToUse"] for o in group["RuleActionOverrides"]} == {
        "SizeRestrictions_BODY": {"Count": {}},
        "GenericRFI_BODY": {"Count": {}},
    }
    for rule in acl["Rules"]:
        assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True
