"""Cognito users that follow the directory (chalicelib/directory/accounts.py), against
moto's in-process Cognito (no network): invited once, kept as the directory has them,
disabled when switched off and enabled again when switched on; federated users are left to
their provider; and a directory write's event puts the people it touched on the queue."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, cast

import boto3
import pytest
from moto import mock_aws
from moto.cognitoidp.models import cognitoidp_backends

from chalicelib.config import Settings, get_settings, reset_settings_cache
from chalicelib.directory.accounts import (
    ACCOUNTS_QUEUE,
    FEDERATED_STATUS,
    SUBSCRIBER,
    CognitoAccounts,
    NoAccounts,
    people_changed,
    queue_reconciles,
    sign_in_accounts,
)
from chalicelib.directory.handler import handle_accounts_batch
from chalicelib.directory.models import PersonRecord
from chalicelib.directory.schemas import ACCOUNTS_PER_JOB, SignInAccountsJob
from chalicelib.events.models import DomainEvent
from chalicelib.jobs.queues import work_queue
from classreel.local.runner import LambdaContext, build_sqs_event

REGION = "us-east-1"


class Pool:
    """A user pool like infrastructure/constructs/identity.py's: email is the username."""

    def __init__(self) -> None:
        self.client = boto3.client("cognito-idp", region_name=REGION)
        self.id = self.client.create_user_pool(
            PoolName="classreel-test-users",
            UsernameAttributes=["email"],
            Schema=[{"Name": "district", "AttributeDataType": "String", "Mutable": True}],
        )["UserPool"]["Id"]
        self.invitations: list[dict[str, Any]] = []
        self.client.meta.events.register(
            "provide-client-params.cognito-idp.AdminCreateUser",
            lambda params, **_: self.invitations.append(params),
        )
        self.accounts = CognitoAccounts(self.client, self.id)

    def users(self) -> list[dict[str, Any]]:
        users: list[dict[str, Any]] = self.client.list_users(UserPoolId=self.id)["Users"]
        return users

    def user(self, person_id: str) -> dict[str, Any]:
        (user,) = [u for u in self.users() if _attributes(u).get("preferred_username") == person_id]
        return user

    def make_federated(self, username: str) -> None:
        """What Cognito makes at a first Google or SAML sign-in (moto cannot federate)."""
        backend = cognitoidp_backends["123456789012"][REGION]
        backend.user_pools[self.id].users[username].status = FEDERATED_STATUS


def _attributes(user: dict[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user.get("Attributes", [])}


@pytest.fixture
def pool() -> Iterator[Pool]:
    with mock_aws():
        yield Pool()


def _person(person_id: str = "p-ana", **fields: Any) -> PersonRecord:
    values: dict[str, Any] = {
        "given_name": "Ana",
        "family_name": "Rivera",
        "email": f"{person_id}@lakeside.example.org",
        "roles": {"teacher"},
        "active": True,
        **fields,
    }
    return PersonRecord(
        *PersonRecord.key("lakeside", person_id),
        person_id=person_id,
        district="lakeside",
        **values,
    )


def test_a_new_person_is_invited_by_email_with_the_directorys_attributes(pool: Pool) -> None:
    assert pool.accounts.reconcile(_person()) == "invited"
    (invitation,) = pool.invitations
    assert invitation["Username"] == "p-ana@lakeside.example.org"
    assert invitation["DesiredDeliveryMediums"] == ["EMAIL"]
    user = pool.user("p-ana")
    assert _attributes(user) == {
        **_attributes(user),
        "email": "p-ana@lakeside.example.org",
        "email_verified": "true",
        "name": "Ana Rivera",
        "custom:district": "lakeside",
    }
    assert user["Enabled"] is True and user["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_reconciling_again_changes_nothing_and_invites_nobody_twice(pool: Pool) -> None:
    person = _person()
    pool.accounts.sync(created=[person], updated=[], deactivated=[])
    assert pool.accounts.reconcile(person) == "unchanged"
    assert len(pool.invitations) == 1 and len(pool.users()) == 1


def test_a_new_email_and_name_reach_the_same_user_still_verified(pool: Pool) -> None:
    pool.accounts.reconcile(_person())
    username = pool.user("p-ana")["Username"]
    moved = _person(email="ana.rivera@lakeside.example.org", given_name="Anabel")
    outcome = pool.accounts.reconcile(moved)
    assert outcome == "updated email,email_verified,name"
    user = pool.user("p-ana")
    assert user["Username"] == username
    assert _attributes(user)["email"] == "ana.rivera@lakeside.example.org"
    assert _attributes(user)["email_verified"] == "true"
    assert _attributes(user)["name"] == "Anabel Rivera"
    assert len(pool.invitations) == 1


def test_switched_off_is_disabled_and_switched_on_again_enabled_without_a_new_invitation(
    pool: Pool,
) -> None:
    pool.accounts.reconcile(_person())
    pool.accounts.sync(created=[], updated=[], deactivated=[_person(active=False)])
    assert pool.user("p-ana")["Enabled"] is False
    assert pool.accounts.reconcile(_person(active=True)) == "enabled"
    assert pool.user("p-ana")["Enabled"] is True
    assert len(pool.invitations) == 1 and len(pool.users()) == 1


def test_people_without_an_email_or_switched_off_get_no_account(pool: Pool) -> None:
    assert pool.accounts.reconcile(_person("p-noemail", email=None)) == "no account"
    assert pool.accounts.reconcile(_person("p-gone", active=False)) == "no account"
    assert pool.users() == [] and pool.invitations == []


def test_a_person_whose_email_is_removed_loses_their_password_account(pool: Pool) -> None:
    pool.accounts.reconcile(_person())
    assert pool.accounts.reconcile(_person(email=None)) == "disabled"
    assert pool.user("p-ana")["Enabled"] is False


def test_a_user_made_by_hand_before_the_directory_is_adopted_not_invited_again(
    pool: Pool,
) -> None:
    """docs/deploy.md used to create users with `aws cognito-idp admin-create-user`."""
    pool.client.admin_create_user(
        UserPoolId=pool.id,
        Username="p-ana@lakeside.example.org",
        UserAttributes=[{"Name": "email", "Value": "p-ana@lakeside.example.org"}],
        MessageAction="SUPPRESS",
    )
    pool.invitations.clear()
    outcome = pool.accounts.reconcile(_person())
    assert outcome.startswith("updated")
    (user,) = pool.users()
    assert _attributes(user)["preferred_username"] == "p-ana"
    assert _attributes(user)["custom:district"] == "lakeside"
    assert len(pool.invitations) == 1  # the one refused as existing: no second user
    assert pool.accounts.reconcile(_person()) == "unchanged"


def test_federated_users_are_left_to_their_provider(pool: Pool) -> None:
    """A user Cognito made at a Google or SAML sign-in is never changed or disabled here,
    even if a provider's attribute mapping wrote the directory id."""
    pool.client.admin_create_user(
        UserPoolId=pool.id,
        Username="p-ana@lakeside.example.org",
        UserAttributes=[
            {"Name": "email", "Value": "p-ana@lakeside.example.org"},
            {"Name": "preferred_username", "Value": "p-ana"},
        ],
        MessageAction="SUPPRESS",
    )
    (user,) = pool.users()
    pool.make_federated(user["Username"])
    pool.invitations.clear()
    for person in (_person(active=False), _person(given_name="Renamed")):
        assert pool.accounts.reconcile(person) == "federated: left to its provider"
    (user,) = pool.users()
    assert user["Enabled"] is True and "name" not in _attributes(user)
    assert pool.invitations == []


def test_the_list_users_filter_finds_exactly_the_person(pool: Pool) -> None:
    """ListUsers filters on standard attributes with = and ^= (a prefix): an exact match on
    preferred_username must not find p-ana-2 for p-ana."""
    pool.accounts.reconcile(_person("p-ana-2"))
    assert pool.accounts.reconcile(_person("p-ana")) == "invited"
    assert len(pool.users()) == 2
    with pytest.raises(ValueError, match="cannot be searched"):
        pool.accounts.reconcile(_person('p"ana'))


# --- after a directory write: its event puts the people it touched on the queue ----------


@pytest.fixture
def cognito_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """This process set up as the relay is in AWS, with password accounts kept in Cognito."""
    monkeypatch.setenv("CLASSREEL_SIGN_IN_ACCOUNTS", "cognito")
    monkeypatch.setenv("CLASSREEL_COGNITO_USER_POOL_ID", "us-east-1_x")
    reset_settings_cache()
    yield get_settings()
    reset_settings_cache()


def _queued(settings: Settings, deliver: Callable[[], None]) -> list[SignInAccountsJob]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name=settings.region)
        url = sqs.create_queue(QueueName=work_queue(ACCOUNTS_QUEUE, settings).name(settings))[
            "QueueUrl"
        ]
        deliver()
        bodies = []
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
            bodies += [json.loads(m["Body"]) for m in batch]
            for message in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [SignInAccountsJob.model_validate(body) for body in bodies]


def _relay(event: DomainEvent) -> None:
    # It records no steps of its own: a message sent twice is harmless (see the worker).
    SUBSCRIBER.deliver(event, cast("Any", None))


def test_a_directory_event_queues_the_people_it_touched_25_to_a_message(
    cognito_settings: Settings,
) -> None:
    ids = [f"p-{n:03}" for n in range(40)]
    jobs = _queued(cognito_settings, lambda: _relay(people_changed("lakeside", ids)))
    assert [len(job.person_ids) for job in jobs] == [ACCOUNTS_PER_JOB, 40 - ACCOUNTS_PER_JOB]
    assert {job.district for job in jobs} == {"lakeside"}
    assert sorted(p for job in jobs for p in job.person_ids) == ids


def test_other_events_and_stages_without_password_accounts_queue_nothing(
    cognito_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = DomainEvent("comment.created", "lakeside", {"person_ids": ["p-1"]})
    assert _queued(cognito_settings, lambda: _relay(other)) == []
    monkeypatch.setenv("CLASSREEL_SIGN_IN_ACCOUNTS", "none")
    reset_settings_cache()
    assert _queued(cognito_settings, lambda: _relay(people_changed("lakeside", ["p-1"]))) == []


def test_the_api_leaves_cognito_to_the_outbox(cognito_settings: Settings) -> None:
    # Sending from the request could be lost to a crash after the commit; the event cannot.
    assert isinstance(sign_in_accounts(cognito_settings), NoAccounts)


def test_the_cli_queues_its_admin_even_when_they_were_there_already(
    cognito_settings: Settings,
) -> None:
    jobs = _queued(
        cognito_settings, lambda: queue_reconciles("lakeside", ["p-ana"], cognito_settings)
    )
    assert [(job.district, job.person_ids) for job in jobs] == [("lakeside", ["p-ana"])]


def test_a_stage_that_keeps_no_password_accounts_lets_the_messages_go() -> None:
    """A federated stage (passwordSignIn=false) has the worker but no pool users to keep:
    `classreel directory add-admin` still queues its admin, and nothing fails."""
    job = SignInAccountsJob(district="lakeside", person_ids=["p-ana"])
    message: Any = {
        "MessageId": "m-1",
        "ReceiptHandle": "r-1",
        "Body": job.model_dump_json(),
        "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1718000000000"},
    }
    event = build_sqs_event([message], "arn:aws:sqs:us-east-1:1:classreel-accounts", REGION)
    result = handle_accounts_batch(event, LambdaContext("sync-sign-in-accounts", 120))
    assert result == {"batchItemFailures": []}
