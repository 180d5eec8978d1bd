"""Sign-in accounts that follow the directory: who may sign in with a password.

The directory decides who may do what; an identity provider only proves who someone is.
Where the provider keeps accounts of its own (Cognito's users for people without a
district identity provider; the local OpenID Connect provider's accounts file), people the
directory gains get an account and people it switches off have theirs disabled. A district
that signs in with Google or Microsoft needs none of this: those people are matched by email.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from chalicelib.config import Settings
from chalicelib.directory.models import PersonRecord


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


def sign_in_accounts(settings: Settings) -> SignInAccounts:
    """The accounts this deployment keeps in step (``CLASSREEL_SIGN_IN_ACCOUNTS``)."""
    if settings.sign_in_accounts == "local":
        return LocalProviderAccounts(settings.local_accounts_path)
    return NoAccounts()
