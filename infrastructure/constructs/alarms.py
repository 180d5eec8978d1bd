"""Alarms that need a person: a message in a dead-letter queue, a queue whose oldest
message waits too long, a function that errors, an API that answers 5xx too often or
too slowly.

They publish to one SNS topic (encrypted with a key CloudWatch may use); an
e-mail address given as context is subscribed to it.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infrastructure.constructs.queues import WorkQueue

PERIOD = Duration.minutes(5)
# More than this share of requests answered 5xx in a period (API Gateway's 5XXError
# is 1 per 5xx answer, 0 otherwise: its average is the rate).
API_5XX_RATE = 0.05
# p95 latency above this, for three periods in a row. The function's timeout is 29 s;
# people notice well before.
API_P95_LATENCY = Duration.seconds(3)


class Alarms(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, topic_name: str, email: str | None
    ) -> None:
        super().__init__(scope, construct_id)
        key = kms.Key(
            self,
            "TopicKey",
            description="Encrypts the ClassReel alarm topic",
            enable_key_rotation=True,
        )
        # CloudWatch publishes alarm notifications to the encrypted topic.
        key.grant(
            iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*"
        )
        self.topic = sns.Topic(
            self, "Topic", topic_name=topic_name, master_key=key, enforce_ssl=True
        )
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        self._action = actions.SnsAction(self.topic)

    def _above(
        self,
        construct_id: str,
        metric: cloudwatch.Metric,
        *,
        threshold: float,
        description: str,
        evaluation_periods: int = 1,
    ) -> cloudwatch.Alarm:
        """An alarm when ``metric`` exceeds ``threshold``, notifying the topic; no data is fine
        (an idle queue or function reports nothing)."""
        alarm = metric.create_alarm(
            self,
            construct_id,
            alarm_description=description,
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=evaluation_periods,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        return alarm

    def dead_letters(self, queue: WorkQueue) -> cloudwatch.Alarm:
        """Any message in the DLQ: a job gave up after every retry."""
        return self._above(
            f"{queue.key.capitalize()}DeadLetters",
            queue.dlq.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ),
            threshold=0,
            description=(
                f"Messages in the {queue.key} dead-letter queue: jobs that failed "
                f"{queue.max_receive_count} times. Inspect, fix, then redrive."
            ),
        )

    def backlog(self, queue: WorkQueue, *, max_age: Duration) -> cloudwatch.Alarm:
        """The oldest waiting message is older than ``max_age``: consumers are stuck or
        too few (a throttled function, a concurrency cap too low for the load)."""
        return self._above(
            f"{queue.key.capitalize()}Backlog",
            queue.queue.metric_approximate_age_of_oldest_message(
                period=PERIOD, statistic="Maximum"
            ),
            threshold=max_age.to_seconds(),
            description=(
                f"The oldest message in the {queue.key} queue has waited over "
                f"{max_age.to_minutes()} minutes."
            ),
            # Two periods: one long job in flight is not yet a backlog.
            evaluation_periods=2,
        )

    def function_errors(self, construct_id: str, function_name: str) -> cloudwatch.Alarm:
        """Any invocation that raised (for the API: an unhandled error, not a 4xx)."""
        return self._above(
            construct_id,
            cloudwatch.Metric(
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimensions_map={"FunctionName": function_name},
                period=PERIOD,
                statistic="Sum",
            ),
            threshold=0,
            description=f"Lambda function {function_name} raised errors",
        )

    def _api_metric(
        self, name: str, api_name: str, stage: str, statistic: str
    ) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/ApiGateway",
            metric_name=name,
            dimensions_map={"ApiName": api_name, "Stage": stage},
            period=PERIOD,
            statistic=statistic,
        )

    def api_errors(self, api_name: str, stage: str) -> cloudwatch.Alarm:
        """The API answers 5xx (Chalice turns a crash into a 500, so Lambda's Errors
        does not see it; API Gateway does)."""
        return self._above(
            "Api5xxRate",
            self._api_metric("5XXError", api_name, stage, "Average"),
            threshold=API_5XX_RATE,
            description=(
                f"Over {API_5XX_RATE:.0%} of requests to {api_name} answered 5xx "
                "in 5 minutes, twice in a row."
            ),
            evaluation_periods=2,
        )

    def api_latency(self, api_name: str, stage: str) -> cloudwatch.Alarm:
        """The API is slow for many: p95 of API Gateway's Latency (the whole request)."""
        return self._above(
            "ApiLatency",
            self._api_metric("Latency", api_name, stage, "p95"),
            threshold=API_P95_LATENCY.to_milliseconds(),
            description=(
                f"p95 latency of {api_name} over {API_P95_LATENCY.to_seconds()} s for 15 minutes."
            ),
            evaluation_periods=3,
        )
