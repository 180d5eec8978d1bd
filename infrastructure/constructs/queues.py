"""A work queue with its dead-letter queue, as the app's queue registry declares it.

Each ``@app.on_sqs_message`` handler in app.py consumes one queue of
chalicelib/jobs/queues.py; this construct creates it (and its DLQ) from that
declaration: names, visibility timeout, receives before the DLQ.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.config import Settings
from chalicelib.jobs.queues import DLQ_RETENTION_S
from chalicelib.jobs.queues import WorkQueue as QueueSpec
from infrastructure.nag import suppress

# Lambda's guidance for SQS event sources: visibility timeout at least six
# times the function timeout, so a batch is not redelivered while it still runs
# (retries of throttled invocations included).
VISIBILITY_PER_FUNCTION_TIMEOUT = 6
DLQ_RETENTION = Duration.seconds(DLQ_RETENTION_S)


class WorkQueue(Construct):
    """Queue + DLQ (redrive after ``max_receive_count`` receives), SSE, TLS-only."""

    def __init__(
        self, scope: Construct, construct_id: str, *, spec: QueueSpec, settings: Settings
    ) -> None:
        super().__init__(scope, construct_id)
        self.spec = spec
        self.key = spec.key
        # The literal name: app.py is packaged with it (queue names are read at import).
        self.name = spec.name(settings)
        self.visibility_timeout_s = spec.visibility_timeout_s
        self.max_receive_count = spec.max_receive_count
        self.dlq = sqs.Queue(
            self,
            "DeadLetters",
            queue_name=spec.dlq_name(settings),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
        )
        suppress(
            self.dlq,
            "AwsSolutions-SQS3",
            "This is the dead-letter queue itself; its messages are kept 14 days for an "
            "operator to inspect and redrive, and an alarm fires when one arrives.",
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=self.name,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(spec.visibility_timeout_s),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dlq, max_receive_count=spec.max_receive_count
            ),
        )

    def check_consumer_timeout(self, function_timeout_s: int) -> None:
        """Refuse a consumer whose timeout the visibility timeout does not cover six times."""
        needed = VISIBILITY_PER_FUNCTION_TIMEOUT * function_timeout_s
        if self.visibility_timeout_s < needed:
            raise ValueError(
                f"queue {self.key}: visibility timeout {self.visibility_timeout_s}s is under "
                f"{VISIBILITY_PER_FUNCTION_TIMEOUT} x the function timeout ({needed}s)"
            )

    def consume_statement(self) -> iam.PolicyStatement:
        """What Lambda's event source mapping does with the consumer's role, and the
        handler's own ChangeMessageVisibility (it shortens a retry's wait)."""
        return iam.PolicyStatement(
            sid=f"Consume{self.key.capitalize()}Queue",
            actions=[
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
            ],
            resources=[self.queue.queue_arn],
        )

    def accept_notifications_from(self, bucket_name: str) -> None:
        """Let S3 deliver this bucket's event notifications (and only this bucket's)."""
        self.queue.add_to_resource_policy(
            iam.PolicyStatement(
                sid="S3EventNotifications",
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self.queue.queue_arn],
                conditions={
                    "ArnEquals": {"aws:SourceArn": f"arn:{Aws.PARTITION}:s3:::{bucket_name}"},
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                },
            )
        )

    def subscribe(self, bucket: s3.Bucket, *, prefix: str) -> None:
        """S3 ObjectCreated under ``prefix`` → this queue, as classreel/local/bootstrap.py does.

        Set on the bucket resource itself (no notification custom resource). S3
        tests delivery when the configuration is written, so the bucket waits
        for the queue policy that lets it send.
        """
        cfn_bucket = bucket.node.default_child
        if not isinstance(cfn_bucket, s3.CfnBucket):
            raise TypeError("expected the bucket's CfnBucket")
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[
                s3.CfnBucket.QueueConfigurationProperty(
                    event="s3:ObjectCreated:*",
                    queue=self.queue.queue_arn,
                    filter=s3.CfnBucket.NotificationFilterProperty(
                        s3_key=s3.CfnBucket.S3KeyFilterProperty(
                            rules=[s3.CfnBucket.FilterRuleProperty(name="prefix", value=prefix)]
                        )
                    ),
                )
            ]
        )
        policy = self.queue.node.try_find_child("Policy")
        if policy is None:
            raise RuntimeError("the queue policy must exist before a bucket subscribes")
        cfn_bucket.node.add_dependency(policy)

    def urls(self) -> dict[str, str]:
        """This queue's part of the app's ``queue_urls`` setting (registry key → URL)."""
        return {self.spec.key: self.queue.queue_url, self.spec.dlq_key: self.dlq.queue_url}
