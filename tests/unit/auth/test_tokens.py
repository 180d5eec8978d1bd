from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Identity, PeopleMatch
from chalicelib.auth.tokens import bearer_token, verifier_from_settings
from chalicelib.config import Settings
from chalicelib.errors import Unauthenticated
from tests.support.forged_tokens import forged_tokens, forged_with_claims


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


def test_dev_token_round_trips_to_an_identity(settings: Settings) -> None:
    token = DevIssuer(settings).mint(user_id="t1", district="d1", name="Ana")
    identity = verifier_from_settings(settings).verify(token)
    assert identity == Identity(
        subject="t1", match=PeopleMatch.SUBJECT, district="d1", email=None, name="Ana"
    )


def test_a_token_is_believed_about_identity_and_district_only(settings: Settings) -> None:
    """Roles and schools a token claims (Cognito groups, a forged school) are never read:
    the verified identity has nowhere to carry them; the directory says what people may do."""
    DevIssuer(settings).ensure_key()
    claims = {"cognito:groups": ["admin"], "custom:school": "school-9", "roles": ["admin"]}
    token = forged_with_claims(settings, claims)
    identity = verifier_from_settings(settings).verify(token)
    assert (identity.subject, identity.district) == ("intruder", "district-a")
    assert not {"roles", "school", "groups"} & set(Identity.__slots__)


def test_an_email_matched_token_needs_a_verified_email() -> None:
    base = {"sub": "x", "custom:district": "d1"}
    with pytest.raises(Unauthenticated, match="verified email"):
        Identity.from_claims(
            {**base, "email": "a@b.org", "email_verified": False}, PeopleMatch.EMAIL
        )
    with pytest.raises(Unauthenticated, match="verified email"):
        Identity.from_claims(
            {**base, "email": "a@b.org", "email_verified": "false"}, PeopleMatch.EMAIL
        )
    identity = Identity.from_claims(
        {"sub": "x", "email": "a@b.org", "email_verified": "true"}, PeopleMatch.EMAIL
    )
    assert (identity.email, identity.district) == ("a@b.org", None)


def test_only_the_configured_issuers_are_trusted(settings: Settings, tmp_path: Path) -> None:
    """Locally: the dev issuer and the local provider; a token of any other issuer, even one
    signed with a trusted key, is refused before its signature is looked at."""
    trusted = verifier_from_settings(
        settings.model_copy(
            update={"oidc_issuer": "http://127.0.0.1:1", "oidc_jwks_url": "http://127.0.0.1:1/jwks"}
        )
    )
    assert trusted.issuers == {settings.jwt_issuer, "http://127.0.0.1:1"}
    assert verifier_from_settings(settings).issuers == {settings.jwt_issuer}
    elsewhere = DevIssuer(settings.model_copy(update={"jwt_issuer": "https://evil.example"}))
    with pytest.raises(Unauthenticated, match="issuer this API does not trust"):
        trusted.verify(elsewhere.mint(user_id="t1", district="d1"))


def test_key_is_created_once_and_reused(settings: Settings) -> None:
    issuer = DevIssuer(settings)
    issuer.ensure_key()
    first = settings.local_jwks_path.read_text()
    DevIssuer(settings).ensure_key()
    assert settings.local_jwks_path.read_text() == first
    private = settings.dev_issuer_dir / "private.pem"
    assert private.stat().st_mode & 0o777 == 0o600


def test_expired_token_is_refused(settings: Settings) -> None:
    token = DevIssuer(settings).mint(user_id="t1", district="d1", ttl_s=60, now=time.time() - 3600)
    with pytest.raises(Unauthenticated, match="expired"):
        verifier_from_settings(settings).verify(token)


def test_token_signed_by_another_key_is_refused(settings: Settings, tmp_path: Path) -> None:
    DevIssuer(settings).ensure_key()
    foreign = DevIssuer(Settings(data_dir=tmp_path / "elsewhere")).mint(user_id="t1", district="d1")
    with pytest.raises(Unauthenticated, match="unknown key"):
        verifier_from_settings(settings).verify(foreign)


def test_same_kid_but_forged_signature_is_refused(settings: Settings, tmp_path: Path) -> None:
    DevIssuer(settings).ensure_key()
    other = Settings(data_dir=tmp_path / "forger")
    DevIssuer(other).ensure_key()
    # The forger copies our public kid into their JWKS so the kid matches.
    ours = json.loads(settings.local_jwks_path.read_text())
    theirs = json.loads(other.local_jwks_path.read_text())
    theirs["keys"][0]["kid"] = ours["keys"][0]["kid"]
    other.local_jwks_path.write_text(json.dumps(theirs))
    forged = DevIssuer(other).mint(user_id="t1", district="d1")
    with pytest.raises(Unauthenticated, match="signature"):
        verifier_from_settings(settings).verify(forged)


def test_wrong_audience_is_refused(settings: Settings) -> None:
    token = DevIssuer(settings.model_copy(update={"jwt_audience": "someone-else"})).mint(
        user_id="t1", district="d1"
    )
    with pytest.raises(Unauthenticated, match=r"(?i)audience"):
        verifier_from_settings(settings).verify(token)


def test_token_without_a_district_is_refused(settings: Settings) -> None:
    issuer = DevIssuer(settings)
    token = issuer.mint(user_id="t1", district="")
    with pytest.raises(Unauthenticated, match="district"):
        verifier_from_settings(settings).verify(token)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "no Authorization header"),
        ("", "no Authorization header"),
        ("Basic abc", "Bearer"),
        ("Bearer ", "Bearer"),
    ],
)
def test_bearer_token_parsing_errors(header: str | None, message: str) -> None:
    with pytest.raises(Unauthenticated, match=message):
        bearer_token(header)


def test_garbage_token_is_refused(settings: Settings) -> None:
    DevIssuer(settings).ensure_key()
    with pytest.raises(Unauthenticated, match="malformed"):
        verifier_from_settings(settings).verify("not-a-jwt")


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        ("alg_none", "algorithm"),
        ("hs256_with_public_key", "algorithm"),
        ("wrong_issuer", "issuer"),
        ("no_kid", "no signing key"),
        ("cognito_access_token", "access token"),
        ("access_token_with_audience", "access token"),
        ("access_token_typ", "access token"),
        ("not_yet_valid", "not valid yet"),
        ("another_audience", "another audience"),
    ],
)
def test_forged_and_misused_tokens_are_refused(settings: Settings, form: str, reason: str) -> None:
    token = forged_tokens(settings)[form]
    with pytest.raises(Unauthenticated, match=reason):
        verifier_from_settings(settings).verify(token)


def test_the_forgeries_differ_from_a_good_token_only_in_their_flaw(settings: Settings) -> None:
    # Control: the same helper's claims and key, nothing wrong, are accepted.
    good = DevIssuer(settings).mint(user_id="intruder", district="district-a")
    assert verifier_from_settings(settings).verify(good).subject == "intruder"
