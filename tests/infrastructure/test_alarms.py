"""Alarms for what needs a person: dead letters, backlogs, function errors."""

from __future__ import annotations

from typing import Any

from tests.infrastructure.conftest import Synthesized


def _alarms(synthesized: Synthesized, metric: str) -> list[dict[str, Any]]:
    return [
        alarm["Properties"]
        for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == metric
    ]


def _queue_ids_watched(synthesized: Synthesized, metric: str) -> set[str]:
    watched = set()
    for alarm in _alarms(synthesized, metric):
        (dimension,) = alarm["Dimensions"]
        assert dimension["Name"] == "QueueName"
        watched.add(synthesized.logical_id(dimension["Value"]))
    return watched


def _queues(synthesized: Synthesized, *, dead_letters: bool) -> set[str]:
    return {
        logical_id
        for logical_id, queue in synthesized.resources("AWS::SQS::Queue").items()
        if queue["Properties"]["QueueName"].endswith("-dlq") == dead_letters
    }


def test_any_dead_letter_raises_an_alarm(synthesized: Synthesized) -> None:
    assert _queue_ids_watched(synthesized, "ApproximateNumberOfMessagesVisible") == _queues(
        synthesized, dead_letters=True
    )
    for alarm in _alarms(synthesized, "ApproximateNumberOfMessagesVisible"):
        assert alarm["Threshold"] == 0
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_an_old_message_in_a_work_queue_raises_an_alarm(synthesized: Synthesized) -> None:
    assert _queue_ids_watched(synthesized, "ApproximateAgeOfOldestMessage") == _queues(
        synthesized, dead_letters=False
    )


def test_every_function_has_an_errors_alarm(synthesized: Synthesized) -> None:
    watched = {
        alarm["Dimensions"][0]["Value"]
        for alarm in _alarms(synthesized, "Errors")
        if alarm["Namespace"] == "AWS/Lambda"
    }
    images = {  # container-image workers (face redaction) beside Chalice's functions
        f["Properties"]["FunctionName"]
        for f in synthesized.resources("AWS::Lambda::Function").values()
        if f["Properties"].get("PackageType") == "Image"
    }
    assert images and watched == set(synthesized.functions()) | images


def test_alarms_notify_the_topic(synthesized: Synthesized) -> None:
    # The other topic is SES's bounces and complaints (tests/infrastructure/test_email.py).
    (topic_id,) = [
        logical_id
        for logical_id, topic in synthesized.resources("AWS::SNS::Topic").items()
        if topic["Properties"]["TopicName"] == "classreel-dev-alarms"
    ]
    for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
