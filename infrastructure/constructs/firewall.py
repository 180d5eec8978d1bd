"""A WAF web ACL in front of the REST API's stage: anonymous floods stop before API Gateway.

API Gateway's throttling is one bucket for the whole stage (api_logging.py): requests
without a sign-in could use it up for every district. The app counts those per source
address itself (chalicelib/limits/, 429 with a JSON body), but by then API Gateway has
counted them too; this rule refuses a flood of requests without an ``Authorization``
header per address before they reach it, with the same kind of 429. It allows several
times the app's own limit, so ordinary overuse meets the app's exact count and this
only stops floods. A request with a token (valid or not) passes this rule: a school's
network is one address for all its teachers, and the app counts failed tokens itself.

AWS's common rule set (known exploit patterns in URIs, headers and bodies) runs after it,
with two rules only counted: bodies over 8 KB are ordinary here (a roster import), and
webhook subscriptions carry URLs in their bodies by design.
"""

from __future__ import annotations

import json

from aws_cdk import Fn, Stack
from aws_cdk import aws_sam as sam
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from chalicelib.api.errors import error_body
from chalicelib.limits.service import MINUTE_S, Quota

# The app's per-minute allowance times this, per address, before the firewall steps in.
FLOOD_FACTOR = 5
TOO_MANY_ANONYMOUS = "too-many-anonymous"
# What the common rule set counts instead of blocking (see the module's docstring).
COUNTED_COMMON_RULES = ("SizeRestrictions_BODY", "GenericRFI_BODY")


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


def _without_authorization() -> wafv2.CfnWebACL.StatementProperty:
    has_authorization = wafv2.CfnWebACL.StatementProperty(
        size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                single_header={"Name": "authorization"}
            ),
            comparison_operator="GT",
            size=0,
            text_transformations=[
                wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
            ],
        )
    )
    return wafv2.CfnWebACL.StatementProperty(
        not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=has_authorization)
    )


class ApiFirewall(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: sam.CfnApi,
        name: str,
        anonymous_per_minute: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.anonymous_limit = anonymous_per_minute * FLOOD_FACTOR
        refusal = error_body(
            "too_many_requests",
            "Too many requests without sign-in from your address; try again in a minute.",
            details={
                "quota": Quota.ANONYMOUS_REQUESTS.value,
                "scope": "address",
                "limit": self.anonymous_limit,
                "retry_after_s": MINUTE_S,
            },
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=name,
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(name),
            custom_response_bodies={
                TOO_MANY_ANONYMOUS: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=json.dumps(refusal)
                )
            },
            rules=[self._anonymous_rate(name), self._common_rules(name)],
        )
        wafv2.CfnWebACLAssociation(
            self, "ApiStage", resource_arn=_stage_arn(api), web_acl_arn=self.web_acl.attr_arn
        )

    def _anonymous_rate(self, name: str) -> wafv2.CfnWebACL.RuleProperty:
        too_many = wafv2.CfnWebACL.CustomResponseProperty(
            response_code=429,
            custom_response_body_key=TOO_MANY_ANONYMOUS,
            response_headers=[
                wafv2.CfnWebACL.CustomHTTPHeaderProperty(name="Retry-After", value=str(MINUTE_S))
            ],
        )
        return wafv2.CfnWebACL.RuleProperty(
            name="AnonymousRequestsPerAddress",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(
                block=wafv2.CfnWebACL.BlockActionProperty(custom_response=too_many)
            ),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP",
                    limit=self.anonymous_limit,
                    evaluation_window_sec=MINUTE_S,
                    scope_down_statement=_without_authorization(),
                )
            ),
            visibility_config=_visibility(f"{name}-anonymous-rate"),
        )

    def _common_rules(self, name: str) -> wafv2.CfnWebACL.RuleProperty:
        return wafv2.CfnWebACL.RuleProperty(
            name="AwsCommonRules",
            priority=1,
            override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                    vendor_name="AWS",
                    name="AWSManagedRulesCommonRuleSet",
                    rule_action_overrides=[
                        wafv2.CfnWebACL.RuleActionOverrideProperty(
                            name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                        )
                        for rule in COUNTED_COMMON_RULES
                    ],
                )
            ),
            visibility_config=_visibility(f"{name}-common-rules"),
        )


def _stage_arn(api: sam.CfnApi) -> str:
    # "{Api}.Stage" is SAM's name for the stage it generates: referring to it makes the
    # association wait for the stage to exist.
    api_id = str(Stack.of(api).resolve(api.logical_id))
    template = (
        "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${<api>}/stages/${<api>.Stage}"
    )
    return Fn.sub(template.replace("<api>", api_id))
