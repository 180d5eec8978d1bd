from __future__ import annotations

import json

import pytest

from chalicelib.ingest.events import MalformedNotification, parse_s3_notification


def _notification(key: str, *, event: str = "ObjectCreated:Put", version: str | None = None) -> str:
    obj: dict[str, object] = {"key": key, "size": 1234, "eTag": "abc123"}
    if version:
        obj["versionId"] = version
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventName": event,
                    "s3": {"bucket": {"name": "uploads"}, "object": obj},
                }
            ]
        }
    )


def test_key_is_url_decoded_with_plus_as_space() -> None:
    [created] = parse_s3_notification(_notification("raw/d/my+clip%2B1%C3%A9/source"))
    assert created.key == "raw/d/my clip+1é/source"
    assert (created.bucket, created.size, created.etag) == ("uploads", 1234, "abc123")


def test_s3_test_event_is_ignored() -> None:
    body = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "uploads"})
    assert parse_s3_notification(body) == []


def test_removal_events_are_skipped() -> None:
    assert (
        parse_s3_notification(_notification("raw/d/v/source", event="ObjectRemoved:Delete")) == []
    )


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"hello": "world"}),
        json.dumps({"Records": [{"eventName": "ObjectCreated:Put"}]}),
        json.dumps({"Records": "nope"}),
        "[" * 100_000,
    ],
)
def test_malformed_bodies_are_poison(body: str) -> None:
    with pytest.raises(MalformedNotification):
        parse_s3_notification(body)
