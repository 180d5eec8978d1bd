"""boto3 clients configured from settings: real AWS, or the local twin's endpoints.

Every module that talks to S3 or SQS gets its client here, so the endpoint, the
retry policy and the addressing style are decided once.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from chalicelib.config import Settings, get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

_lock = threading.Lock()
_clients: dict[tuple[str, str | None, str, bool], Any] = {}
_queue_urls: dict[tuple[str | None, str, str], str] = {}

# Short connect timeouts: when a dependency is down the API should answer 503
# quickly instead of hanging a request thread for a minute.
_BOTO_CONFIG = Config(
    connect_timeout=3,
    read_timeout=60,
    retries={"mode": "standard", "max_attempts": 3},
    signature_version="s3v4",
)
# Health probes must answer within a couple of seconds even when a dependency is
# gone, so they neither wait long nor retry.
_PROBE_CONFIG = Config(
    connect_timeout=1,
    read_timeout=2,
    retries={"mode": "standard", "max_attempts": 1},
    signature_version="s3v4",
)


def _client(service: str, endpoint_url: str | None, settings: Settings, probe: bool = False) -> Any:
    key = (service, endpoint_url, settings.region, probe)
    with _lock:
        client = _clients.get(key)
        if client is None:
            config = _PROBE_CONFIG if probe else _BOTO_CONFIG
            if service == "s3" and endpoint_url:
                # The local S3 lives at 127.0.0.1:port; virtual-hosted bucket
                # names cannot be resolved there.
                config = config.merge(Config(s3={"addressing_style": "path"}))
            client = boto3.session.Session().client(
                service,  # type: ignore[call-overload]
                region_name=settings.region,
                endpoint_url=endpoint_url,
                config=config,
            )
            _clients[key] = client
        return client


def s3_client(settings: Settings | None = None, *, probe: bool = False) -> S3Client:
    settings = settings or get_settings()
    client: S3Client = _client("s3", settings.s3_endpoint_url, settings, probe)
    return client


def sqs_client(settings: Settings | None = None, *, probe: bool = False) -> SQSClient:
    settings = settings or get_settings()
    client: SQSClient = _client("sqs", settings.sqs_endpoint_url, settings, probe)
    return client


def dynamodb_client(settings: Settings | None = None, *, probe: bool = False) -> DynamoDBClient:
    settings = settings or get_settings()
    client: DynamoDBClient = _client("dynamodb", settings.dynamodb_endpoint_url, settings, probe)
    return client


def secrets_client(settings: Settings | None = None) -> Any:
    """Secrets Manager (only in AWS: the playback signing key)."""
    settings = settings or get_settings()
    return _client("secretsmanager", None, settings)


def queue_url(name: str, settings: Settings | None = None) -> str:
    """A queue's URL by name, asked of SQS once per endpoint and name."""
    settings = settings or get_settings()
    key = (settings.sqs_endpoint_url, settings.region, name)
    with _lock:
        known = _queue_urls.get(key)
    if known is None:
        known = sqs_client(settings).get_queue_url(QueueName=name)["QueueUrl"]
        with _lock:
            _queue_urls[key] = known
    return known


def warm_clients(settings: Settings | None = None) -> None:
    """Create the S3, SQS and DynamoDB clients now (no request is made).

    Creating a client loads its service's model, a few hundred milliseconds of CPU.
    A Lambda environment pays that once and reuses the clients; the local runner forks
    a fresh process per invocation, so it calls this in the process it forks from.
    """
    settings = settings or get_settings()
    s3_client(settings)
    sqs_client(settings)
    dynamodb_client(settings)


def reset_clients() -> None:
    with _lock:
        _clients.clear()
        _queue_urls.clear()


# No stubs for these in the dev dependencies: they are called in one place each
# (chalicelib/mail/transport.py, chalicelib/notifications/links.py,
# chalicelib/directory/accounts.py).
def sesv2_client(settings: Settings | None = None) -> Any:
    settings = settings or get_settings()
    return _client("sesv2", None, settings)


def ssm_client(settings: Settings | None = None) -> Any:
    settings = settings or get_settings()
    return _client("ssm", None, settings)


def cognito_client(settings: Settings | None = None) -> Any:
    """Cognito user pools (in AWS: the sign-in accounts that follow the directory)."""
    settings = settings or get_settings()
    return _client("cognito-idp", settings.cognito_endpoint_url, settings)
