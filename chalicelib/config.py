"""Every setting the system reads, in one place.

Values come from environment variables prefixed ``CLASSREEL_``. In AWS the CDK
stack sets them on each function; locally the stack supervisor
(``classreel.local.stack``) sets them for the processes it starts. Defaults
describe the local twin, so importing the app never needs an environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024
GIB = 1024 * MIB
# A held message is renewed every third of its hold: at least a couple of seconds apart.
MIN_CRASH_REDELIVERY_S = 6

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Locally, the static ffmpeg/ffprobe that scripts/setup.sh installs from the
# Lambda layer's own pinned source (layers/ffmpeg/build.py): one release runs
# everywhere. In AWS the functions' environment points at the layer (/opt/bin).
LOCAL_MEDIA_TOOLS_DIR = PROJECT_ROOT / "layers" / "ffmpeg" / "build" / "layer" / "bin"


def _media_tool(name: str) -> str:
    """The local static build when it is installed, else whatever PATH finds (a packaged
    CLI, a machine without the layer built); tests/unit/media check which one runs."""
    local = LOCAL_MEDIA_TOOLS_DIR / name
    return str(local) if local.is_file() else name


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLASSREEL_", extra="ignore", frozen=True)

    # --- where things live -------------------------------------------------
    region: str = "us-east-1"
    uploads_bucket: str = "classreel-uploads"
    media_bucket: str = "classreel-media"
    table_name: str = "classreel"
    # Every work queue is "{queue_prefix}-{suffix}" with a "-dlq" beside it
    # (chalicelib/jobs/queues.py declares them). In AWS: the stage's prefix.
    queue_prefix: str = "classreel"
    # Queue URLs by registry key ("ingest", "ingest-dlq", ...), handed in by
    # whoever created the queues (CDK, the local bootstrap) as JSON; a missing
    # one is looked up by name.
    queue_urls: dict[str, str] = Field(default_factory=dict)

    # Endpoint overrides point boto3/PynamoDB at the local twin; unset in AWS.
    s3_endpoint_url: str | None = None
    sqs_endpoint_url: str | None = None
    dynamodb_endpoint_url: str | None = None
    # The local twin has no user pool; tests make one in its moto server.
    cognito_endpoint_url: str | None = None

    # --- queues ------------------------------------------------------------
    # Sizes of each work queue (chalicelib/jobs/queues.py reads them). Lambda's
    # guidance: visibility timeout >= 6x the function timeout. The local runner
    # uses the same numbers, and stops an invocation at its function timeout.
    worker_timeout_s: int = 900
    ingest_visibility_timeout_s: int = 5400
    ingest_max_receive_count: int = 3
    ingest_batch_size: int = 1
    # A job holds its video for this long and renews it while it works; a job
    # whose worker died frees the video once the lease runs out.
    ingest_lease_s: int = 120

    # --- lessons in segments (chalicelib/ingest: planning, encoding, finishing) ---------------
    # A chunk task encodes this many segments (~6 s each) from one cut of the
    # source: fewer, larger tasks cost less overhead; smaller ones spread wider.
    segments_per_chunk: int = 5
    # Shorter than two thirds of the crash redelivery (below, checked): a crashed task's
    # message comes back no sooner than that, and its redelivery finds the lease run out
    # rather than spending a receive on waiting for it.
    segment_lease_s: int = 30
    # One chunk (a few segments), the sound, or the finalize: minutes at most, whatever the
    # lesson's length (the local runner stops an invocation past it, as Lambda does).
    segment_function_timeout_s: int = 300
    # 6 x the function timeout (Lambda's rule for a queue's consumer, checked by the CDK
    # stack); a running task holds its own message for much less at a time (below), so a
    # crashed task returns within a minute.
    segment_visibility_timeout_s: int = 1800
    # A running task's message is held invisible this long at a time, renewed every third
    # of it (chalicelib/jobs/retry.py HeldMessage): a task whose invocation died comes
    # back within this, however long a healthy one may run.
    segment_crash_redelivery_s: int = Field(default=60, ge=MIN_CRASH_REDELIVERY_S)
    # A task that failed (its invocation alive) is tried again after this, doubling with
    # each receive up to the crash redelivery (chalicelib/jobs/batch.py).
    segment_retry_first_s: int = 10
    # A web-ready source up to this size is also kept as it is for download (one task
    # remuxes it: its bytes pass through the worker's disk once); a larger one's download
    # is joined from the top rung's segments, so no task needs minutes per hour of lesson.
    copy_source_max_bytes: int = 2 * 1024 * MIB
    segment_max_receive_count: int = 3

    # --- auth --------------------------------------------------------------
    # The API trusts exactly these issuers (chalicelib/auth/tokens.py). The primary
    # one: in AWS the Cognito user pool (its JWKS URL; people found by verified
    # email), locally the dev issuer (its JWKS file; people found by subject).
    jwt_issuer: str = "classreel-local-dev"
    jwt_audience: str = "classreel-local"
    jwks_url: str | None = None
    jwks_path: Path | None = None
    # "subject" or "email" (chalicelib/auth/principal.py PeopleMatch).
    jwt_people_match: Literal["subject", "email"] = "subject"
    # Matched by email, a token's email counts only when verified, or when it comes from
    # one of these district identity providers (their Cognito names: providers that send
    # no email_verified, such as SAML; set by infrastructure/ from the stage's providers).
    jwt_trusted_email_providers: tuple[str, ...] = ()
    dev_token_ttl_s: int = 12 * 3600
    # Locally only: the OpenID Connect provider `make run` starts on loopback
    # (classreel/local/oidc/), trusted beside the dev issuer; people found by email.
    oidc_issuer: str | None = None
    oidc_client_id: str = "classreel-web"
    oidc_jwks_url: str | None = None
    # Its ID tokens (and access tokens) are short; the web client renews them with the
    # refresh token before they end.
    oidc_id_token_ttl_s: int = 300
    # Every local account's password (the local twin's only; printed by `make run`).
    oidc_password: str = "classreel-local"  # noqa: S105  (loopback only, printed to the developer)
    # Sign-in accounts kept in step with the directory (chalicelib/directory/accounts.py):
    # "cognito" (users of the pool in cognito_user_pool_id), "local" (the local provider's
    # accounts file) or "none".
    sign_in_accounts: Literal["none", "local", "cognito"] = "none"
    cognito_user_pool_id: str | None = None
    # With "cognito", the API queues the people a change touched and a worker reconciles
    # their users (25 people a message, a few Cognito calls each); Cognito's request
    # rates are per pool, shared with sign-ins, hence a small concurrency.
    accounts_function_timeout_s: int = 120
    accounts_visibility_timeout_s: int = 720
    accounts_max_receive_count: int = 5

    # --- local twin --------------------------------------------------------
    data_dir: Path = PROJECT_ROOT / ".classreel"
    # The built web client (scripts/setup.sh runs web/build.mjs).
    web_dir: Path = PROJECT_ROOT / "web" / "dist"
    # How many invocations of each queue's function the local runner runs at
    # once (Lambda would scale out; two cores locally).
    local_worker_concurrency: int = 2
    # How often the local runner fires @app.schedule functions.
    local_schedule_interval_s: float = 60.0

    # --- media ---------------------------------------------------------------
    ffmpeg_binary: str = Field(default_factory=lambda: _media_tool("ffmpeg"))
    ffprobe_binary: str = Field(default_factory=lambda: _media_tool("ffprobe"))
    # ffprobe reads uploaded bytes too: the same kind of fences as ffmpeg.
    ffprobe_timeout_s: float = 60.0
    ffprobe_memory_limit_mb: int = 2048
    # Interlacing is measured (idet) on this many frames from 10% into the source,
    # because a camera's "progressive" flag can lie.
    interlace_probe_frames: int = 240
    # Every encoded rendition's audio: AAC at this rate, mono kept mono, more
    # channels mixed down to stereo.
    output_audio_sample_rate: int = 48000
    # Lambda's writable disk; each job works in its own folder below it.
    work_dir: Path = Path("/tmp/classreel-jobs")  # noqa: S108  (Lambda's only writable disk)
    max_duration_s: float = 3 * 3600
    min_short_side_px: int = 96
    max_long_side_px: int = 8192
    max_aspect_ratio: float = 4.0
    max_output_fps: float = 30.0
    x264_preset: str = "veryfast"
    # ffmpeg gets base + factor x media duration before it is stopped, and an
    # address-space cap, so a pathological file cannot wedge a worker.
    ffmpeg_timeout_base_s: float = 120.0
    ffmpeg_timeout_per_media_s: float = 3.0
    ffmpeg_memory_limit_mb: int = 4096
    poster_at_s: float = 3.0
    storyboard_thumb_width: int = 160
    storyboard_columns: int = 10
    storyboard_max_thumbs: int = 100
    playback_url_expiry_s: int = 900
    # Playback access (chalicelib/playback/): signed cookies for a video's or
    # clip's /media/ path, renewed by the player before they expire. In AWS the
    # key pair is CloudFront's (public key in a key group, private key in
    # Secrets Manager) and the origin is the distribution's; locally the stack
    # makes a key pair and the origin is the request's own.
    playback_access_s: int = 3600
    playback_key_pair_id: str = "local"
    playback_private_key_path: Path | None = None
    playback_private_key_secret: str = ""
    playback_origin: str = ""

    # --- uploads -------------------------------------------------------------
    max_upload_bytes: int = 10 * GIB
    single_upload_max_bytes: int = Field(default=100 * MIB, description="above this: multipart")
    presign_expiry_s: int = 3600
    # Multipart part size (S3: 5 MiB minimum except the last part); grows for
    # very large files so any allowed size fits in 10,000 parts.
    multipart_part_bytes: int = 16 * MIB
    # A multipart upload may take this long in all (each part URL still expires
    # after presign_expiry_s and is re-issued); matches the bucket's lifecycle
    # rule that aborts incomplete multipart uploads after a day.
    multipart_window_s: int = 24 * 3600
    # Clock skew and S3's own delay between upload and notification.
    upload_arrival_grace_s: int = 300

    log_level: str = "INFO"

    # --- webhooks -----------------------------------------------------------
    # The delivery function POSTs one delivery per invocation (a slow receiver holds
    # only its own), allowed webhook_timeout_s per connect and read: its own timeout
    # covers one slow receiver; it also ends a dead invocation's place in its
    # district's share (district_share_webhooks).
    webhook_function_timeout_s: int = 60
    webhook_visibility_timeout_s: int = 360
    # Deliveries schedule their own retries (a re-sent message with a delay);
    # the redrive only catches a handler that crashes outright.
    webhook_max_receive_count: int = 5
    webhook_max_attempts: int = 8
    webhook_retry_base_s: float = 30.0
    webhook_timeout_s: float = 10.0
    # Only the local twin may call 127.0.0.1 and plain http; in AWS a webhook
    # must be public https (no server-side request forgery into the VPC).
    webhook_allow_private_targets: bool = False
    # After a secret rotation, deliveries are signed with the old secret too for
    # this long, so receivers can switch without losing a delivery.
    webhook_secret_overlap_s: int = 24 * 3600

    # --- events (chalicelib/events) ------------------------------------------
    # A relay holds an event this long while it delivers it; a relay that dies
    # holds it no longer than this, then the next one takes over.
    events_relay_lease_s: float = 30.0
    # The sweep leaves events younger than this to the relay right after their
    # commit (and, in AWS, to the stream), so it does not race them.
    events_sweep_grace_s: float = 5.0
    # How often the local runner sweeps the outbox (the local stand-in for the
    # table's stream in AWS, where the sweep only runs once a minute).
    local_relay_interval_s: float = 1.0

    # --- notifications and email (chalicelib/notifications, chalicelib/mail) -----
    # An inbox keeps each notification this long (the table's TTL removes it).
    notification_keep_days: int = 180
    # "smtp": the local twin's mail server (classreel/local/mail_server.py, on
    # smtp_host:smtp_port); "ses": Amazon SES in AWS (the CDK stack sets it, with the
    # configuration set whose events report bounces and complaints).
    email_transport: Literal["smtp", "ses"] = "smtp"
    email_from: str = "ClassReel <notifications@classreel.test>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 0
    smtp_timeout_s: float = 10.0
    ses_configuration_set: str = ""
    # Links in emails point at the web client: its address (locally the API server's),
    # or, in AWS, the SSM parameter the stack writes it to once the distribution exists.
    web_url: str = "http://127.0.0.1:8000"
    web_url_parameter: str = ""
    # Where the API sits under web_url ("/api" behind CloudFront): one-click unsubscribe.
    api_base_path: str = ""
    email_function_timeout_s: int = 60
    email_visibility_timeout_s: int = 360
    email_max_receive_count: int = 5
    # A digest lists at most this many notifications (the inbox has them all).
    digest_max_items: int = 50

    # --- clips, review, library -------------------------------------------------
    clip_visibility_timeout_s: int = 5400
    clip_max_receive_count: int = 3

    # --- face redaction (chalicelib/redaction; bench/REDACTION.md measured these) ---
    # The detector runs on the whole frame and on overlapping tiles of about this size.
    redaction_tile_px: int = 224
    # Detect every n-th frame (tracking interpolates between); 1 is frame-accurate.
    redaction_detect_every: int = 1
    redaction_visibility_timeout_s: int = 5400
    redaction_max_receive_count: int = 3
    # Frames the reviewer is shown first (the detector's least sure).
    redaction_review_frames: int = 12
    # A longer clip's faces are detected in spans of about this many seconds, one job
    # each, in parallel (~6 CPU-s per second of 720p at 30 fps: bench/REDACTION_COST.md).
    redaction_segment_s: float = 60.0
    clip_min_s: float = 5.0
    clip_max_s: float = 600.0
    # Outside this range a clip is allowed but flagged: practice examples work
    # best at 2-5 minutes.
    clip_recommended_min_s: float = 120.0
    clip_recommended_max_s: float = 300.0
    # A reviewer's claim on a queue item lapses after this long, so an item
    # never stays locked by someone who walked away.
    review_claim_ttl_s: int = 1800

    # --- privacy -----------------------------------------------------------------
    # Audit entries are the district's record of who saw what: kept three years.
    audit_retention_days: int = 3 * 365
    # A teacher's data export: built by a worker on its own queue, downloadable
    # for a week, then deleted (record TTL + bucket lifecycle on exports/).
    export_visibility_timeout_s: int = 5400
    export_max_receive_count: int = 3
    export_keep_days: int = 7

    # --- fairness between districts on the work queues (chalicelib/jobs/fairness.py) ---
    # At most this many jobs of one district run at once on a queue (0: no cap), so one
    # district's backlog leaves room for the others: below the account's Lambda
    # concurrency (1,000 by default) for the segments, below the queue's own cap for
    # exports. A message over its district's share comes back after the retry delay.
    district_share_ingest: int = 20
    district_share_segments: int = 200
    district_share_clips: int = 20
    district_share_exports: int = 2
    # Of the webhook queue's 5 delivery invocations: a district whose receivers are slow
    # or failing (a burst of events to a dead endpoint) holds at most 2 of them.
    district_share_webhooks: int = 2
    district_share_retry_s: int = 20

    # --- abuse limits (chalicelib/limits/) ---------------------------------------
    # Per user (within their district) and per district; fixed windows, refused with
    # 429 and Retry-After (the window's end). 0 turns a limit off. The request rate
    # stands in for API Gateway throttling, which cannot tell districts apart.
    limit_requests_per_user_per_minute: int = 600
    limit_requests_per_district_per_minute: int = 12_000
    limit_videos_per_user_per_day: int = 50
    limit_videos_per_district_per_day: int = 5_000
    # Declared sizes at upload creation (the landing check refuses a larger object).
    limit_upload_bytes_per_user_per_day: int = 50 * GIB
    limit_upload_bytes_per_district_per_day: int = 5 * 1024 * GIB
    limit_clips_per_user_per_day: int = 200
    limit_clips_per_district_per_day: int = 10_000
    limit_exports_per_user_per_day: int = 5
    limit_webhooks_per_district_per_day: int = 20
    # Requests nobody is signed in to (no token, a token that fails, public routes such as
    # /health, /openapi.json, /unsubscribe, the local dev sign-in), per source address and
    # apart from everyone's own counts: a flood of them cannot use up what signed-in people
    # need. In AWS the web ACL refuses heavier floods before API Gateway
    # (infrastructure/constructs/firewall.py).
    limit_anonymous_requests_per_address_per_minute: int = 120

    @model_validator(mode="after")
    def _a_crashed_tasks_lease_runs_out_before_its_message_returns(self) -> Settings:
        # The message returns at least two thirds of a hold after the last renewal.
        if 3 * self.segment_lease_s > 2 * self.segment_crash_redelivery_s:
            raise ValueError(
                "segment_lease_s must be at most two thirds of segment_crash_redelivery_s "
                f"({self.segment_lease_s} > 2/3 x {self.segment_crash_redelivery_s})"
            )
        return self

    @property
    def dev_issuer_dir(self) -> Path:
        return self.data_dir / "dev-issuer"

    @property
    def local_playback_key_path(self) -> Path:
        """The local twin's playback signing key (unless overridden)."""
        return self.playback_private_key_path or self.data_dir / "playback" / "private.pem"

    @property
    def local_accounts_path(self) -> Path:
        """The local OpenID Connect provider's accounts, written from the directory."""
        return self.data_dir / "oidc" / "accounts.json"

    @property
    def local_mail_dir(self) -> Path:
        """Where the local mail server keeps every message it receives."""
        return self.data_dir / "mail"

    @property
    def local_jwks_path(self) -> Path:
        """Where the dev issuer publishes its public keys (unless overridden)."""
        return self.jwks_path or self.dev_issuer_dir / "jwks.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Forget cached settings, so a changed environment is read again (tests, CLI)."""
    get_settings.cache_clear()
