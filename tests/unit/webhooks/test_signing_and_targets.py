from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

from chalicelib.config import Settings
from chalicelib.webhooks.delivery import Network, attempt, backoff_s
from chalicelib.webhooks.models import Outcome, WebhookRecord
from chalicelib.webhooks.signing import new_secret, signed_headers, signing_key, verify
from chalicelib.webhooks.targets import (
    NotPublicAddress,
    UnsafeTarget,
    check_target,
    is_public_address,
)

STRICT = Settings(webhook_allow_private_targets=False)
PUBLIC = "93.184.215.14"


class NoConnections:
    """A connector that records what it was asked and never opens anything."""

    def __init__(self, error: OSError | None = None) -> None:
        self.calls: list[tuple[str, int]] = []
        self.error = error or ConnectionRefusedError("refused by the test")

    def __call__(self, address: str, port: int, timeout: float) -> socket.socket:
        self.calls.append((address, port))
        raise self.error


class Answers:
    """A resolver that answers from a script, one answer per lookup, and counts lookups."""

    def __init__(self, *answers: Sequence[str]) -> None:
        self.answers = list(answers)
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> Sequence[str]:
        self.lookups.append(host)
        return self.answers[min(len(self.lookups), len(self.answers)) - 1]


def _no_resolution(host: str, port: int) -> Sequence[str]:
    raise AssertionError(f"{host} must not be resolved")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",  # plain http
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://100.64.0.1/hook",  # shared address space (carrier-grade NAT)
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "ftp://example.org/x",
        "https:///nohost",
        "https://user:pw@example.org/hook",
        "https://example.org:99999/hook",
    ],
)
def test_private_plain_or_malformed_targets_are_refused_in_aws(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        check_target(url, STRICT, _no_resolution)


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0",  # noqa: S104  (an address under test, not a bind)
        "10.0.0.1",
        "100.64.0.1",
        "100.127.255.254",
        "127.0.0.1",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.1",
        "192.0.2.1",
        "192.168.1.1",
        "198.18.0.1",
        "198.51.100.1",
        "203.0.113.1",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "::ffff:10.0.0.1",
        "::ffff:8.8.8.8",  # mapped: refused whatever it embeds
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2001::1",  # Teredo
        "2001:db8::1",
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "fe80::1%eth0",
        "ff02::1",
        "not-an-address",
    ],
)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", PUBLIC, "2606:4700:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


def test_the_local_twin_may_call_loopback() -> None:
    check_target("http://127.0.0.1:8080/hook", Settings(webhook_allow_private_targets=True))


@pytest.mark.parametrize(
    "answer",
    [
        [PUBLIC, "10.0.0.7"],  # one private address among public ones is enough
        ["100.64.12.34"],
        ["2606:4700:4700::1111", "fd00::5"],
        ["::ffff:192.168.0.10"],
    ],
)
def test_a_name_resolving_anywhere_private_is_refused_before_any_connection(
    answer: list[str],
) -> None:
    connector = NoConnections()
    network = Network(resolve=Answers(answer), connect=connector)
    outcome, status = attempt("https://hooks.example.test/h", "{}", {}, STRICT, network)
    assert (outcome, status) == (Outcome.NOT_PUBLIC, None)
    assert connector.calls == []
    with pytest.raises(NotPublicAddress):
        check_target("https://hooks.example.test/h", STRICT, Answers(answer))


def test_dns_rebinding_connects_to_the_address_that_was_checked() -> None:
    # The first answer is public, any later one private: one lookup, and the
    # connection goes to the checked address (the test connector opens nothing).
    resolver = Answers([PUBLIC], ["10.0.0.7"])
    connector = NoConnections()
    outcome, _ = attempt(
        "https://hooks.example.test:8443/h",
        "{}",
        {},
        STRICT,
        Network(resolve=resolver, connect=connector),
    )
    assert resolver.lookups == ["hooks.example.test"]
    assert connector.calls == [(PUBLIC, 8443)]
    assert outcome is Outcome.COULD_NOT_CONNECT


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (ConnectionRefusedError(111, "Connection refused"), Outcome.COULD_NOT_CONNECT),
        (OSError(113, "No route to host"), Outcome.COULD_NOT_CONNECT),
        (TimeoutError("timed out"), Outcome.TIMED_OUT),
    ],
)
def test_admins_see_coarse_outcomes_never_socket_text(error: OSError, outcome: Outcome) -> None:
    network = Network(resolve=Answers([PUBLIC]), connect=NoConnections(error))
    assert attempt("https://hooks.example.test/h", "{}", {}, STRICT, network) == (outcome, None)


def test_unresolvable_names_are_reported_as_such() -> None:
    def fail(host: str, port: int) -> Sequence[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    connector = NoConnections()
    network = Network(resolve=fail, connect=connector)
    assert attempt("https://nowhere.test/h", "{}", {}, STRICT, network)[0] is Outcome.UNRESOLVED
    assert connector.calls == []


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (200, "delivered"),
        (204, "delivered"),
        (301, "HTTP 3xx: redirects are not followed"),
        (307, "HTTP 3xx: redirects are not followed"),
        (404, "HTTP 4xx"),
        (503, "HTTP 5xx"),
        (99, "unexpected HTTP status"),
    ],
)
def test_status_codes_become_outcomes(status: int, shown: str) -> None:
    assert Outcome.for_status(status).value == shown


def test_stored_raw_errors_are_never_shown() -> None:
    raw = "ConnectionRefusedError: [Errno 111] Connection refused (10.0.0.5:6379)"
    assert Outcome.shown(raw) == "could not connect"
    assert Outcome.shown("HTTP 500") == "HTTP 5xx"  # written before outcomes were coarse
    assert Outcome.shown("timed out") == "timed out"
    assert Outcome.shown(None) is None


def test_standard_webhooks_signature_signs_the_delivery_id() -> None:
    secret = new_secret()
    body = '{"id":"dlv_1","type":"video.ready"}'
    headers = signed_headers([secret], "dlv_1", int(time.time()), body)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    # What a receiver does with the official library and the secret shown once.
    assert Webhook(secret).verify(body, headers, json_parse=False) is None
    assert verify(secret, body, headers)
    assert not verify(secret, body, {**headers, "webhook-id": "dlv_2"})  # the id is signed
    assert not verify(secret, body.replace("ready", "failed"), headers)
    assert not verify(new_secret(), body, headers)
    stale = signed_headers([secret], "dlv_1", int(time.time()) - 3600, body)
    assert not verify(secret, body, stale)  # replayed later


def test_secrets_are_32_random_bytes_in_base64() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert signing_key(secret) == base64.b64decode(secret.removeprefix("whsec_"))
    # A secret of the earlier format (url-safe text) signs with its text.
    legacy = "whsec_ab-cd_ef"
    assert signing_key(legacy) == legacy.encode()


def test_after_a_rotation_both_secrets_sign_until_the_overlap_ends() -> None:
    old, new = new_secret(), new_secret()
    now = datetime.now(UTC)
    hook = WebhookRecord(
        "p",
        "s",
        secret=new,
        previous_secret=old,
        previous_secret_expires_at=now + timedelta(hours=1),
    )
    keys = hook.signing_secrets(now)
    assert keys == [new, old]
    body = json.dumps({"id": "dlv_9"})
    headers = signed_headers(keys, "dlv_9", int(time.time()), body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert verify(old, body, headers) and verify(new, body, headers)
    assert hook.signing_secrets(now + timedelta(hours=2)) == [new]


def test_backoff_doubles_and_caps_at_sqs_limit() -> None:
    settings = Settings(webhook_retry_base_s=30)
    assert [backoff_s(n, settings) for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff_s(20, settings) == 900
