"""cdk-nag (AwsSolutions pack) over the whole app, and the one way to acknowledge a rule.

Synthesis stops on any finding that is not acknowledged; an acknowledgment
must say why the rule does not apply, in a sentence a reviewer can check.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from aws_cdk import Acknowledgment, App, Stack, Validations
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

# Short enough to write, long enough that "n/a" or "ok" are refused.
MIN_REASON_CHARS = 40


def check_app(app: App) -> None:
    """Run the AwsSolutions rules on every resource of every stack at synth."""
    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
    )


def suppress(construct: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one finding (e.g. ``AwsSolutions-IAM5[Resource::...]``) on ``construct``."""
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise ValueError(f"{rule_id}: the reason must say why the rule does not apply")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule_id, reason=reason))


# Wildcards that scope a grant rather than widen it, and why each is acceptable.
# A wildcard matching none of these stays a finding and fails synth.
_SCOPED_WILDCARDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^<[A-Za-z0-9]+\.StreamArn>$|^<[A-Za-z0-9]+\.Arn>/stream/\*$"),
        "DynamoDB names a table's stream at run time (its creation time); the wildcard "
        "covers the streams of this one table.",
    ),
    (
        re.compile(r"^\*$"),
        "X-Ray's PutTraceSegments and PutTelemetryRecords accept no resource: they "
        "write to the account's trace service (what AWSXRayDaemonWriteAccess grants).",
    ),
    (
        re.compile(r"^<[A-Za-z0-9]+\.Arn>/(?P<prefix>[a-z0-9-]+/)\*$"),
        "Object keys under {prefix} are created per video at run time "
        "(chalicelib/storage/keys.py); the wildcard is that prefix of one bucket.",
    ),
    (
        re.compile(r"^<[A-Za-z0-9]+\.Arn>/clips/\*/redacted/\*$"),
        "A clip's redacted versions live under clips/{{clip_id}}/redacted/ (chalicelib/clips/"
        "redacted.py); the wildcards name that folder of every clip of one bucket.",
    ),
    (
        re.compile(r"^<[A-Za-z0-9]+\.Arn>/index/\*$"),
        "Queries use the table's own GSIs (chalicelib/db/schema.py); the wildcard "
        "covers the indexes of this one table.",
    ),
    (
        re.compile(r":log-group:/aws/lambda/[a-z0-9-]+:\*$"),
        "Lambda names log streams at run time; the wildcard covers the streams of "
        "this function's own log group only.",
    ),
)


def acknowledge_scoped_wildcards(
    construct: IConstruct, statements: Sequence[iam.PolicyStatement]
) -> None:
    """Acknowledge IAM5 for each resource wildcard in ``statements`` that only scopes."""
    stack = Stack.of(construct)
    for statement in statements:
        for resource in statement.resources:
            rendered = _as_nag_renders(stack.resolve(resource))
            if "*" not in rendered:
                continue
            for pattern, reason in _SCOPED_WILDCARDS:
                match = pattern.search(rendered)
                if match:
                    suppress(
                        construct,
                        f"AwsSolutions-IAM5[Resource::{rendered}]",
                        reason.format(**match.groupdict()),
                    )
                    break


def _as_nag_renders(value: Any) -> str:
    """A resolved ARN as cdk-nag names it in a finding: ``<Logical.Arn>``, ``<AWS::Region>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Fn::Join":
            separator, parts = argument
            return str(separator).join(_as_nag_renders(part) for part in parts)
        if function == "Fn::GetAtt":
            return f"<{argument[0]}.{argument[1]}>"
        if function == "Ref":
            return f"<{argument}>"
    raise ValueError(f"cannot render {value!r} as cdk-nag does")
