"""Email in AWS: SES sends under a configuration set whose bounces and complaints come back
through an encrypted SNS topic to the feedback queue; each mailing function may do only that."""

from __future__ import annotations

import json
from typing import Any

from tests.infrastructure.conftest import Synthesized


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


def test_bounces_and_complaints_reach_the_feedback_queue(synthesized: Synthesized) -> None:
    (config_set,) = synthesized.resources("AWS::SES::ConfigurationSet").values()
    assert config_set["Properties"]["SuppressionOptions"] == {
        "SuppressedReasons": ["BOUNCE", "COMPLAINT"]
    }
    (destination,) = synthesized.resources("AWS::SES::ConfigurationSetEventDestination").values()
    event_destination = destination["Properties"]["EventDestination"]
    assert sorted(event_destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    topic_id = synthesized.logical_id(event_destination["SnsDestination"]["TopicARN"])
    topic = synthesized.document["Resources"][topic_id]
    assert topic["Properties"]["TopicName"] == "classreel-dev-email-feedback"
    assert "KmsMasterKeyId" in topic["Properties"]
    (subscription,) = [
        s["Properties"]
        for s in synthesized.resources("AWS::SNS::Subscription").values()
        if s["Properties"]["Protocol"] == "sqs"
    ]
    assert synthesized.logical_id(subscription["TopicArn"]) == topic_id
    assert subscription["RawMessageDelivery"] is True
    queue_id = synthesized.logical_id(subscription["Endpoint"])
    queue = synthesized.document["Resources"][queue_id]
    assert queue["Properties"]["QueueName"] == "classreel-dev-email-feedback"


def test_the_sending_domain_signs_with_dkim(synthesized: Synthesized) -> None:
    (identity,) = synthesized.resources("AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == "classreel.invalid"
    outputs = synthesized.document["Outputs"]
    assert sum(1 for name in outputs if "DkimRecord" in name) == 3


def test_only_the_email_worker_sends_and_only_as_classreel(synthesized: Synthesized) -> None:
    senders = {
        name
        for name in synthesized.functions()
        if "ses:SendEmail" in _actions(synthesized.role_statements(name))
    }
    assert senders == {"classreel-dev-send-emails"}
    (send,) = [
        s
        for s in synthesized.role_statements("classreel-dev-send-emails")
        if "ses:SendEmail" in _actions([s])
    ]
    (config_set_id,) = synthesized.resources("AWS::SES::ConfigurationSet")
    (identity_id,) = synthesized.resources("AWS::SES::EmailIdentity")
    rendered = json.dumps(send["Resource"])
    assert f':configuration-set/", {{"Ref": "{config_set_id}"}}' in rendered
    assert f':identity/", {{"Ref": "{identity_id}"}}' in rendered
    assert "*" not in rendered


def test_the_functions_know_how_to_mail(synthesized: Synthesized) -> None:
    variables = synthesized.functions()["classreel-dev-send-emails"]["Properties"]["Environment"][
        "Variables"
    ]
    assert variables["CLASSREEL_EMAIL_TRANSPORT"] == "ses"
    assert variables["CLASSREEL_EMAIL_FROM"] == "ClassReel <notifications@classreel.invalid>"
    assert variables["CLASSREEL_WEB_URL_PARAMETER"] == "/classreel-dev-web-url"
    assert variables["CLASSREEL_API_BASE_PATH"] == "/api"
    (parameter,) = synthesized.resources("AWS::SSM::Parameter").values()
    assert parameter["Properties"]["Name"] == "/classreel-dev-web-url"


def test_everything_that_relays_events_may_queue_emails(synthesized: Synthesized) -> None:
    for function in (
        "classreel-dev-api",
        "classreel-dev-relay-events",
        "classreel-dev-relay-outbox",
        "classreel-dev-cut-clips",
    ):
        sids = {s.get("Sid") for s in synthesized.role_statements(function)}
        assert "EmitEmails" in sids, function
