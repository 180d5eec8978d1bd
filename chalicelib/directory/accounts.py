"""Sign-in accounts that follow the directory: who may sign in with a password.

The directory decides who may do what; an identity provider only proves who someone is.
Where the provider keeps accounts of its own (Cognito's users in AWS; the local OpenID
Connect provider's accounts file on `make run`), people the directory gains get an account
and people it switches off have theirs disabled, whether the change came from an admin or
a roster import. In AWS every directory write stores a ``directory.people_changed`` event
in the same transaction (chalicelib/directory/writes.py); the relay hands it to
``SUBSCRIBER``, which puts the people it names on the sign-in accounts queue, and its worker
reconciles their Cognito users (``CognitoAccounts``). So a crash between the write and the
queue cannot leave an account behind: the event waits in the outbox until it is delivered.
People who sign in through the district's Google, Microsoft or SAML provider need none of
this: they are matched by email, and refused by the API when the directory has switched
them off.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from chalicelib import aws
from chalicelib.auth.principal import DISTRICT_CLAIM
from chalicelib.config import Settings, get_settings
from chalicelib.directory.models import PersonRecord
from chalicelib.directory.schemas import ACCOUNTS_PER_JOB, SignInAccountsJob
from chalicelib.events.models import DomainEvent
from chalicelib.events.relay import Steps
from chalicelib.jobs import dispatch

# The sign-in accounts queue's key in the registry (chalicelib/jobs/queues.py).
ACCOUNTS_QUEUE = "accounts"
# Stored with every directory write, in its transaction: the people it touched.
PEOPLE_CHANGED = "directory.people_changed"


def people_changed(district: str, person_ids: Sequence[str]) -> DomainEvent:
    return DomainEvent(PEOPLE_CHANGED, district, {"person_ids": list(person_ids)})


class SignInAccounts(Protocol):
    def sync(
        self,
        *,
        created: Sequence[PersonRecord],
        updated: Sequence[PersonRecord],
        deactivated: Sequence[PersonRecord],
    ) -> None: ...


class NoAccounts:
    """Nobody to keep in step (tests, a stage that only federates)."""

    def sync(
        self,
        *,
        created: Sequence[PersonRecord],
        updated: Sequence[PersonRecord],
        deactivated: Sequence[PersonRecord],
    ) -> None:
        return None


class LocalProviderAccounts:
    """The local OpenID Connect provider's accounts file (classreel/local/oidc/provider.mjs
    reads it at every sign-in and refresh): one entry per person with an email."""

    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self._path = path

    def sync(
        self,
        *,
        created: Sequence[PersonRecord],
        updated: Sequence[PersonRecord],
        deactivated: Sequence[PersonRecord],
    ) -> None:
        changed = [*created, *updated, *deactivated]
        if not changed:
            return
        with self._lock, _file_lock(self._path):
            people = self._read()
            for person in changed:
                if person.email:
                    people[person.person_id] = {
                        "sub": person.person_id,
                        "email": person.email,
                        "name": person.display_name,
                        "given_name": person.given_name,
                        "family_name": person.family_name,
                        "district": person.district,
                        "enabled": bool(person.active),
                    }
                else:
                    people.pop(person.person_id, None)
            self._write(people)

    def _read(self) -> dict[str, Any]:
        try:
            document = json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}
        people: dict[str, Any] = document.get("people", {})
        return people

    def _write(self, people: dict[str, Any]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"people": people}, indent=1))
        # The provider reads a whole file or the previous one, never half of one.
        tmp.replace(self._path)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Between processes too (the API server's threads, a test, the stack)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# What Cognito calls a user it made at a first sign-in through Google, Microsoft or SAML.
FEDERATED_STATUS = "EXTERNAL_PROVIDER"
# Where a pool user's directory id is kept: a standard attribute (ListUsers can filter on
# standard attributes only) that nothing but this code writes (not the app client, not a
# provider's attribute mapping), so a change of email still reaches the same user.
DIRECTORY_ID_ATTRIBUTE = "preferred_username"
_VERIFIED = "email_verified"


@dataclass(frozen=True)
class PoolUser:
    """A user of the pool as ListUsers / AdminGetUser describe it."""

    username: str
    attributes: dict[str, str]
    enabled: bool
    status: str

    @classmethod
    def from_listing(cls, user: dict[str, Any]) -> PoolUser:
        attributes = user.get("Attributes", user.get("UserAttributes", []))
        return cls(
            username=str(user["Username"]),
            attributes={a["Name"]: a.get("Value", "") for a in attributes},
            enabled=bool(user.get("Enabled", True)),
            status=str(user.get("UserStatus", "")),
        )

    @property
    def federated(self) -> bool:
        return self.status == FEDERATED_STATUS or "identities" in self.attributes


class CognitoAccounts:
    """The Cognito user pool's own users (password sign-in, invited by email), made to
    match the directory: each person is reconciled with what the directory says now.

    A person with an email who is switched on has a user: invited (Cognito mails a
    temporary password) when new, their email, name and district kept as the directory
    has them, enabled. Anyone else's user, if they have one, is disabled (never deleted:
    switched on again, they sign in with the password they had). Users made by Cognito at
    a first sign-in through the district's identity provider are not ours to make, change
    or disable: the API refuses those people itself once the directory switches them off.
    Every step is idempotent, so a message handled twice (or cut off halfway and handled
    again) ends the same.
    """

    def __init__(self, client: Any, user_pool_id: str) -> None:
        self._client = client
        self._pool = user_pool_id

    def sync(
        self,
        *,
        created: Sequence[PersonRecord],
        updated: Sequence[PersonRecord],
        deactivated: Sequence[PersonRecord],
    ) -> None:
        for person in [*created, *updated, *deactivated]:
            self.reconcile(person)

    def reconcile(self, person: PersonRecord) -> str:
        """Make ``person``'s user match the directory; says what was done (for the log)."""
        wanted = bool(person.active) and bool(person.email)
        user = self._find(person.person_id)
        if user is None and wanted:
            user = self._invite(person)
            if user is None:
                return "invited"
        if user is None:
            return "no account"
        if user.federated:
            return "federated: left to its provider"
        done = []
        changes = _changed(user.attributes, _attributes(person)) if person.email else []
        if changes:
            self._client.admin_update_user_attributes(
                UserPoolId=self._pool, Username=user.username, UserAttributes=changes
            )
            done.append("updated " + ",".join(sorted(c["Name"] for c in changes)))
        if wanted and not user.enabled:
            self._client.admin_enable_user(UserPoolId=self._pool, Username=user.username)
            done.append("enabled")
        elif not wanted and user.enabled:
            self._client.admin_disable_user(UserPoolId=self._pool, Username=user.username)
            done.append("disabled")
        return "; ".join(done) or "unchanged"

    def _invite(self, person: PersonRecord) -> PoolUser | None:
        """A new user, invited by email (None); or the one the pool already has for this
        email (made by hand before the directory, or by an earlier try of this message
        that ListUsers does not show yet), to be adopted."""
        email = str(person.email)
        try:
            self._client.admin_create_user(
                UserPoolId=self._pool,
                Username=email,
                UserAttributes=_attributes(person),
                DesiredDeliveryMediums=["EMAIL"],
            )
        except self._client.exceptions.UsernameExistsException:
            found = self._client.admin_get_user(UserPoolId=self._pool, Username=email)
            return PoolUser.from_listing(found)
        return None

    def _find(self, person_id: str) -> PoolUser | None:
        if '"' in person_id or "\\" in person_id:
            raise ValueError(f"a directory id cannot be searched for: {person_id!r}")
        found = self._client.list_users(
            UserPoolId=self._pool, Filter=f'{DIRECTORY_ID_ATTRIBUTE} = "{person_id}"'
        )["Users"]
        users = [PoolUser.from_listing(user) for user in found]
        # Ours first: a provider's mapping should never write the attribute, but if one
        # does, its user is not the password account.
        users.sort(key=lambda user: user.federated)
        return users[0] if users else None


def _attributes(person: PersonRecord) -> list[dict[str, str]]:
    return [
        {"Name": "email", "Value": str(person.email)},
        # The directory's email is the district's: no code is mailed to confirm it.
        {"Name": _VERIFIED, "Value": "true"},
        {"Name": "name", "Value": person.display_name},
        {"Name": DIRECTORY_ID_ATTRIBUTE, "Value": person.person_id},
        {"Name": DISTRICT_CLAIM, "Value": person.district},
    ]


def _changed(current: dict[str, str], wanted: list[dict[str, str]]) -> list[dict[str, str]]:
    """Only what differs: setting an email to itself would still ask Cognito to check that
    nobody else has it."""
    changes = [a for a in wanted if current.get(a["Name"]) != a["Value"]]
    if any(a["Name"] == "email" for a in changes) and not any(
        a["Name"] == _VERIFIED for a in changes
    ):
        # A new email is unverified unless said otherwise in the same call.
        changes.append({"Name": _VERIFIED, "Value": "true"})
    return changes


def queue_reconciles(district: str, person_ids: Sequence[str], settings: Settings) -> None:
    """Put people on the sign-in accounts queue, 25 to a message, for its worker to
    reconcile with Cognito (``CognitoAccounts``). A roster import of 2,000 people makes 80
    messages; the Cognito calls (thousands, at Cognito's request rates) could not fit in
    an API request, and a throttled or failed one is retried with its message. Sending a
    person twice is harmless: the worker reads each as they are now."""
    jobs = [
        SignInAccountsJob(
            district=district, person_ids=list(person_ids[start : start + ACCOUNTS_PER_JOB])
        )
        for start in range(0, len(person_ids), ACCOUNTS_PER_JOB)
    ]
    if jobs:
        dispatch.enqueue_all(ACCOUNTS_QUEUE, jobs, settings)


class QueueTouchedPeople:
    """The relay's subscriber: the people a directory write touched, queued for their
    Cognito users."""

    name = "sign-in-accounts"

    def deliver(self, event: DomainEvent, steps: Steps) -> None:
        settings = get_settings()
        if event.type != PEOPLE_CHANGED or settings.sign_in_accounts != "cognito":
            return
        ids = [str(person_id) for person_id in event.data["person_ids"]]
        queue_reconciles(event.district, ids, settings)


SUBSCRIBER = QueueTouchedPeople()


def cognito_accounts(settings: Settings) -> CognitoAccounts:
    """The sign-in accounts worker's side (chalicelib/directory/handler.py)."""
    if not settings.cognito_user_pool_id:
        raise ValueError("CLASSREEL_SIGN_IN_ACCOUNTS=cognito needs CLASSREEL_COGNITO_USER_POOL_ID")
    return CognitoAccounts(aws.cognito_client(settings), settings.cognito_user_pool_id)


def sign_in_accounts(settings: Settings) -> SignInAccounts:
    """The accounts kept in step in the request that changed the directory
    (``CLASSREEL_SIGN_IN_ACCOUNTS``): the local provider's file. Cognito's users follow
    through the outbox instead (``SUBSCRIBER``)."""
    if settings.sign_in_accounts == "local":
        return LocalProviderAccounts(settings.local_accounts_path)
    return NoAccounts()
