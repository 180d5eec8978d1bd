from __future__ import annotations

import pytest

from chalicelib.config import Settings
from chalicelib.webhooks.delivery import backoff_s
from chalicelib.webhooks.signing import sign, verify
from chalicelib.webhooks.targets import UnsafeTarget, check_target

STRICT = Settings(webhook_allow_private_targets=False)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",  # plain http
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[::1]/hook",
        "ftp://example.org/x",
        "https:///nohost",
    ],
)
def test_private_or_plain_targets_are_refused_in_aws(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        check_target(url, STRICT)


def test_the_local_twin_may_call_loopback() -> None:
    check_target("http://127.0.0.1:8080/hook", Settings(webhook_allow_private_targets=True))


def test_signature_and_replay_window() -> None:
    signature = sign("s3cret", 1000, '{"a":1}')
    assert signature.startswith("v1=")
    assert verify("s3cret", 1000, '{"a":1}', signature, now=1100)
    assert not verify("s3cret", 1000, '{"a":2}', signature, now=1100)
    assert not verify("s3cret", 1000, '{"a":1}', signature, now=5000)  # replayed later


def test_backoff_doubles_and_caps_at_sqs_limit() -> None:
    settings = Settings(webhook_retry_base_s=30)
    assert [backoff_s(n, settings) for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff_s(20, settings) == 900
