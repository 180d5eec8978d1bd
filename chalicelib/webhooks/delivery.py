"""The webhook Lambda: POST one delivery, record the attempt, schedule the retry.

Retries are re-sent messages with an exponential DelaySeconds (SQS caps it at
15 minutes) rather than SQS redelivery, so the backoff is ours to choose. A
delivery already delivered is skipped: receivers also dedupe on the delivery id.

Each attempt resolves the hook's host once, checks every address (targets.py),
and connects to the checked address itself, with the host name kept for the
Host header, SNI and certificate verification; a redirect is never followed.
Admins see a coarse outcome (models.Outcome); details go to our logs only.
"""

from __future__ import annotations

import functools
import http.client
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.jobs.dispatch import enqueue
from chalicelib.observability import logger
from chalicelib.webhooks.models import DeliveryRecord, DeliveryStatus, Outcome, WebhookRecord
from chalicelib.webhooks.schemas import DeliveryJob
from chalicelib.webhooks.signing import EVENT_HEADER, signed_headers
from chalicelib.webhooks.targets import (
    NotPublicAddress,
    PinnedTarget,
    Resolver,
    UnresolvableHost,
    UnsafeTarget,
    parse_target,
    pin,
    system_resolver,
)

MAX_SQS_DELAY_S = 900
# A receiver's answer is not read beyond its status line and this much body.
MAX_RESPONSE_BYTES = 64 * 1024

# (address, port, timeout) -> a connected socket.
Connector = Callable[[str, int, float], socket.socket]


def open_socket(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


@dataclass(frozen=True)
class Network:
    """How deliveries reach the world: name resolution and TCP connections.

    Tests replace both (no real DNS, never a connection outside loopback).
    """

    resolve: Resolver = system_resolver
    connect: Connector = open_socket
    # None: the system's trust store, certificate and host name verified.
    tls: ssl.SSLContext | None = None

    def tls_context(self) -> ssl.SSLContext:
        return self.tls or _system_tls()


@functools.cache
def _system_tls() -> ssl.SSLContext:
    return ssl.create_default_context()


@functools.cache
def default_network() -> Network:
    return Network()


def backoff_s(attempts: int, settings: Settings) -> int:
    return int(min(MAX_SQS_DELAY_S, settings.webhook_retry_base_s * 2 ** (attempts - 1)))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, pinned: PinnedTarget, timeout: float, network: Network) -> None:
        super().__init__(pinned.target.host, pinned.target.port, timeout=timeout)
        self._pinned = pinned
        self._network = network

    def connect(self) -> None:
        self.sock = self._network.connect(
            self._pinned.address, self._pinned.target.port, float(self.timeout or 10)
        )


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, pinned: PinnedTarget, timeout: float, network: Network) -> None:
        super().__init__(
            pinned.target.host, pinned.target.port, timeout=timeout, context=network.tls_context()
        )
        self._pinned = pinned
        self._network = network

    def connect(self) -> None:
        raw = self._network.connect(
            self._pinned.address, self._pinned.target.port, float(self.timeout or 10)
        )
        # The certificate must be valid for the name, whatever address it resolved to.
        self.sock = self._network.tls_context().wrap_socket(
            raw, server_hostname=self._pinned.target.host
        )


def post(
    pinned: PinnedTarget, body: str, headers: dict[str, str], timeout_s: float, network: Network
) -> int:
    """POST to the pinned address; the status code, redirects included (never followed)."""
    connection: http.client.HTTPConnection
    if pinned.target.scheme == "https":
        connection = _PinnedHTTPSConnection(pinned, timeout_s, network)
    else:
        connection = _PinnedHTTPConnection(pinned, timeout_s, network)
    try:
        connection.request("POST", pinned.target.path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return int(response.status)
    finally:
        connection.close()


def attempt(
    url: str, body: str, headers: dict[str, str], settings: Settings, network: Network
) -> tuple[Outcome, int | None]:
    """One attempt: resolve once, check, connect to the checked address, POST."""
    try:
        pinned = pin(parse_target(url, settings), settings, network.resolve)
    except NotPublicAddress:
        return Outcome.NOT_PUBLIC, None
    except UnresolvableHost:
        return Outcome.UNRESOLVED, None
    except UnsafeTarget:
        return Outcome.NOT_PUBLIC, None
    try:
        status = post(pinned, body, headers, settings.webhook_timeout_s, network)
    except TimeoutError:
        return Outcome.TIMED_OUT, None
    except ssl.SSLError as exc:
        logger.info("webhook TLS failure", extra={"error": type(exc).__name__})
        return Outcome.TLS_FAILED, None
    except http.client.HTTPException as exc:
        logger.info("webhook invalid response", extra={"error": type(exc).__name__})
        return Outcome.INVALID_RESPONSE, None
    except OSError as exc:
        logger.info("webhook connection failure", extra={"error": type(exc).__name__})
        return Outcome.COULD_NOT_CONNECT, None
    return Outcome.for_status(status), status


def deliver(job: DeliveryJob, settings: Settings, network: Network | None = None) -> str:
    network = network or default_network()
    try:
        delivery = DeliveryRecord.get(job.pk, job.sk, consistent_read=True)
    except DeliveryRecord.DoesNotExist:
        return "gone"
    if delivery.status != DeliveryStatus.PENDING.value:
        return "already_" + delivery.status
    try:
        hook = WebhookRecord.get(*WebhookRecord.key(delivery.district, delivery.hook_id))
    except WebhookRecord.DoesNotExist:
        _finish(delivery, DeliveryStatus.FAILED, None, Outcome.HOOK_DELETED)
        return "hook_deleted"

    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ClassReel-Webhooks/2",
        EVENT_HEADER: delivery.event_type,
        **signed_headers(
            hook.signing_secrets(utcnow()), delivery.delivery_id, timestamp, delivery.body
        ),
    }
    outcome, status = attempt(hook.url, delivery.body, headers, settings, network)
    if outcome is Outcome.DELIVERED:
        _finish(delivery, DeliveryStatus.DELIVERED, status, None)
        return "delivered"
    if outcome is Outcome.NOT_PUBLIC:
        _finish(delivery, DeliveryStatus.FAILED, None, outcome)
        return "unsafe_target"
    attempts = int(delivery.attempts) + 1
    if attempts >= settings.webhook_max_attempts:
        _finish(delivery, DeliveryStatus.FAILED, status, outcome, attempts)
        logger.warning("webhook delivery failed for good", extra={"delivery": delivery.delivery_id})
        return "failed"
    delay = backoff_s(attempts, settings)
    delivery.update(
        actions=[
            DeliveryRecord.attempts.set(attempts),
            DeliveryRecord.last_status_code.set(status)
            if status is not None
            else DeliveryRecord.last_status_code.remove(),
            DeliveryRecord.last_error.set(outcome.value),
            DeliveryRecord.next_attempt_at.set(utcnow() + timedelta(seconds=delay)),
        ]
    )
    # The retry names its district, whatever the message it replaces carried.
    retry = job.model_copy(update={"district": delivery.district})
    enqueue("webhook", retry, settings, delay_s=delay)
    return "retrying"


def _finish(
    delivery: DeliveryRecord,
    status: DeliveryStatus,
    code: int | None,
    outcome: Outcome | None,
    attempts: int | None = None,
) -> None:
    actions: list[Any] = [
        DeliveryRecord.status.set(status.value),
        DeliveryRecord.attempts.set(
            attempts if attempts is not None else int(delivery.attempts) + 1
        ),
        DeliveryRecord.next_attempt_at.remove(),
    ]
    if code is not None:
        actions.append(DeliveryRecord.last_status_code.set(code))
    if outcome is not None:
        actions.append(DeliveryRecord.last_error.set(outcome.value))
    if status is DeliveryStatus.DELIVERED:
        actions += [DeliveryRecord.delivered_at.set(utcnow()), DeliveryRecord.last_error.remove()]
    delivery.update(actions=actions)
