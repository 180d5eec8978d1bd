"""Who is calling: the identity a verified token names, and the person the directory knows.

A token is trusted for identity and district only: its subject (or its verified email,
for issuers that match people by email) and ``custom:district``. Roles, schools and
groups come from the district's directory (chalicelib/directory/membership.py), read
once per request, so a change there (a new role, a removed member, a deactivated
person) takes effect on the person's next request, whatever their token still says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chalicelib.errors import Unauthenticated


class Role(StrEnum):
    TEACHER = "teacher"
    COACH = "coach"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class PeopleMatch(StrEnum):
    """How an issuer's tokens name a person of the directory."""

    # The subject is the person's directory id (the local dev issuer).
    SUBJECT = "subject"
    # The verified email is the person's directory email (Cognito, OpenID Connect
    # providers): one person however they sign in (password, Google, Microsoft).
    EMAIL = "email"


# Claim names follow Cognito ID tokens, so the dev issuer, the local OpenID Connect
# provider and Cognito produce tokens this module reads the same way.
DISTRICT_CLAIM = "custom:district"
NAME_CLAIM = "name"
# Cognito ID tokens carry it when the app client reads the email scope; the dev issuer
# signs one for the demo users. People are matched to the directory by it.
EMAIL_CLAIM = "email"
EMAIL_VERIFIED_CLAIM = "email_verified"
# A federated user's Cognito ID token names the district identity provider they signed in
# with: [{"providerName": "Microsoft", "providerType": "OIDC", ...}]. Only Cognito writes it.
IDENTITIES_CLAIM = "identities"


@dataclass(frozen=True, slots=True)
class Identity:
    """What a verified token says: who, in which district (if it says), nothing more."""

    subject: str
    match: PeopleMatch
    district: str | None = None
    email: str | None = None
    name: str | None = None

    @classmethod
    def from_claims(
        cls,
        claims: dict[str, Any],
        match: PeopleMatch,
        trusted_providers: frozenset[str] = frozenset(),
    ) -> Identity:
        """``trusted_providers``: the district identity providers (by their Cognito name)
        whose emails are the district's own although they send no ``email_verified`` (a
        SAML provider, a single-tenant Entra ID); any other email counts only when the
        token says it is verified."""
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated("The token has no subject")
        district = claims.get(DISTRICT_CLAIM) or None
        if district is not None and not isinstance(district, str):
            raise Unauthenticated("The token's district is not valid")
        email = claims.get(EMAIL_CLAIM) or None
        if not isinstance(email, str) or not _email_trusted(claims, match, trusted_providers):
            email = None
        else:
            # As the directory keeps emails (an Entra ID account may say Ana.Rivera@...).
            email = email.strip().lower() or None
        if match is PeopleMatch.SUBJECT and not district:
            raise Unauthenticated("The token names no district")
        if match is PeopleMatch.EMAIL and not email:
            raise Unauthenticated("The token carries no verified email to find you by")
        name = claims.get(NAME_CLAIM) or None
        return cls(
            subject=subject,
            match=match,
            district=district,
            email=email,
            name=name if isinstance(name, str) else None,
        )


def _email_trusted(claims: dict[str, Any], match: PeopleMatch, trusted: frozenset[str]) -> bool:
    verified = claims.get(EMAIL_VERIFIED_CLAIM)
    # Cognito writes "true"/"false" strings for federated users, booleans otherwise.
    if verified is True or str(verified).lower() == "true":
        return True
    if match is PeopleMatch.SUBJECT:
        # Found by subject: the email only says where to write, never who they are.
        return verified is None
    return not trusted.isdisjoint(_providers(claims.get(IDENTITIES_CLAIM)))


def _providers(identities: object) -> set[str]:
    """The providers an ``identities`` claim names (a list; a JSON string in some flows)."""
    if isinstance(identities, str):
        try:
            identities = json.loads(identities)
        except ValueError:
            return set()
    if not isinstance(identities, list):
        return set()
    return {
        name
        for identity in identities
        if isinstance(identity, dict) and isinstance(name := identity.get("providerName"), str)
    }


@dataclass(frozen=True, slots=True)
class Principal:
    """A person of a district's directory, as the services see them."""

    user_id: str
    roles: frozenset[Role]
    district: str
    # The home school: where their uploads are filed (None: district office).
    school: str | None
    name: str | None = None
    # Every school they work in (the home school among them).
    schools: frozenset[str] = field(default=frozenset())
    # Groups they belong to, directly or through a group inside a group.
    groups: frozenset[str] = field(default=frozenset())
    # Teachers in the caseloads they own (a coach's list of teachers).
    caseload: frozenset[str] = field(default=frozenset())
    email: str | None = None

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def works_in(self, school: str | None) -> bool:
        return school is not None and (school == self.school or school in self.schools)

    @property
    def all_schools(self) -> frozenset[str]:
        return self.schools | ({self.school} if self.school else set())

    @property
    def display_name(self) -> str:
        return self.name or self.user_id

    @property
    def primary_role(self) -> Role:
        """The most privileged role, for display and audit lines."""
        for role in (Role.ADMIN, Role.REVIEWER, Role.COACH, Role.TEACHER):
            if role in self.roles:
                return role
        raise AssertionError("a principal always has at least one role")
