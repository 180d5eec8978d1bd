"""In AWS a roster import also creates or disables the Cognito users: the sign-in accounts
worker (app.py ``sync_sign_in_accounts``) reads the people a message names from the
directory as they are now and reconciles their users. Here it runs in this process on an
SQS event as Lambda delivers it, against the local twin's directory (DynamoDB Local) and a
user pool made in the local twin's moto server, after imports through the API, and after a
change whose request died before it relayed its event."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from chalicelib import aws
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings, reset_settings_cache
from chalicelib.directory import service
from chalicelib.directory.accounts import ACCOUNTS_QUEUE, PEOPLE_CHANGED
from chalicelib.directory.handler import THROTTLED_RETRY_S, handle_accounts_batch
from chalicelib.directory.schemas import ACCOUNTS_PER_JOB, SignInAccountsJob
from chalicelib.events import outbox, relay
from chalicelib.events.models import OutboxRecord
from chalicelib.orchestration.subscribers import SUBSCRIBERS
from classreel.local.runner import LambdaContext, build_sqs_event
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.roster_bundle import Staff, district

pytestmark = pytest.mark.integration


@dataclass
class Pool:
    client: Any
    id: str

    def users(self) -> dict[str, dict[str, Any]]:
        """The pool's users by directory id (preferred_username)."""
        found: dict[str, dict[str, Any]] = {}
        for page in self.client.get_paginator("list_users").paginate(UserPoolId=self.id):
            for user in page["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user["Attributes"]}
                found[attributes.get("preferred_username", "")] = {**user, **attributes}
        return found


@pytest.fixture
def pool(local_stack: LocalStack) -> Iterator[Pool]:
    """A pool shaped like the stack's, and this process's settings pointed at it as the
    sign-in accounts function's are in AWS."""
    settings = local_stack.settings()
    client = boto3.client(
        "cognito-idp", endpoint_url=local_stack.moto_url, region_name=settings.region
    )
    pool_id = client.create_user_pool(
        PoolName=f"users-{secrets.token_hex(4)}",
        UsernameAttributes=["email"],
        Schema=[{"Name": "district", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]["Id"]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CLASSREEL_SIGN_IN_ACCOUNTS", "cognito")
        env.setenv("CLASSREEL_COGNITO_USER_POOL_ID", pool_id)
        env.setenv("CLASSREEL_COGNITO_ENDPOINT_URL", local_stack.moto_url)
        reset_settings_cache()
        yield Pool(client, pool_id)
    reset_settings_cache()


def _event(district_id: str, person_ids: list[str]) -> dict[str, Any]:
    """What QueuedAccounts sends, as Lambda's SQS event hands it to the worker."""
    job = SignInAccountsJob(district=district_id, person_ids=person_ids)
    message: Any = {
        "MessageId": f"m-{secrets.token_hex(4)}",
        "ReceiptHandle": "r-1",
        "Body": job.model_dump_json(),
        "Attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": str(int(time.time() * 1000)),
        },
    }
    arn = f"arn:aws:sqs:us-east-1:123456789012:classreel-{ACCOUNTS_QUEUE}"
    return build_sqs_event([message], arn, "us-east-1")


def _handle(event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = handle_accounts_batch(
        event, LambdaContext("sync-sign-in-accounts", 120)
    )
    return result


def _deliver(district_id: str, person_ids: list[str]) -> None:
    for i in range(0, len(person_ids), ACCOUNTS_PER_JOB):
        result = _handle(_event(district_id, person_ids[i : i + ACCOUNTS_PER_JOB]))
        assert result == {"batchItemFailures": []}, json.dumps(result)


def _import(admin: Api, files: dict[str, str]) -> dict[str, Any]:
    dry: dict[str, Any] = admin.ok("POST", "/directory/imports", json={"files": files})
    admin.ok(
        "POST",
        "/directory/imports",
        json={"files": files, "apply": True, "digest": dry["digest"]},
    )
    return dry


def test_an_import_invites_its_people_and_a_later_one_disables_who_left(
    api_as: Callable[..., Api], pool: Pool
) -> None:
    name = f"d-{secrets.token_hex(4)}"
    admin = api_as("admin-1", Role.ADMIN, district=name, school=None)
    made = district(schools=2, staff=30, domain=f"{name}.example")
    first = _import(admin, made.files("1.2"))
    _deliver(name, [p["id"] for p in first["creates"]])
    users = pool.users()
    assert set(users) == {p["id"] for p in first["creates"]}
    ana = users["u-00001"]
    assert ana["email"] == f"u-00001@{name}.example" and ana["email_verified"] == "true"
    assert ana["custom:district"] == name and ana["Enabled"] is True
    assert ana["name"] == f"{made.staff['u-00001'].given} {made.staff['u-00001'].family}"
    moving = users["u-00002"]["Username"]

    made.staff["u-00002"].email = f"moved@{name}.example"
    made.staff["u-00003"].enabled = False
    del made.staff["u-00004"]
    made.staff["new-1"] = Staff(
        "new-1", "Newt", "Hire", f"new-1@{name}.example", "teacher", ["sch-001"]
    )
    second = _import(admin, made.files("1.2"))
    touched = [p["id"] for part in ("creates", "updates", "deactivations") for p in second[part]]
    assert sorted(touched) == ["new-1", "u-00002", "u-00003", "u-00004"]
    _deliver(name, touched)
    users = pool.users()
    assert users["u-00002"]["email"] == f"moved@{name}.example"
    assert users["u-00002"]["Username"] == moving, "the same user, with the new email"
    assert users["u-00003"]["Enabled"] is False and users["u-00004"]["Enabled"] is False
    assert users["new-1"]["Enabled"] is True
    assert len(users) == 31, "nobody is made twice"

    # Handled again (SQS delivers at least once), the same messages change nothing.
    _deliver(name, touched)
    assert pool.users() == users


def test_a_throttled_message_comes_back_in_a_minute(api_as: Callable[..., Api], pool: Pool) -> None:
    """Cognito's request rates are per pool, shared with everyone signing in: a throttled
    message is retried a minute later, not after the whole visibility timeout."""
    name = f"d-{secrets.token_hex(4)}"
    admin = api_as("admin-1", Role.ADMIN, district=name, school=None)
    _import(admin, district(schools=1, staff=2, domain=f"{name}.example").files("1.2"))
    throttled = {"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}}
    delays: list[int] = []

    def throttle(**_: Any) -> tuple[Any, dict[str, Any]]:
        return AWSResponse("https://cognito-idp", 400, HTTPHeaders(), None), throttled

    def record(params: dict[str, Any], **_: Any) -> None:
        delays.append(params["VisibilityTimeout"])

    cognito = aws.cognito_client(get_settings()).meta.events
    sqs = aws.sqs_client(get_settings()).meta.events
    cognito.register("before-call.cognito-idp.ListUsers", throttle)
    sqs.register("provide-client-params.sqs.ChangeMessageVisibility", record)
    try:
        event = _event(name, ["u-00000", "u-00001"])
        result = _handle(event)
    finally:
        cognito.unregister("before-call.cognito-idp.ListUsers", throttle)
        sqs.unregister("provide-client-params.sqs.ChangeMessageVisibility", record)
    (message,) = event["Records"]
    assert result == {"batchItemFailures": [{"itemIdentifier": message["messageId"]}]}
    assert delays == [THROTTLED_RETRY_S]
    assert pool.users() == {}


def test_a_change_whose_request_died_before_relaying_still_reaches_cognito(pool: Pool) -> None:
    """The person and the event that names them commit together; the request dies before it
    relays anything (nothing is queued); a later relay (the stream or the sweep in AWS)
    queues them, and the worker invites them."""
    name = f"d-{secrets.token_hex(4)}"
    outbox.take_written()
    service.ensure_person(name, "t-1", Role.TEACHER, None, "Tia Tester", email=f"t-1@{name}.ex")
    # The crash: what the request wrote is never handed to its relay. (The shared stack's own
    # sweep leaves events younger than its grace, 5 s, to the request's relay: this one.)
    written = outbox.take_written()
    stored = [OutboxRecord.get(*key, consistent_read=True) for key in written]
    changed = [item.data["person_ids"] for item in stored if item.event_type == PEOPLE_CHANGED]
    assert changed == [["t-1"]]
    assert pool.users() == {}

    # The messages are kept here, not sent to the shared stack's queue: its runner, set up
    # without Cognito, would let them go.
    held: list[dict[str, Any]] = []

    def keep(params: dict[str, Any], **_: Any) -> None:
        held.extend(params["Entries"])

    def answer(**_: Any) -> tuple[Any, dict[str, Any]]:
        sent = [{"Id": e["Id"], "MessageId": e["Id"], "MD5OfMessageBody": ""} for e in held]
        return AWSResponse("https://sqs", 200, HTTPHeaders(), None), {"Successful": sent}

    # Typed hooks allow no return value; a before-call hook's return is the response.
    sqs: Any = aws.sqs_client(get_settings()).meta.events
    sqs.register("provide-client-params.sqs.SendMessageBatch", keep)
    sqs.register("before-call.sqs.SendMessageBatch", answer)
    try:
        outcome = relay.Relay(SUBSCRIBERS).relay(written)
    finally:
        sqs.unregister("provide-client-params.sqs.SendMessageBatch", keep)
        sqs.unregister("before-call.sqs.SendMessageBatch", answer)
    assert outcome.failed == 0 and outcome.relayed >= 1, outcome.errors
    jobs = [SignInAccountsJob.model_validate_json(entry["MessageBody"]) for entry in held]
    assert [(job.district, job.person_ids) for job in jobs] == [(name, ["t-1"])]
    _deliver(name, ["t-1"])
    user = pool.users()["t-1"]
    assert user["email"] == f"t-1@{name}.ex" and user["custom:district"] == name
