"""Webhook SSRF, fuzzed: whatever a name resolves to, and however often it is asked,
a delivery connects at most once, only to the first answer of its only lookup, and
only when every address of that answer is public. No connection is ever opened:
the connector records and refuses. ``make soak`` runs more examples."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.config import Settings
from chalicelib.webhooks.delivery import Network, attempt
from chalicelib.webhooks.models import Outcome
from chalicelib.webhooks.targets import is_public_address
from tests.support.reliability_report import Report

FUZZ = settings(
    max_examples=int(os.environ.get("SOAK_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
STRICT = Settings(webhook_allow_private_targets=False)
_examples = [0]


@pytest.fixture(scope="module", autouse=True)
def _count_examples(reliability_report: Report) -> Iterator[None]:
    yield
    reliability_report.add("webhook SSRF fuzz (resolution, rebinding)", trials=_examples[0])


_NOTABLE = [
    "10.0.0.1", "100.64.0.1", "100.127.255.255", "127.0.0.1", "169.254.169.254", "172.16.0.1",
    "192.168.0.1", "0.0.0.0", "::1",  # noqa: S104  (addresses under test) "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::",
    "fd00::1", "fe80::1", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111",
]  # fmt: skip
addresses = st.one_of(
    st.sampled_from(_NOTABLE),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
    # Around the edges of the shared range 100.64.0.0/10.
    st.integers(
        int(ipaddress.ip_address("100.63.255.0")), int(ipaddress.ip_address("100.128.0.255"))
    ).map(lambda n: str(ipaddress.ip_address(n))),
)
answers = st.lists(st.lists(addresses, min_size=1, max_size=4), min_size=1, max_size=3)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, address: str, port: int, timeout: float) -> socket.socket:
        self.calls.append(address)
        raise ConnectionRefusedError("never connects")


@FUZZ
@given(script=answers)
def test_a_delivery_connects_only_to_a_checked_public_address(script: list[list[str]]) -> None:
    _examples[0] += 1
    lookups: list[str] = []

    def resolve(host: str, port: int) -> Sequence[str]:
        lookups.append(host)
        return script[min(len(lookups), len(script)) - 1]

    connector = Recorder()
    outcome, _ = attempt(
        "https://hooks.example.test/h",
        "{}",
        {},
        STRICT,
        Network(resolve=resolve, connect=connector),
    )
    assert len(lookups) == 1
    first = script[0]
    if all(is_public_address(a) for a in first):
        assert connector.calls == [first[0]]
        assert outcome is Outcome.COULD_NOT_CONNECT
    else:
        assert connector.calls == []
        assert outcome is Outcome.NOT_PUBLIC
    for address in connector.calls:
        ip = ipaddress.ip_address(address)
        assert ip.is_global and not (
            ip.version == 4 and ip in ipaddress.ip_network("100.64.0.0/10")
        )
