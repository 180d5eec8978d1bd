"""The buckets: uploads (raw sources), media (renditions, posters, storyboards), access logs.

Mirrors ``classreel/local/bootstrap.py`` (CORS rules from ``chalicelib/storage/cors.py``):
both buckets private with CORS for the browser, uploads versioned. In AWS they also
get encryption, a TLS-only policy, access logging and lifecycle rules, which the
local S3 has no use for.

Bucket names are fixed strings (stage, account, region) rather than
CloudFormation-generated: the ingest queue's policy must name the uploads
bucket before the bucket exists (S3 checks it can deliver to the queue when
the notification is configured), and a name that does not reference the bucket
resource breaks that cycle.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from chalicelib.config import Settings
from chalicelib.storage.cors import MEDIA_CORS_RULES, UPLOAD_CORS_RULES
from chalicelib.storage.keys import EXPORTS_PREFIX
from infrastructure.deployment import DeploymentConfig
from infrastructure.nag import suppress

# The worker uploads renditions with multipart transfers; a killed worker can
# leave parts behind in either bucket.
ABORT_INCOMPLETE_MULTIPART = Duration.days(1)


def _cors(rules: Sequence[dict[str, object]], origins: Sequence[str]) -> list[s3.CorsRule]:
    """The local twin's CORS rules, with the deployment's allowed origins."""
    return [
        s3.CorsRule(
            allowed_origins=list(origins),
            allowed_methods=[s3.HttpMethods(method) for method in _strings(rule, "AllowedMethods")],
            allowed_headers=_strings(rule, "AllowedHeaders"),
            exposed_headers=_strings(rule, "ExposeHeaders"),
            max_age=int(str(rule["MaxAgeSeconds"])),
        )
        for rule in rules
    ]


def _strings(rule: dict[str, object], key: str) -> list[str]:
    values = rule[key]
    if not isinstance(values, list):
        raise TypeError(f"CORS rule {key} must be a list")
    return [str(value) for value in values]


def _physical_name(config: DeploymentConfig, role: str) -> str:
    # Globally unique: two accounts (or regions) may both deploy stage "dev".
    return f"{config.name(role)}-{Aws.ACCOUNT_ID}-{Aws.REGION}"


class Storage(Construct):
    """The three buckets, with the names the functions receive as settings."""

    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = self._access_log_bucket(config)
        # Known before the bucket exists: the ingest queue's policy names it.
        self.uploads_name = _physical_name(config, "uploads")
        self.uploads = self._uploads_bucket(config)
        self.media = self._media_bucket(config)

    def _private_bucket(
        self,
        construct_id: str,
        *,
        bucket_name: str,
        lifecycle_rules: Sequence[s3.LifecycleRule],
        cors: Sequence[s3.CorsRule] | None = None,
        versioned: bool = False,
        log_prefix: str | None = None,
    ) -> s3.Bucket:
        """Private, encrypted, TLS-only, kept on stack deletion: every bucket here."""
        return s3.Bucket(
            self,
            construct_id,
            bucket_name=bucket_name,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=RemovalPolicy.RETAIN,
            versioned=versioned,
            cors=cors,
            lifecycle_rules=lifecycle_rules,
            server_access_logs_bucket=self.access_logs if log_prefix else None,
            server_access_logs_prefix=log_prefix,
        )

    def _access_log_bucket(self, config: DeploymentConfig) -> s3.Bucket:
        bucket = self._private_bucket(
            "AccessLogs",
            bucket_name=_physical_name(config, "access-logs"),
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(365))],
        )
        suppress(
            bucket,
            "AwsSolutions-S1",
            "This bucket receives the other buckets' server access logs; logging it to "
            "itself would loop and log to a fourth bucket only moves the question.",
        )
        return bucket

    def _uploads_bucket(self, config: DeploymentConfig) -> s3.Bucket:
        return self._private_bucket(
            "Uploads",
            bucket_name=self.uploads_name,
            # A second upload through a used presigned link becomes a new
            # version, which the worker deletes (never a silent overwrite).
            versioned=True,
            cors=_cors(UPLOAD_CORS_RULES, config.cors_origins),
            log_prefix="uploads/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-multipart",
                    abort_incomplete_multipart_upload_after=ABORT_INCOMPLETE_MULTIPART,
                ),
                # No blanket expiry of raw/: originals are deleted by each
                # district's retention policy (chalicelib/privacy/retention.py),
                # which a legal hold overrides; a bucket rule could not.
                s3.LifecycleRule(
                    id="expire-noncurrent-versions",
                    noncurrent_version_expiration=Duration.days(config.noncurrent_version_days),
                ),
                s3.LifecycleRule(
                    # Expiring a current version leaves a delete marker; once its
                    # old versions are gone the marker is clutter.
                    id="remove-expired-delete-markers",
                    expired_object_delete_marker=True,
                ),
            ],
        )

    def _media_bucket(self, config: DeploymentConfig) -> s3.Bucket:
        # Private like the uploads bucket: playlists and segments reach viewers
        # through CloudFront (origin access control, signed cookies; web.py),
        # posters, sprites and downloads through presigned GETs from the API,
        # which CORS lets the browser fetch (the storyboard's WebVTT).
        return self._private_bucket(
            "Media",
            bucket_name=_physical_name(config, "media"),
            cors=_cors(MEDIA_CORS_RULES, config.cors_origins),
            log_prefix="media/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-multipart",
                    abort_incomplete_multipart_upload_after=ABORT_INCOMPLETE_MULTIPART,
                ),
                s3.LifecycleRule(
                    # Teachers' data exports (chalicelib/privacy/export.py): a week.
                    id="expire-exports",
                    prefix=EXPORTS_PREFIX,
                    expiration=Duration.days(Settings().export_keep_days),
                ),
            ],
        )
