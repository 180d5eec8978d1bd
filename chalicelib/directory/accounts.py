"""Sign-in accounts that follow the directory: who may sign in with a password.

The directory decides who may do what; an identity provider only proves who someone is.
Where the provider keeps accounts of its own (Cognito's users for people without a
district identity provider; the local OpenID Connect provider's accounts file), people the
directory gains get an account and people it switches off have theirs disabled. A district
that signs in with Google or Microsoft needs none of this: those people are matched by email.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

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


def sign_in_accounts(settings: Settings) -> SignInAccounts:
    """The accounts this deployment keeps in step (``CLASSREEL_SIGN_IN_ACCOUNTS``)."""
    return NoAccounts()
