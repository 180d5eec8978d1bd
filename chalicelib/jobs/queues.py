"""Every work queue, declared once.

A queue's name, the app.py handler that consumes it, its batch size, the
consumer's timeout, the visibility timeout, how many receives before the DLQ,
and the DLQ itself. app.py's ``@app.on_sqs_message`` decorators, the local
bootstrap and runner, the CDK stack and ``classreel dlq`` all read this table,
so a queue cannot be wired one way here and another way there.

The numbers come from settings (chalicelib/config.py), so tests and stages can
tune them; the shape of the table is fixed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib import aws
from chalicelib.config import Settings

DLQ_SUFFIX = "-dlq"
DLQ_RETENTION_S = 14 * 24 * 3600


@dataclass(frozen=True)
class WorkQueue:
    key: str  # registry key; also the key of its URLs in Settings.queue_urls
    suffix: str  # the queue's name after the stage's prefix
    handler: str  # the @app.on_sqs_message function in app.py that consumes it
    batch_size: int
    function_timeout_s: int
    visibility_timeout_s: int
    max_receive_count: int
    # How many invocations may run at once in AWS (None: as Lambda scales).
    max_concurrency: int | None = None
    # At most this many jobs of one district at once (0: no cap; chalicelib/jobs/fairness.py).
    district_share: int = 0
    # Consumed by a container-image function (not one of app.py's handlers): ``handler``
    # is then "module:function" of its entry point (infrastructure/redaction/).
    container_image: bool = False
    # When set, a running task holds its message invisible for this long at a time,
    # renewed while it runs (chalicelib/jobs/retry.py HeldMessage): the queue's own
    # timeout covers throttled invocations (6 x the function timeout), but a task whose
    # invocation died (out of memory, killed, timed out) comes back within this instead.
    crash_redelivery_s: int | None = None
    # With crash_redelivery_s: a message whose handler failed while its invocation lived
    # comes back after this, doubling with each receive up to crash_redelivery_s.
    retry_first_s: int = 10

    def name(self, settings: Settings) -> str:
        return f"{settings.queue_prefix}-{self.suffix}"

    def dlq_name(self, settings: Settings) -> str:
        return self.name(settings) + DLQ_SUFFIX

    @property
    def dlq_key(self) -> str:
        return self.key + DLQ_SUFFIX

    def url(self, settings: Settings) -> str:
        return settings.queue_urls.get(self.key) or aws.queue_url(self.name(settings), settings)

    def dlq_url(self, settings: Settings) -> str:
        return settings.queue_urls.get(self.dlq_key) or aws.queue_url(
            self.dlq_name(settings), settings
        )


def work_queues(settings: Settings) -> dict[str, WorkQueue]:
    """The queues, by key, in the order they are created."""
    queues = [
        WorkQueue(
            key="ingest",
            suffix="ingest",
            handler="ingest",
            batch_size=settings.ingest_batch_size,
            function_timeout_s=settings.worker_timeout_s,
            visibility_timeout_s=settings.ingest_visibility_timeout_s,
            max_receive_count=settings.ingest_max_receive_count,
            district_share=settings.district_share_ingest,
        ),
        WorkQueue(
            key="segment",
            suffix="segments",
            handler="encode_segments",
            batch_size=1,
            function_timeout_s=settings.segment_function_timeout_s,
            visibility_timeout_s=settings.segment_visibility_timeout_s,
            max_receive_count=settings.segment_max_receive_count,
            district_share=settings.district_share_segments,
            crash_redelivery_s=settings.segment_crash_redelivery_s,
            retry_first_s=settings.segment_retry_first_s,
        ),
        WorkQueue(
            key="clip",
            suffix="clips",
            handler="cut_clips",
            batch_size=1,
            function_timeout_s=settings.worker_timeout_s,
            visibility_timeout_s=settings.clip_visibility_timeout_s,
            max_receive_count=settings.clip_max_receive_count,
            district_share=settings.district_share_clips,
        ),
        WorkQueue(
            key="redaction",
            suffix="redactions",
            handler="chalicelib.redaction.handler:handle_redaction_batch",
            batch_size=1,
            function_timeout_s=settings.worker_timeout_s,
            visibility_timeout_s=settings.redaction_visibility_timeout_s,
            max_receive_count=settings.redaction_max_receive_count,
            district_share=settings.district_share_clips,
            container_image=True,
        ),
        WorkQueue(
            key="export",
            suffix="exports",
            handler="build_exports",
            batch_size=1,
            function_timeout_s=settings.worker_timeout_s,
            visibility_timeout_s=settings.export_visibility_timeout_s,
            max_receive_count=settings.export_max_receive_count,
            max_concurrency=5,
            district_share=settings.district_share_exports,
        ),
        WorkQueue(
            key="webhook",
            suffix="webhooks",
            handler="deliver_webhooks",
            # One delivery per invocation: in a batch, every delivery behind a slow
            # receiver would wait for it, whichever district it belongs to.
            batch_size=1,
            function_timeout_s=settings.webhook_function_timeout_s,
            visibility_timeout_s=settings.webhook_visibility_timeout_s,
            max_receive_count=settings.webhook_max_receive_count,
            # Receivers are other districts' servers: a burst of events must
            # not become a burst of parallel POSTs at them.
            max_concurrency=5,
            # Below max_concurrency: one district's slow receivers leave the rest free.
            district_share=settings.district_share_webhooks,
        ),
        # Notifications' emails (chalicelib/notifications/mailing.py): one message per
        # notification, or per person's daily digest.
        WorkQueue(
            key="email",
            suffix="emails",
            handler="send_emails",
            batch_size=10,
            function_timeout_s=settings.email_function_timeout_s,
            visibility_timeout_s=settings.email_visibility_timeout_s,
            max_receive_count=settings.email_max_receive_count,
            # SES's sending rate is per account: a burst waits in the queue.
            max_concurrency=5,
        ),
        # Sign-in accounts (chalicelib/directory/accounts.py): in AWS the Cognito users of
        # the people a directory change or roster import touched.
        WorkQueue(
            key="accounts",
            suffix="sign-in-accounts",
            handler="sync_sign_in_accounts",
            batch_size=1,
            function_timeout_s=settings.accounts_function_timeout_s,
            visibility_timeout_s=settings.accounts_visibility_timeout_s,
            max_receive_count=settings.accounts_max_receive_count,
            max_concurrency=2,
        ),
        # What SES reports about sent mail (bounces, complaints), through SNS in AWS.
        WorkQueue(
            key="feedback",
            suffix="email-feedback",
            handler="record_email_feedback",
            batch_size=10,
            function_timeout_s=60,
            visibility_timeout_s=360,
            max_receive_count=5,
            max_concurrency=2,
        ),
    ]
    return {queue.key: queue for queue in queues}


def work_queue(key: str, settings: Settings) -> WorkQueue:
    queues = work_queues(settings)
    if key not in queues:
        raise KeyError(f"unknown queue {key!r}; expected one of {', '.join(queues)}")
    return queues[key]
