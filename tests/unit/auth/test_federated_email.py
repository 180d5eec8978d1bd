"""Federated sign-ins matched by email: a token's email finds a person only when it is
verified, or when it comes from one of the district's own identity providers that send no
``email_verified`` (SAML, a single-tenant Entra ID: CLASSREEL_JWT_TRUSTED_EMAIL_PROVIDERS).

Cognito names the provider of a federated sign-in in the ``identities`` claim of the ID
token it signs; these tokens are what a Cognito pool with a SAML and a Google provider
would issue, signed here by the dev issuer's key (the verifier is the one the API builds
from its settings).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Identity, PeopleMatch
from chalicelib.auth.tokens import verifier_from_settings
from chalicelib.config import Settings
from chalicelib.errors import Unauthenticated
from tests.support.forged_tokens import forged_with_claims

SAML = "DistrictADFS"


def _identities(provider: str, provider_type: str) -> list[dict[str, Any]]:
    return [
        {
            "userId": "ana.rivera@lakeside.example.org",
            "providerName": provider,
            "providerType": provider_type,
            "issuer": None,
            "primary": "true",
            "dateCreated": "1718000000000",
        }
    ]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """What infrastructure/ hands the API of a stage with a SAML provider (as env vars)."""
    monkeypatch.setenv("CLASSREEL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CLASSREEL_JWT_PEOPLE_MATCH", "email")
    monkeypatch.setenv("CLASSREEL_JWT_TRUSTED_EMAIL_PROVIDERS", json.dumps([SAML]))
    settings = Settings()
    DevIssuer(settings).ensure_key()
    return settings


def _verify(settings: Settings, **claims: Any) -> Identity:
    token = forged_with_claims(settings, {"custom:district": None, **claims})
    return verifier_from_settings(settings).verify(token)


def test_the_setting_lists_the_trusted_providers(settings: Settings) -> None:
    assert settings.jwt_trusted_email_providers == (SAML,)


def test_a_trusted_saml_providers_email_finds_the_person_without_email_verified(
    settings: Settings,
) -> None:
    identity = _verify(
        settings,
        sub="saml-user-1",
        email="Ana.Rivera@Lakeside.example.org",
        identities=_identities(SAML, "SAML"),
    )
    assert identity.match is PeopleMatch.EMAIL
    # Kept as the directory keeps emails.
    assert identity.email == "ana.rivera@lakeside.example.org"


def test_an_untrusted_providers_unverified_email_finds_nobody(settings: Settings) -> None:
    for verified in ({}, {"email_verified": "false"}, {"email_verified": False}):
        with pytest.raises(Unauthenticated, match="verified email"):
            _verify(
                settings,
                sub="oidc-user-1",
                email="ana.rivera@lakeside.example.org",
                identities=_identities("SomeOtherIdP", "OIDC"),
                **verified,
            )


def test_a_token_naming_no_provider_needs_a_verified_email(settings: Settings) -> None:
    """A password user of the pool (no ``identities``) is matched only by a verified email:
    the missing claim is not taken for a yes."""
    with pytest.raises(Unauthenticated, match="verified email"):
        _verify(settings, sub="u1", email="ana.rivera@lakeside.example.org")
    identity = _verify(
        settings, sub="u1", email="ana.rivera@lakeside.example.org", email_verified=True
    )
    assert identity.email == "ana.rivera@lakeside.example.org"


def test_a_provider_that_verifies_emails_is_believed_when_it_does(settings: Settings) -> None:
    """Google sends email_verified (mapped by the stage's attribute mapping, as a string)."""
    identity = _verify(
        settings,
        sub="google-user-1",
        email="ana.rivera@lakeside.example.org",
        email_verified="true",
        identities=_identities("GoogleWorkspace", "OIDC"),
    )
    assert identity.email == "ana.rivera@lakeside.example.org"
    with pytest.raises(Unauthenticated, match="verified email"):
        _verify(
            settings,
            sub="google-user-2",
            email="ana.rivera@lakeside.example.org",
            email_verified="false",
            identities=_identities("GoogleWorkspace", "OIDC"),
        )


def test_only_the_primary_issuer_trusts_the_providers(settings: Settings) -> None:
    """The list belongs to the Cognito pool's tokens: a token of the local provider naming
    a trusted provider in ``identities`` still needs a verified email."""
    claims = {
        "sub": "x",
        "email": "ana.rivera@lakeside.example.org",
        "identities": _identities(SAML, "SAML"),
    }
    assert Identity.from_claims(claims, PeopleMatch.EMAIL, frozenset({SAML})).email
    with pytest.raises(Unauthenticated, match="verified email"):
        Identity.from_claims(claims, PeopleMatch.EMAIL)


def test_identities_written_as_json_text_are_read_too() -> None:
    claims = {
        "sub": "x",
        "email": "ana.rivera@lakeside.example.org",
        "identities": json.dumps(_identities(SAML, "SAML")),
    }
    assert Identity.from_claims(claims, PeopleMatch.EMAIL, frozenset({SAML})).email
    broken = {**claims, "identities": "[not json"}
    with pytest.raises(Unauthenticated, match="verified email"):
        Identity.from_claims(broken, PeopleMatch.EMAIL, frozenset({SAML}))


def test_a_subject_matched_token_keeps_its_email_unless_it_says_unverified() -> None:
    """The dev issuer finds people by subject: its email only says where to mail them."""
    base = {"sub": "t1", "custom:district": "d1", "email": "t1@d1.example"}
    assert Identity.from_claims(base, PeopleMatch.SUBJECT).email == "t1@d1.example"
    unverified = {**base, "email_verified": "false"}
    assert Identity.from_claims(unverified, PeopleMatch.SUBJECT).email is None
