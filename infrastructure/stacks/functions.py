"""Each handler of app.py as it runs in AWS: size, limits, and exactly what its code calls.

One entry per handler, keyed by its Python name in app.py ("api" for the REST
API). Synth fails when app.py and this table disagree. To add a queue-triggered
handler: declare its queue in chalicelib/jobs/queues.py (the stack creates it),
then an entry in ``function_specs`` with ``trigger=resources.queues[key]`` and
the permissions its code uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam

from chalicelib.config import Settings
from chalicelib.events.models import OUTBOX_PREFIX
from chalicelib.jobs.fairness import slots_partition
from chalicelib.storage.keys import CLIPS_PREFIX, EXPORTS_PREFIX, RAW_PREFIX, VIDEOS_PREFIX
from infrastructure.constructs import permissions as allow
from infrastructure.constructs.chalice_app import FunctionSpec, StreamTrigger
from infrastructure.constructs.email import Email
from infrastructure.constructs.ffmpeg_layer import FfmpegLayer
from infrastructure.constructs.identity import Identity
from infrastructure.constructs.playback_keys import PlaybackKeys
from infrastructure.constructs.queues import WorkQueue
from infrastructure.constructs.storage import Storage
from infrastructure.deployment import DeploymentConfig

# Lambda's hard limits, and API Gateway's: a REST integration answers in 29 s.
LAMBDA_MAX_EPHEMERAL_MB = 10240
API_TIMEOUT_S = 29
# A relay batch: a few table writes and one queue message per event and hook.
RELAY_TIMEOUT_S = 120

# Records of every type (PynamoDB models): reads, conditional writes, queries.
TABLE_READ_WRITE = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
)
WORKER_TABLE = (
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
)


@dataclass(frozen=True)
class AppResources:
    storage: Storage
    table: dynamodb.ITableV2
    queues: dict[str, WorkQueue]
    ffmpeg: FfmpegLayer
    playback: PlaybackKeys
    email: Email
    identity: Identity
    web_url_parameter: str


def function_specs(
    resources: AppResources, settings: Settings, config: DeploymentConfig
) -> dict[str, FunctionSpec]:
    return {
        "api": FunctionSpec(
            memory_mb=1024,
            timeout_s=API_TIMEOUT_S,
            permissions=api_permissions(resources),
            # /health runs `ffmpeg -version` in whichever function serves it.
            layers=[resources.ffmpeg.layer],
            extra_environment={
                **resources.ffmpeg.environment(),
                # Playback cookies: signed with the key CloudFront's key group trusts.
                **resources.playback.environment(),
                # Directory changes and roster imports queue the people they touched.
                **resources.identity.accounts_environment(),
            },
        ),
        "ingest": _media_worker(
            resources, settings, config, ingest_permissions(resources), queue="ingest"
        ),
        "encode_segments": _media_worker(
            resources, settings, config, segment_permissions(resources), queue="segment"
        ),
        "cut_clips": _media_worker(
            resources, settings, config, clip_permissions(resources), queue="clip"
        ),
        "build_exports": FunctionSpec(
            memory_mb=2048,
            timeout_s=resources.queues["export"].spec.function_timeout_s,
            # Every playable file of a teacher's videos passes through /tmp.
            ephemeral_storage_mb=LAMBDA_MAX_EPHEMERAL_MB,
            permissions=export_permissions(resources),
            trigger=resources.queues["export"],
            max_concurrency=resources.queues["export"].spec.max_concurrency,
        ),
        "apply_retention": FunctionSpec(
            memory_mb=512,
            timeout_s=settings.worker_timeout_s,
            permissions=retention_permissions(resources),
        ),
        "deliver_webhooks": FunctionSpec(
            memory_mb=256,
            timeout_s=resources.queues["webhook"].spec.function_timeout_s,
            permissions=webhook_permissions(resources),
            trigger=resources.queues["webhook"],
            max_concurrency=resources.queues["webhook"].spec.max_concurrency,
        ),
        "reconcile_dead_letters": FunctionSpec(
            memory_mb=512,
            timeout_s=120,
            permissions=reconciler_permissions(resources),
        ),
        # Domain events (chalicelib/events): new outbox items from the table's
        # stream, and a sweep once a minute for whatever no relay finished.
        "relay_events": FunctionSpec(
            memory_mb=256,
            timeout_s=RELAY_TIMEOUT_S,
            permissions=relay_permissions(resources),
            stream=StreamTrigger(resources.table, key_prefix=OUTBOX_PREFIX),
            # Directory changes' events queue the people they touched.
            extra_environment=resources.identity.accounts_environment(),
        ),
        "relay_outbox": FunctionSpec(
            memory_mb=256,
            timeout_s=RELAY_TIMEOUT_S,
            permissions=relay_permissions(resources),
            extra_environment=resources.identity.accounts_environment(),
        ),
        # Notifications' email (chalicelib/notifications/mailing.py, feedback.py).
        "send_emails": FunctionSpec(
            memory_mb=256,
            timeout_s=resources.queues["email"].spec.function_timeout_s,
            permissions=email_permissions(resources),
            trigger=resources.queues["email"],
            max_concurrency=resources.queues["email"].spec.max_concurrency,
        ),
        "record_email_feedback": FunctionSpec(
            memory_mb=256,
            timeout_s=resources.queues["feedback"].spec.function_timeout_s,
            permissions=feedback_permissions(resources),
            trigger=resources.queues["feedback"],
            max_concurrency=resources.queues["feedback"].spec.max_concurrency,
        ),
        # The pool's users kept in step with the directory (chalicelib/directory/handler.py).
        "sync_sign_in_accounts": FunctionSpec(
            memory_mb=256,
            timeout_s=resources.queues["accounts"].spec.function_timeout_s,
            permissions=accounts_permissions(resources),
            trigger=resources.queues["accounts"],
            max_concurrency=resources.queues["accounts"].spec.max_concurrency,
            extra_environment=resources.identity.accounts_environment(),
        ),
        "send_digests": FunctionSpec(
            memory_mb=256,
            timeout_s=RELAY_TIMEOUT_S,
            permissions=digest_permissions(resources),
        ),
    }


# The redaction worker: the detector runs on one core, ffmpeg decodes and encodes beside it
# (Lambda gives one vCPU per 1,769 MB): two vCPUs (bench/REDACTION.md, docs/deploy.md).
REDACTION_MEMORY_MB = 3538
# Keys the redaction job writes: each run's outputs under its clip (chalicelib/clips/redacted.py).
REDACTED_OUTPUTS = f"{CLIPS_PREFIX}*/redacted/"


def container_specs(
    resources: AppResources, settings: Settings, config: DeploymentConfig
) -> dict[str, FunctionSpec]:
    """Queue workers that run as container images (infrastructure/constructs/
    container_function.py), keyed by their queue's registry key."""
    queue = resources.queues["redaction"]
    return {
        "redaction": FunctionSpec(
            memory_mb=REDACTION_MEMORY_MB,
            timeout_s=queue.spec.function_timeout_s,
            # The clip, the redacted picture and its ladder sit in /tmp.
            ephemeral_storage_mb=LAMBDA_MAX_EPHEMERAL_MB,
            permissions=redaction_permissions(resources),
            trigger=queue,
            max_concurrency=config.ingest_max_concurrency,
            # The image carries the layer's static ffmpeg at the same place.
            extra_environment=FfmpegLayer.environment(),
        )
    }


def _media_worker(
    resources: AppResources,
    settings: Settings,
    config: DeploymentConfig,
    permissions: list[iam.PolicyStatement],
    *,
    queue: str,
) -> FunctionSpec:
    """An ffmpeg worker (ingest, clips): sized alike, fed by its own queue."""
    return FunctionSpec(
        memory_mb=config.ingest_memory_mb,
        timeout_s=resources.queues[queue].spec.function_timeout_s,
        # A clip's source and outputs sit in /tmp; a lesson's tasks hold a chunk, the
        # sound or the smallest rung at most.
        ephemeral_storage_mb=LAMBDA_MAX_EPHEMERAL_MB,
        permissions=permissions,
        layers=[resources.ffmpeg.layer],
        extra_environment=resources.ffmpeg.environment(),
        trigger=resources.queues[queue],
        max_concurrency=config.segment_max_concurrency
        if queue == "segment"
        else config.ingest_max_concurrency,
    )


def api_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    uploads, media = r.storage.uploads, r.storage.media
    return [
        # Presigned POST and multipart uploads are signed with the API's role,
        # so it needs what the browser does with them, on raw/ only.
        allow.objects(
            "SignUploads",
            uploads,
            RAW_PREFIX,
            ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        ),
        # Presigned GETs for posters, storyboards and downloads (playlists and
        # segments go through CloudFront with signed cookies).
        allow.objects("SignPlayback", media, VIDEOS_PREFIX, ["s3:GetObject"]),
        allow.objects("SignClipPlayback", media, CLIPS_PREFIX, ["s3:GetObject"]),
        r.playback.read_statement(),
        # Deleting a video purges every version of its files and aborts its
        # open multipart uploads (chalicelib/videos/deletion.py).
        allow.objects("PurgeSources", uploads, RAW_PREFIX, ["s3:DeleteObjectVersion"]),
        allow.objects("PurgeMedia", media, VIDEOS_PREFIX, ["s3:DeleteObjectVersion"]),
        allow.objects("PurgeClips", media, CLIPS_PREFIX, ["s3:DeleteObjectVersion"]),
        allow.listing(
            "ListSourcesToPurge",
            uploads,
            RAW_PREFIX,
            ["s3:ListBucketVersions", "s3:ListBucketMultipartUploads"],
        ),
        allow.listing("ListMediaToPurge", media, VIDEOS_PREFIX, ["s3:ListBucketVersions"]),
        allow.listing("ListClipsToPurge", media, CLIPS_PREFIX, ["s3:ListBucketVersions"]),
        allow.bucket_exists("HealthBuckets", [uploads, media]),
        allow.table_items("Records", r.table, TABLE_READ_WRITE),
        allow.table_metadata("HealthTable", r.table),
        allow.queue("HealthQueue", r.queues["ingest"].queue, ["sqs:GetQueueAttributes"]),
        # Comments and evaluations emit webhook events, and notifications' emails.
        allow.queue("EmitWebhooks", r.queues["webhook"].queue, ["sqs:SendMessage"]),
        allow.queue("EmitEmails", r.queues["email"].queue, ["sqs:SendMessage"]),
        # People a directory change touched, for their sign-in accounts (its event is
        # relayed right after the change; the relay functions deliver what it missed).
        allow.queue("QueueSignInAccounts", r.queues["accounts"].queue, ["sqs:SendMessage"]),
        # Creating a clip queues its job; asking for (or correcting) a redaction queues its run.
        allow.queue("QueueClipJobs", r.queues["clip"].queue, ["sqs:SendMessage"]),
        allow.queue("QueueRedactions", r.queues["redaction"].queue, ["sqs:SendMessage"]),
        # Teachers' exports: queue the job, sign the download; a video's
        # deletion deletes its owner's exports (they hold a copy of it).
        allow.queue("QueueExports", r.queues["export"].queue, ["sqs:SendMessage"]),
        allow.objects(
            "SignAndPurgeExports",
            media,
            EXPORTS_PREFIX,
            ["s3:GetObject", "s3:DeleteObjectVersion"],
        ),
        allow.listing("ListExportsToPurge", media, EXPORTS_PREFIX, ["s3:ListBucketVersions"]),
    ]


def ingest_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    uploads, media = r.storage.uploads, r.storage.media
    return [
        # Read the exact version that landed; delete a refused or orphaned one.
        allow.objects(
            "ReadAndRefuseSources",
            uploads,
            RAW_PREFIX,
            ["s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        ),
        allow.listing("FindSourceVersions", uploads, RAW_PREFIX, ["s3:ListBucketVersions"]),
        allow.bucket_exists("MissingSourceIs404", [uploads]),
        # Write this attempt's outputs; delete other attempts' (every version).
        allow.objects(
            "WriteOutputs",
            media,
            VIDEOS_PREFIX,
            [
                "s3:PutObject",
                "s3:AbortMultipartUpload",
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
            ],
        ),
        allow.listing(
            "ListOutputs", media, VIDEOS_PREFIX, ["s3:ListBucket", "s3:ListBucketVersions"]
        ),
        allow.table_items("Records", r.table, WORKER_TABLE),
        # video.failed webhook events (the lesson's tasks announce the rest).
        allow.queue("EmitWebhooks", r.queues["webhook"].queue, ["sqs:SendMessage"]),
        # The lesson's tasks (chalicelib/ingest/lesson.py): recorded in one batch, then sent.
        allow.table_items("PlanTasks", r.table, ["dynamodb:BatchWriteItem"], indexes=False),
        allow.queue("FanOutLesson", r.queues["segment"].queue, ["sqs:SendMessage"]),
        # An upload over its district's share waits as a new message (chalicelib/jobs/fairness.py).
        allow.queue("WaitForShare", r.queues["ingest"].queue, ["sqs:SendMessage"]),
    ]


def segment_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    """A lesson's tasks: encode chunks, package the sound, copy a web-ready source, finish."""
    uploads, media = r.storage.uploads, r.storage.media
    return [
        # The copy task reads the exact version that landed.
        allow.objects("ReadSources", uploads, RAW_PREFIX, ["s3:GetObject", "s3:GetObjectVersion"]),
        allow.bucket_exists("MissingSourceIs404", [uploads, media]),
        # Chunks and the plan in, HLS segments and playlists out; a task of an
        # abandoned plan deletes what the plan wrote.
        allow.objects(
            "ReadAndWriteLesson",
            media,
            VIDEOS_PREFIX,
            [
                "s3:GetObject",
                "s3:PutObject",
                "s3:AbortMultipartUpload",
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
            ],
        ),
        allow.listing(
            "ListLesson", media, VIDEOS_PREFIX, ["s3:ListBucket", "s3:ListBucketVersions"]
        ),
        # Task leases, segment records and their counts (transactions), outbox events.
        allow.table_items("Records", r.table, WORKER_TABLE),
        # The finalize task, sent by whoever finishes last; a task over its district's
        # share waits as a new message (chalicelib/jobs/fairness.py).
        allow.queue("SendFinalize", r.queues["segment"].queue, ["sqs:SendMessage"]),
        # The consumer relays the events it wrote right after each message.
        allow.queue("EmitWebhooks", r.queues["webhook"].queue, ["sqs:SendMessage"]),
    ]


def relay_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    """Relaying stored events (chalicelib/events/relay.py) to the webhooks, notifications,
    the hand-off of nominations that waited for library consent (orchestration/library_consent.py)
    and the sign-in accounts queue (directory/accounts.py)."""
    return [
        # Lease, mark and delete outbox items; find the district's hooks; record
        # one delivery per event and hook; nominate a waiting request (its review
        # item, counters and audit entry) and settle it: item reads and writes only.
        allow.table_items("Outbox", r.table, WORKER_TABLE, indexes=False),
        allow.queue("EmitWebhooks", r.queues["webhook"].queue, ["sqs:SendMessage"]),
        # Notifications: read what the event is about, store one per recipient, queue
        # the emails they want now.
        allow.queue("EmitEmails", r.queues["email"].queue, ["sqs:SendMessage"]),
        # A directory change's event: the people it touched, for their sign-in accounts.
        allow.queue("QueueSignInAccounts", r.queues["accounts"].queue, ["sqs:SendMessage"]),
    ]


def clip_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    uploads, media = r.storage.uploads, r.storage.media
    return [
        # Cut from the exact version that landed, or the top rendition once
        # retention removed the original.
        allow.objects("ReadSources", uploads, RAW_PREFIX, ["s3:GetObject", "s3:GetObjectVersion"]),
        allow.objects("ReadRenditions", media, VIDEOS_PREFIX, ["s3:GetObject"]),
        allow.bucket_exists("MissingSourceIs404", [uploads, media]),
        # Write this attempt's outputs; delete other attempts' (every version).
        allow.objects(
            "WriteClipOutputs",
            media,
            CLIPS_PREFIX,
            [
                "s3:PutObject",
                "s3:AbortMultipartUpload",
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
            ],
        ),
        allow.listing(
            "ListClipOutputs", media, CLIPS_PREFIX, ["s3:ListBucket", "s3:ListBucketVersions"]
        ),
        allow.table_items("Records", r.table, WORKER_TABLE),
        # A clip over its district's share waits as a new message (chalicelib/jobs/fairness.py).
        allow.queue("WaitForShare", r.queues["clip"].queue, ["sqs:SendMessage"]),
        # clip.ready, relayed right after: webhooks, and its cutter's notification email.
        allow.queue("EmitWebhooks", r.queues["webhook"].queue, ["sqs:SendMessage"]),
        allow.queue("EmitEmails", r.queues["email"].queue, ["sqs:SendMessage"]),
    ]


def redaction_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    """The redaction job: reads a clip's own renditions (never an upload), writes its run."""
    media = r.storage.media
    return [
        allow.objects("ReadClips", media, CLIPS_PREFIX, ["s3:GetObject"]),
        allow.bucket_exists("MissingClipIs404", [media]),
        # Write this run's outputs (and an earlier run's tracks are read back); delete
        # other attempts' (every version): under clips/{id}/redacted/ only.
        allow.objects(
            "WriteRedactedOutputs",
            media,
            REDACTED_OUTPUTS,
            [
                "s3:PutObject",
                "s3:AbortMultipartUpload",
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
            ],
        ),
        allow.listing(
            "ListRedactedOutputs",
            media,
            REDACTED_OUTPUTS,
            ["s3:ListBucket", "s3:ListBucketVersions"],
        ),
        # The redaction record under its run's lease, the clip record, the district's share.
        allow.table_items("Records", r.table, WORKER_TABLE),
        # A run over its district's share waits as a new message (chalicelib/jobs/fairness.py).
        allow.queue("WaitForShare", r.queues["redaction"].queue, ["sqs:SendMessage"]),
    ]


def export_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    media = r.storage.media
    return [
        # Read the teacher's playable files, write the zip.
        allow.objects("ReadRenditions", media, VIDEOS_PREFIX, ["s3:GetObject"]),
        allow.bucket_exists("MissingRenditionIs404", [media]),
        allow.objects(
            "WriteExports", media, EXPORTS_PREFIX, ["s3:PutObject", "s3:AbortMultipartUpload"]
        ),
        # Their videos and comments; the export's own record; the district's share (a put
        # under optimistic locking, chalicelib/jobs/fairness.py).
        allow.table_items(
            "Records",
            r.table,
            ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:PutItem"],
        ),
        # An export over its district's share waits as a new message.
        allow.queue("WaitForShare", r.queues["export"].queue, ["sqs:SendMessage"]),
    ]


def retention_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    uploads, media = r.storage.uploads, r.storage.media
    return [
        # Originals and playable files that a district's policy has let go.
        allow.objects("DeleteSources", uploads, RAW_PREFIX, ["s3:DeleteObjectVersion"]),
        allow.listing("ListSources", uploads, RAW_PREFIX, ["s3:ListBucketVersions"]),
        allow.objects("DeleteRenditions", media, VIDEOS_PREFIX, ["s3:DeleteObjectVersion"]),
        allow.listing("ListRenditions", media, VIDEOS_PREFIX, ["s3:ListBucketVersions"]),
        # Policies, the district's videos and clips; mark what went; audit it.
        allow.table_items(
            "Records",
            r.table,
            ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:PutItem"],
        ),
    ]


def webhook_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    # Consuming its queue comes with the trigger (WorkQueue.consume_statement).
    return [
        # Read the delivery and its hook, record the attempt (chalicelib/webhooks/delivery.py).
        allow.table_items(
            "Deliveries", r.table, ["dynamodb:GetItem", "dynamodb:UpdateItem"], indexes=False
        ),
        # A retry is the same message re-sent with a delay, and so is a delivery over its
        # district's share, which is kept in its own items only (chalicelib/jobs/fairness.py).
        allow.queue("ScheduleRetries", r.queues["webhook"].queue, ["sqs:SendMessage"]),
        allow.table_partitions(
            "DistrictShares", r.table, ["dynamodb:PutItem"], slots_partition("webhook", "*")
        ),
    ]


def reconciler_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    return [
        # Peek only: receive with visibility 0, never delete (an operator redrives).
        allow.queue("PeekDeadLetters", r.queues["ingest"].dlq, ["sqs:ReceiveMessage"]),
        # Fail the abandoned video, then announce it: store the event, find the
        # district's hooks (a query of their partition), record one delivery per
        # hook and delete the relayed event.
        allow.table_items("FailAbandonedVideos", r.table, WORKER_TABLE, indexes=False),
        allow.queue("EmitWebhooks", r.queues["webhook"].queue, ["sqs:SendMessage"]),
    ]


def _web_url_parameter(r: AppResources) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        sid="ReadWebUrl",
        actions=["ssm:GetParameter"],
        resources=[
            f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter{r.web_url_parameter}"
        ],
    )


def email_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    return [
        # Claim a notification's email, read the person's address, preferences and
        # suppression, record the outcome; a digest's claim and what it lists (an index).
        allow.table_items(
            "Mail",
            r.table,
            [
                "dynamodb:GetItem",
                "dynamodb:Query",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
            ],
        ),
        r.email.send_statement(),
        _web_url_parameter(r),
    ]


def accounts_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    return [
        # The people a message names, as the directory has them now (a consistent batch read).
        allow.table_items("ReadPeople", r.table, ["dynamodb:BatchGetItem"], indexes=False),
        *r.identity.manage_users_statements(),
    ]


def feedback_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    # Suppress an address SES reported (a conditional put).
    return [allow.table_items("Suppress", r.table, ["dynamodb:PutItem"], indexes=False)]


def digest_permissions(r: AppResources) -> list[iam.PolicyStatement]:
    return [
        # Who has notifications waiting (an index), who had today's digest already.
        allow.table_items("AwaitingDigests", r.table, ["dynamodb:Query", "dynamodb:GetItem"]),
        allow.queue("QueueDigests", r.queues["email"].queue, ["sqs:SendMessage"]),
    ]
