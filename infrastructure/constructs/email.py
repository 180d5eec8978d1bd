"""Email through Amazon SES: the sending identity, a configuration set that reports
bounces and complaints, and the path those reports take back to the app.

    send_emails ──SESv2 SendEmail (raw)──▶ SES ──bounce / complaint──▶ SNS topic (KMS)
                                                                          │ raw delivery
                                                                          ▼
                                     record_email_feedback ◀── SQS "feedback" queue (+ DLQ)

The domain identity signs with Easy DKIM: the stack outputs the three CNAME records
to publish in the district's DNS. Until they are published (and SES production
access is granted) SES sends nothing, and the email worker's failures show in its
dead-letter alarm. The account-level suppression list is on for the configuration
set too, so SES itself never retries an address that bounced or complained.
"""

from __future__ import annotations

from aws_cdk import Aws, CfnOutput
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infrastructure.constructs.queues import WorkQueue


class Email(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain: str,
        configuration_set_name: str,
        topic_name: str,
        feedback: WorkQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self.domain = domain
        self.sender = f"ClassReel <notifications@{domain}>"
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=configuration_set_name,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
            reputation_metrics=True,
            sending_enabled=True,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
        )
        self.identity = ses.EmailIdentity(
            self,
            "Identity",
            identity=ses.Identity.domain(domain),
            configuration_set=self.configuration_set,
        )
        key = kms.Key(
            self,
            "FeedbackKey",
            description="Encrypts the topic SES reports bounces and complaints to",
            enable_key_rotation=True,
        )
        # SES publishes to the encrypted topic; SNS hands the messages to SQS.
        for service in ("ses.amazonaws.com", "sns.amazonaws.com"):
            key.grant(iam.ServicePrincipal(service), "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(
            self, "Feedback", topic_name=topic_name, master_key=key, enforce_ssl=True
        )
        self.topic.add_subscription(
            subscriptions.SqsSubscription(feedback.queue, raw_message_delivery=True)
        )
        self.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            destination=ses.EventDestination.sns_topic(self.topic),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )
        for index, record in enumerate(self.identity.dkim_records):
            CfnOutput(self, f"DkimRecord{index + 1}", value=f"{record.name} CNAME {record.value}")

    def send_statement(self) -> iam.PolicyStatement:
        """SESv2 SendEmail with raw content: on this identity and configuration set only."""
        return iam.PolicyStatement(
            sid="SendEmail",
            actions=["ses:SendEmail", "ses:SendRawEmail"],
            resources=[
                self.identity.email_identity_arn,
                f"arn:{Aws.PARTITION}:ses:{Aws.REGION}:{Aws.ACCOUNT_ID}:configuration-set/"
                f"{self.configuration_set.configuration_set_name}",
            ],
        )
