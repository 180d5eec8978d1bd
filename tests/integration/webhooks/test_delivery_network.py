"""Delivery against real sockets, loopback only: the checked address, no redirects,
coarse outcomes.

These call the delivery function in this process with a scripted resolver and a
connector that refuses anything but loopback, so no test here can ever open a
connection to a private or shared range, whatever the code under test does.
Loopback needs the local twin's relaxation (``webhook_allow_private_targets``);
the public-address rule itself is covered without any connection in
tests/unit/webhooks.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import socket
import ssl
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chalicelib.config import Settings
from chalicelib.db.base import utcnow
from chalicelib.webhooks.delivery import Network, deliver, open_socket
from chalicelib.webhooks.models import DeliveryRecord, WebhookRecord, new_delivery_id
from chalicelib.webhooks.schemas import DeliveryJob
from chalicelib.webhooks.signing import new_secret, verify
from classreel.local.stack import LocalStack
from tests.support.receiver import webhook_receiver
from tests.support.reliability_report import Report

pytestmark = pytest.mark.integration


class LoopbackOnly:
    """Connects to loopback canaries; anything else fails the test before a packet leaves."""

    def __init__(self) -> None:
        self.addresses: list[str] = []

    def __call__(self, address: str, port: int, timeout: float) -> socket.socket:
        self.addresses.append(address)
        if not ipaddress.ip_address(address).is_loopback:
            raise AssertionError(f"the delivery tried to connect to {address}")
        return open_socket(address, port, timeout)


class Answers:
    def __init__(self, *answers: Sequence[str]) -> None:
        self.answers = list(answers)
        self.lookups = 0

    def __call__(self, host: str, port: int) -> Sequence[str]:
        self.lookups += 1
        return self.answers[min(self.lookups, len(self.answers)) - 1]


@pytest.fixture
def settings(local_stack: LocalStack) -> Settings:
    # One attempt: nothing is queued for the stack's own worker to retry.
    return local_stack.settings().model_copy(
        update={
            "webhook_allow_private_targets": True,
            "webhook_max_attempts": 1,
            "webhook_timeout_s": 1.0,
        }
    )


@pytest.fixture
def district() -> Iterator[str]:
    yield f"district-net-{secrets.token_hex(3)}"


def _pending(district: str, url: str, secret: str) -> tuple[DeliveryJob, DeliveryRecord]:
    hook_id = f"wh_{secrets.token_hex(6)}"
    WebhookRecord(
        *WebhookRecord.key(district, hook_id),
        hook_id=hook_id,
        district=district,
        url=url,
        events=["video.ready"],
        secret=secret,
        created_by="admin",
    ).save()
    delivery_id = new_delivery_id()
    now = utcnow()
    record = DeliveryRecord(
        DeliveryRecord.partition(hook_id),
        f"DELIVERY#{now.isoformat()}#{delivery_id}",
        delivery_id=delivery_id,
        hook_id=hook_id,
        district=district,
        event_type="video.ready",
        body=json.dumps({"id": delivery_id, "type": "video.ready", "data": {}}),
        created_at=now,
    )
    record.save()
    return DeliveryJob(pk=record.pk, sk=record.sk), record


def _reloaded(record: DeliveryRecord) -> DeliveryRecord:
    return DeliveryRecord.get(record.pk, record.sk, consistent_read=True)


def test_rebinding_the_name_after_the_check_changes_nothing(
    settings: Settings, district: str, reliability_report: Report
) -> None:
    """First answer: the canary's loopback address; any later answer: a private one."""
    secret = new_secret()
    resolver = Answers(["127.0.0.1"], ["10.11.12.13"])
    connector = LoopbackOnly()
    with webhook_receiver() as canary:
        port = canary.url.split(":")[2].split("/")[0]
        message, record = _pending(district, f"http://hooks.example.test:{port}/in", secret)
        outcome = deliver(message, settings, Network(resolve=resolver, connect=connector))
        [arrived] = canary.wait_for(1)
    assert outcome == "delivered"
    assert resolver.lookups == 1
    assert connector.addresses == ["127.0.0.1"]
    # The name is kept for the Host header (and SNI with https).
    assert arrived.headers["Host"] == f"hooks.example.test:{port}"
    assert verify(secret, arrived.body, arrived.headers)
    assert arrived.headers["webhook-id"] == record.delivery_id == json.loads(arrived.body)["id"]
    assert _reloaded(record).status == "delivered"
    reliability_report.add("webhook name rebound after its check", trials=1, faults=1)


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(
    settings: Settings, district: str, reliability_report: Report
) -> None:
    with webhook_receiver() as target, webhook_receiver(status=302, location=target.url) as hook:
        message, record = _pending(district, hook.url, new_secret())
        connector = LoopbackOnly()
        outcome = deliver(message, settings, Network(connect=connector))
        assert hook.wait_for(1)
        assert target.received == []
    assert outcome == "failed"
    assert len(connector.addresses) == 1
    stored = _reloaded(record)
    assert stored.status == "failed"
    assert stored.last_status_code == 302
    assert stored.last_error == "HTTP 3xx: redirects are not followed"
    reliability_report.add("webhook answered with a redirect", trials=1, faults=1)


def test_connection_failures_are_recorded_coarsely(settings: Settings, district: str) -> None:
    # A port nobody listens on, and one that accepts but never answers.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        silent_port = silent.getsockname()[1]
        refused_message, refused = _pending(district, f"http://127.0.0.1:{dead_port}/h", "s")
        slow_message, slow = _pending(district, f"http://127.0.0.1:{silent_port}/h", "s")
        network = Network(connect=LoopbackOnly())
        assert deliver(refused_message, settings, network) == "failed"
        assert deliver(slow_message, settings, network) == "failed"
    assert _reloaded(refused).last_error == "could not connect"
    assert _reloaded(slow).last_error == "timed out"


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name``, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@contextmanager
def _tls_canary(cert: Path, key: Path) -> Iterator[tuple[int, list[tuple[str, str | None]]]]:
    """An HTTPS receiver on 127.0.0.1; records (Host header, SNI) of each request."""
    seen: list[tuple[str, str | None]] = []
    names: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen.append((self.headers["Host"], names[-1] if names else None))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)
    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def test_https_goes_to_the_pinned_address_with_the_name_for_sni_and_the_certificate(
    settings: Settings, district: str, tmp_path: Path
) -> None:
    cert, key = _certificate(tmp_path, "hooks.example.test")
    trusting = ssl.create_default_context(cafile=str(cert))
    with _tls_canary(cert, key) as (port, seen):
        url = f"https://hooks.example.test:{port}/in"
        message, record = _pending(district, url, new_secret())
        network = Network(resolve=Answers(["127.0.0.1"]), connect=LoopbackOnly(), tls=trusting)
        assert deliver(message, settings, network) == "delivered"
        assert seen == [(f"hooks.example.test:{port}", "hooks.example.test")]
        # A certificate for another name is refused, though the address is the same.
        other_cert, _ = _certificate(tmp_path, "other.example.test")
        message, record = _pending(district, url, new_secret())
        network = Network(
            resolve=Answers(["127.0.0.1"]),
            connect=LoopbackOnly(),
            tls=ssl.create_default_context(cafile=str(other_cert)),
        )
        assert deliver(message, settings, network) == "failed"
    assert _reloaded(record).last_error == "TLS failed (certificate or handshake)"
