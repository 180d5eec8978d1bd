"""A district's own sign-in (Google Workspace, Microsoft Entra ID, any OpenID Connect or SAML
provider), as a stage names it in CDK context, parsed and checked once.

``identityProviders`` is a JSON list (in cdk.json's context, or ``-c identityProviders=...``),
or ``identityProvidersFile`` names a JSON file holding that list::

    [
      {"type": "google", "clientId": "1234.apps.googleusercontent.com",
       "clientSecret": {"secret": "classreel/prod/google"}},
      {"type": "microsoft", "tenantId": "6f1c…", "clientId": "…",
       "clientSecret": {"secret": "classreel/prod/entra", "field": "clientSecret"}},
      {"type": "oidc", "name": "Clever", "issuer": "https://…", "clientId": "…",
       "clientSecret": {"secret": "…"}, "emailVerified": true},
      {"type": "saml", "name": "DistrictADFS", "metadataUrl": "https://…/metadata.xml"}
    ]

Client secrets are named, never given: the template carries a Secrets Manager dynamic
reference, which CloudFormation resolves at deploy time. (CloudFormation resolves SSM
SecureString references only in a few resource types, not Cognito's identity providers,
so a SecureString is refused here rather than at deploy time.)

Whether a provider's emails need ``email_verified`` decides who the API believes
(chalicelib/auth/principal.py): Google and most OpenID Connect providers send it, and it
is mapped; Entra ID and SAML send none, so their names go to
``CLASSREEL_JWT_TRUSTED_EMAIL_PROVIDERS``: the district's own directory vouches for them.
That is why a Microsoft provider names one tenant: the multi-tenant endpoints would let any
organisation's account claim any email.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

CONTEXT_KEY = "identityProviders"
FILE_CONTEXT_KEY = "identityProvidersFile"
TYPES = ("google", "microsoft", "oidc", "saml")
OIDC_SCOPES = ("openid", "email", "profile")
GOOGLE_ISSUER = "https://accounts.google.com"
MICROSOFT_ISSUER = "https://login.microsoftonline.com/{tenant}/v2.0"
# What ADFS and Entra ID's SAML applications send unless the district chose other names.
SAML_EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
SAML_NAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
DEFAULT_NAMES = {"google": "GoogleWorkspace", "microsoft": "Microsoft"}
# Cognito keeps these for its own and its social providers.
RESERVED_NAMES = ("cognito", "google", "facebook", "loginwithamazon", "signinwithapple")
# Shown on the hosted UI's button; Cognito allows 1-32 characters without "_" or spaces at
# the ends: kept to letters, digits, "." and "-" so every provider's name is the same kind.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{1,30}[A-Za-z0-9]$")
_TENANT = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_HTTPS = re.compile(r"^https://[^\s/]+(/\S*)?$")
# Secrets Manager names: letters, digits and /_+=.@- (or a full ARN).
_SECRET_NAME = re.compile(r"^[A-Za-z0-9/_+=.@:-]{1,2048}$")

_KEYS = {
    "google": {"type", "name", "clientId", "clientSecret"},
    "microsoft": {"type", "name", "tenantId", "clientId", "clientSecret", "emailClaim"},
    "oidc": {
        *("type", "name", "issuer", "clientId", "clientSecret"),
        *("scopes", "emailVerified", "emailClaim"),
    },
    "saml": {"type", "name", "metadataUrl", "emailAttribute", "nameAttribute"},
}


class IdentityProviderError(ValueError):
    """A provider's entry is wrong; the message names the field (synth stops with it)."""


@dataclass(frozen=True)
class SecretRef:
    """Where a client secret is kept: a Secrets Manager secret (and a JSON field of it)."""

    name: str
    json_field: str | None = None


@dataclass(frozen=True)
class IdentityProvider:
    name: str
    kind: str  # one of TYPES
    # OpenID Connect (google, microsoft, oidc)
    issuer: str = ""
    client_id: str = ""
    client_secret: SecretRef | None = None
    scopes: tuple[str, ...] = OIDC_SCOPES
    sends_email_verified: bool = True
    email_claim: str = "email"
    # SAML
    metadata_url: str = ""
    email_attribute: str = SAML_EMAIL
    name_attribute: str = SAML_NAME

    @property
    def cognito_type(self) -> str:
        return "SAML" if self.kind == "saml" else "OIDC"

    @property
    def trusted_for_email(self) -> bool:
        """Its emails count without ``email_verified`` (it sends none)."""
        return not self.sends_email_verified

    def attribute_mapping(self) -> dict[str, str]:
        """Pool attribute → the provider's claim (OIDC) or SAML attribute. Never
        ``preferred_username``: that holds a password user's directory id."""
        if self.kind == "saml":
            return {"email": self.email_attribute, "name": self.name_attribute}
        mapping = {"email": self.email_claim, "name": "name"}
        if self.sends_email_verified:
            mapping["email_verified"] = "email_verified"
        return mapping


def parse(raw: object, file: object = None) -> tuple[IdentityProvider, ...]:
    """The stage's providers from the context value (a list or JSON text) or a JSON file."""
    if raw is not None and file is not None:
        raise IdentityProviderError(
            f"give {CONTEXT_KEY} or {FILE_CONTEXT_KEY}, not both: they would disagree"
        )
    where = CONTEXT_KEY
    if file is not None:
        where = FILE_CONTEXT_KEY
        path = Path(str(file))
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise IdentityProviderError(f"{FILE_CONTEXT_KEY}: cannot read {path}: {exc}") from exc
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise IdentityProviderError(f"{where}: not JSON ({exc})") from exc
    if not isinstance(raw, list):
        raise IdentityProviderError(f"{where}: a list of providers, not {type(raw).__name__}")
    providers = tuple(_provider(f"{CONTEXT_KEY}[{i}]", entry) for i, entry in enumerate(raw))
    seen: dict[str, str] = {}
    for index, provider in enumerate(providers):
        key = provider.name.lower()
        if key in seen:
            raise IdentityProviderError(
                f"{CONTEXT_KEY}[{index}].name: {provider.name!r} is already the name of "
                f"{seen[key]} (names must differ, ignoring case)"
            )
        seen[key] = f"{CONTEXT_KEY}[{index}]"
    return providers


def _provider(at: str, entry: object) -> IdentityProvider:
    if not isinstance(entry, dict):
        raise IdentityProviderError(f"{at}: an object with a type, not {entry!r}")
    kind = entry.get("type")
    if kind not in TYPES:
        raise IdentityProviderError(
            f"{at}.type: {kind!r} is not a provider type; use one of {', '.join(TYPES)}"
        )
    unknown = sorted(set(entry) - _KEYS[kind])
    if unknown:
        raise IdentityProviderError(
            f"{at}.{unknown[0]}: not a setting of a {kind} provider "
            f"(known: {', '.join(sorted(_KEYS[kind]))})"
        )
    name = _name(at, kind, entry.get("name"))
    if kind == "saml":
        return IdentityProvider(
            name=name,
            kind=kind,
            metadata_url=_https(at, "metadataUrl", entry.get("metadataUrl")),
            email_attribute=_text(at, "emailAttribute", entry.get("emailAttribute", SAML_EMAIL)),
            name_attribute=_text(at, "nameAttribute", entry.get("nameAttribute", SAML_NAME)),
            sends_email_verified=False,
        )
    client_id = _text(at, "clientId", entry.get("clientId"))
    secret = _secret(at, entry.get("clientSecret"))
    if kind == "google":
        return IdentityProvider(
            name=name, kind=kind, issuer=GOOGLE_ISSUER, client_id=client_id, client_secret=secret
        )
    email_claim = _text(at, "emailClaim", entry.get("emailClaim", "email"))
    if kind == "microsoft":
        tenant = entry.get("tenantId")
        if not isinstance(tenant, str) or not _TENANT.match(tenant):
            raise IdentityProviderError(
                f"{at}.tenantId: the district's Entra ID tenant id (a GUID such as "
                f"6f1c2d3e-…, shown on the tenant's overview page), not {tenant!r}: "
                "'common' or 'organizations' would let any organisation's accounts in"
            )
        return IdentityProvider(
            name=name,
            kind=kind,
            issuer=MICROSOFT_ISSUER.format(tenant=tenant.lower()),
            client_id=client_id,
            client_secret=secret,
            # Entra ID sends no email_verified: the tenant's own directory vouches.
            sends_email_verified=False,
            email_claim=email_claim,
        )
    scopes = entry.get("scopes", list(OIDC_SCOPES))
    if (
        not isinstance(scopes, list)
        or not all(isinstance(s, str) and s and " " not in s for s in scopes)
        or "openid" not in scopes
    ):
        raise IdentityProviderError(f"{at}.scopes: a list of scopes with 'openid', not {scopes!r}")
    verified = entry.get("emailVerified", True)
    if not isinstance(verified, bool):
        raise IdentityProviderError(
            f"{at}.emailVerified: true (the provider sends email_verified) or false (it "
            f"sends none and its emails are the district's own), not {verified!r}"
        )
    return IdentityProvider(
        name=name,
        kind=kind,
        issuer=_https(at, "issuer", entry.get("issuer")),
        client_id=client_id,
        client_secret=secret,
        scopes=tuple(scopes),
        sends_email_verified=verified,
        email_claim=email_claim,
    )


def _name(at: str, kind: str, raw: object) -> str:
    name = DEFAULT_NAMES.get(kind) if raw is None else raw
    if name is None:
        raise IdentityProviderError(f"{at}.name: required for a {kind} provider")
    if not isinstance(name, str) or not _NAME.match(name):
        raise IdentityProviderError(
            f"{at}.name: {name!r} must be 3-32 letters, digits, '.' or '-' (it is the "
            "sign-in button's label)"
        )
    if name.lower() in RESERVED_NAMES:
        raise IdentityProviderError(f"{at}.name: {name!r} is reserved by Cognito")
    return name


def _text(at: str, key: str, raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise IdentityProviderError(f"{at}.{key}: required")
    if len(raw) > 2048:
        raise IdentityProviderError(f"{at}.{key}: longer than 2048 characters")
    return raw.strip()


def _https(at: str, key: str, raw: object) -> str:
    value = _text(at, key, raw)
    if not _HTTPS.match(value):
        raise IdentityProviderError(f"{at}.{key}: an https:// address, not {value!r}")
    return value.rstrip("/") if key == "issuer" else value


def _secret(at: str, raw: object) -> SecretRef:
    where = f"{at}.clientSecret"
    if isinstance(raw, str):
        raise IdentityProviderError(
            f'{where}: name the Secrets Manager secret that holds it ({{"secret": "name"}}), '
            "never the secret itself: the template would carry it"
        )
    if not isinstance(raw, dict):
        raise IdentityProviderError(f'{where}: required ({{"secret": "name"}})')
    if "parameter" in raw:
        raise IdentityProviderError(
            f"{where}.parameter: CloudFormation cannot resolve an SSM SecureString in a "
            "Cognito identity provider; keep the secret in Secrets Manager instead "
            '({"secret": "name"}; docs/deploy.md shows how to copy a SecureString there)'
        )
    unknown = sorted(set(raw) - {"secret", "field"})
    if unknown:
        raise IdentityProviderError(f"{where}.{unknown[0]}: not a setting (secret, field)")
    name = raw.get("secret")
    if not isinstance(name, str) or not _SECRET_NAME.match(name):
        raise IdentityProviderError(
            f"{where}.secret: a Secrets Manager secret's name, not {name!r}"
        )
    json_field = raw.get("field")
    if json_field is not None and (not isinstance(json_field, str) or not json_field):
        raise IdentityProviderError(f"{where}.field: the secret's JSON key, not {json_field!r}")
    return SecretRef(name=name, json_field=json_field)
