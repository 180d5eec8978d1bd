"""A district's own sign-in per stage: the stage's config names its Google Workspace,
Microsoft Entra ID and SAML providers (infrastructure/identity_providers.py); the pool gets
one Cognito identity provider each, the app client lists them (in CloudFormation and in the
UpdateUserPoolClient call alike), the client secrets stay dynamic references, and the API is
told which providers' emails need no email_verified. Bad entries stop synth naming the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions

from infrastructure.constructs.identity import Identity
from infrastructure.deployment import DeploymentConfig, DeploymentConfigError
from infrastructure.identity_providers import SAML_EMAIL
from infrastructure.nag import check_app
from tests.infrastructure.conftest import Synthesized, cfn_lint, rendered

TENANT = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"
GOOGLE = {
    "type": "google",
    "clientId": "1234-abc.apps.googleusercontent.com",
    "clientSecret": {"secret": "classreel/prod/google"},
}
MICROSOFT = {
    "type": "microsoft",
    "tenantId": TENANT,
    "clientId": "0f9e8d7c-0000-4000-8000-123456789abc",
    "clientSecret": {"secret": "classreel/prod/entra", "field": "clientSecret"},
}
SAML = {
    "type": "saml",
    "name": "DistrictADFS",
    "metadataUrl": "https://adfs.lakeside.example.org/FederationMetadata/2007-06/FederationMetadata.xml",
}


def _config(**context: object) -> DeploymentConfig:
    return DeploymentConfig.from_context(cdk.App(context=dict(context)).node)


class Built:
    """The Identity construct alone in a stack (fast: no Chalice), as synth would make it."""

    def __init__(self, tmp_path: Path, **context: object) -> None:
        app = cdk.App(outdir=str(tmp_path), context={"stage": "prod", **context})
        stack = cdk.Stack(app, "IdentityOnly")
        self.identity = Identity(stack, "Identity", config=DeploymentConfig.from_context(app.node))
        self.identity.allow_web_origin("https://d111111abcdef8.cloudfront.net/")
        check_app(app)  # cdk-nag, as every synth runs it
        assembly = app.synth()
        self.template_path = Path(assembly.get_stack_artifact("IdentityOnly").template_full_path)
        self.document = dict(assertions.Template.from_stack(stack).to_json())
        self.resources = Synthesized(
            tmp_path, self.template_path, self.document, assertions.Template.from_stack(stack)
        ).resources

    def providers(self) -> dict[str, dict[str, Any]]:
        return {
            r["Properties"]["ProviderName"]: r
            for r in self.resources("AWS::Cognito::UserPoolIdentityProvider").values()
        }

    def client(self) -> dict[str, Any]:
        (client,) = self.resources("AWS::Cognito::UserPoolClient").values()
        return client

    def update_call(self) -> dict[str, Any]:
        (update,) = self.resources("Custom::AWS").values()
        call = json.loads(rendered(update["Properties"]["Update"]))
        parameters: dict[str, Any] = call["parameters"]
        return parameters


@pytest.fixture(scope="module")
def federated(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return Built(
        tmp_path_factory.mktemp("federated"),
        identityProviders=json.dumps([GOOGLE, MICROSOFT, SAML]),
    )


# --- the stage's providers in the template ---------------------------------------------


def test_each_named_provider_becomes_a_cognito_identity_provider(federated: Built) -> None:
    providers = federated.providers()
    assert set(providers) == {"GoogleWorkspace", "Microsoft", "DistrictADFS"}
    google = providers["GoogleWorkspace"]["Properties"]
    assert google["ProviderType"] == "OIDC"
    assert google["ProviderDetails"]["oidc_issuer"] == "https://accounts.google.com"
    assert google["ProviderDetails"]["client_id"] == GOOGLE["clientId"]
    assert google["ProviderDetails"]["authorize_scopes"] == "openid email profile"
    assert google["AttributeMapping"] == {
        "email": "email",
        "email_verified": "email_verified",
        "name": "name",
    }
    microsoft = providers["Microsoft"]["Properties"]
    assert microsoft["ProviderDetails"]["oidc_issuer"] == (
        f"https://login.microsoftonline.com/{TENANT}/v2.0"
    )
    # Entra ID sends no email_verified: nothing to map (its emails are trusted instead).
    assert microsoft["AttributeMapping"] == {"email": "email", "name": "name"}
    saml = providers["DistrictADFS"]["Properties"]
    assert saml["ProviderType"] == "SAML"
    assert saml["ProviderDetails"] == {"MetadataURL": SAML["metadataUrl"]}
    assert saml["AttributeMapping"]["email"] == SAML_EMAIL
    for provider in providers.values():
        # The pool's directory id attribute is never a provider's to write.
        assert "preferred_username" not in provider["Properties"]["AttributeMapping"]


def test_client_secrets_are_dynamic_references_never_values(federated: Built) -> None:
    providers = federated.providers()
    google = providers["GoogleWorkspace"]["Properties"]["ProviderDetails"]["client_secret"]
    microsoft = providers["Microsoft"]["Properties"]["ProviderDetails"]["client_secret"]
    assert google == "{{resolve:secretsmanager:classreel/prod/google:SecretString:::}}"
    assert microsoft == (
        "{{resolve:secretsmanager:classreel/prod/entra:SecretString:clientSecret::}}"
    )
    assert "client_secret" not in providers["DistrictADFS"]["Properties"]["ProviderDetails"]


def test_the_client_lists_the_providers_in_cloudformation_and_the_update_call(
    federated: Built,
) -> None:
    """UpdateUserPoolClient resets what it omits: both must list the same ways in, or the
    buttons would vanish when the distribution's address is added."""
    listed = ["GoogleWorkspace", "Microsoft", "DistrictADFS"]
    client = federated.client()
    assert client["Properties"]["SupportedIdentityProviders"] == listed
    assert federated.update_call()["SupportedIdentityProviders"] == listed
    # The pool has each provider before the client names it.
    assert set(client["DependsOn"]) >= set(
        federated.resources("AWS::Cognito::UserPoolIdentityProvider")
    )


def test_a_federated_stage_offers_no_password_accounts_unless_asked(
    federated: Built, tmp_path: Path
) -> None:
    """By default a stage that names providers has no password form and no invitations:
    2,000 people would otherwise be mailed temporary passwords they never need."""
    assert "COGNITO" not in federated.client()["Properties"]["SupportedIdentityProviders"]
    assert federated.identity.accounts_environment() == {"CLASSREEL_SIGN_IN_ACCOUNTS": "none"}
    assert federated.identity.manage_users_statements() == []
    both = Built(tmp_path, identityProviders=json.dumps([SAML]), passwordSignIn="true")
    listed = ["COGNITO", "DistrictADFS"]
    assert both.client()["Properties"]["SupportedIdentityProviders"] == listed
    assert both.update_call()["SupportedIdentityProviders"] == listed
    assert both.identity.accounts_environment()["CLASSREEL_SIGN_IN_ACCOUNTS"] == "cognito"


def test_the_api_trusts_the_emails_of_the_providers_that_send_no_email_verified(
    federated: Built,
) -> None:
    environment = federated.identity.environment()
    trusted = json.loads(environment["CLASSREEL_JWT_TRUSTED_EMAIL_PROVIDERS"])
    assert trusted == ["Microsoft", "DistrictADFS"]  # not Google: it verifies emails


def test_cfn_lint_and_cdk_nag_accept_the_providers(federated: Built) -> None:
    result = cfn_lint(federated.template_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_stage_with_no_providers_is_unchanged(synthesized: Synthesized, tmp_path: Path) -> None:
    assert synthesized.resources("AWS::Cognito::UserPoolIdentityProvider") == {}
    (client,) = synthesized.resources("AWS::Cognito::UserPoolClient").values()
    assert client["Properties"]["SupportedIdentityProviders"] == ["COGNITO"]
    for function in synthesized.functions().values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert "CLASSREEL_JWT_TRUSTED_EMAIL_PROVIDERS" not in variables
    none = Built(tmp_path / "none")
    empty = Built(tmp_path / "empty", identityProviders="[]")
    assert empty.document == none.document


# --- the stage's config, parsed once: bad entries stop synth naming the field -----------


def test_providers_can_come_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "prod-sign-in.json"
    path.write_text(json.dumps([GOOGLE, SAML]))
    config = _config(identityProvidersFile=str(path))
    assert [p.name for p in config.identity_providers] == ["GoogleWorkspace", "DistrictADFS"]
    # cdk.json's context holds a list as it is.
    assert _config(identityProviders=[MICROSOFT]).identity_providers[0].kind == "microsoft"


@pytest.mark.parametrize(
    ("providers", "field", "message"),
    [
        ([{"type": "okta"}], "identityProviders[0].type", "not a provider type"),
        ([{"type": "saml", "name": "ADFS"}], "identityProviders[0].metadataUrl", "required"),
        (
            [{**SAML, "metadataUrl": "http://adfs.example.org/metadata.xml"}],
            "identityProviders[0].metadataUrl",
            "https",
        ),
        ([SAML, {**SAML, "name": "districtadfs"}], "identityProviders[1].name", "already"),
        ([GOOGLE, {**GOOGLE}], "identityProviders[1].name", "already"),
        ([{**GOOGLE, "clientSecret": "hunter2"}], "identityProviders[0].clientSecret", "never"),
        (
            [{**GOOGLE, "clientSecret": {"parameter": "/classreel/google"}}],
            "identityProviders[0].clientSecret.parameter",
            "SecureString",
        ),
        ([{**GOOGLE, "clientSecret": None}], "identityProviders[0].clientSecret", "required"),
        ([{**MICROSOFT, "tenantId": "common"}], "identityProviders[0].tenantId", "any"),
        ([{"type": "oidc", "clientId": "x"}], "identityProviders[0].name", "required"),
        ([{**SAML, "name": "Google"}], "identityProviders[0].name", "reserved"),
        ([{**SAML, "name": "District ADFS"}], "identityProviders[0].name", "letters"),
        ([{**SAML, "metadataURL": "https://x"}], "identityProviders[0].metadataURL", "not a"),
        ({"type": "saml"}, "identityProviders", "a list"),
        ("[{", "identityProviders", "not JSON"),
    ],
)
def test_a_bad_provider_stops_synth_naming_the_field(
    providers: object, field: str, message: str
) -> None:
    raw = providers if isinstance(providers, str) else json.dumps(providers)
    with pytest.raises(DeploymentConfigError, match=message) as refused:
        _config(identityProviders=raw)
    assert str(refused.value).startswith(f"{field}:"), str(refused.value)


def test_a_stage_nobody_could_sign_in_to_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DeploymentConfigError, match="passwordSignIn"):
        _config(passwordSignIn="false")
    both = tmp_path / "p.json"
    both.write_text("[]")
    with pytest.raises(DeploymentConfigError, match="not both"):
        _config(identityProviders="[]", identityProvidersFile=str(both))


def test_invitations_can_be_mailed_through_the_stages_ses_domain(tmp_path: Path) -> None:
    """Cognito's own email sends 50 a day: a first import of 2,000 people needs SES."""
    assert "EmailConfiguration" not in _pool(Built(tmp_path / "default"))
    built = Built(tmp_path / "ses", invitationsFromSes="true", emailDomain="mail.lakeside.org")
    email = _pool(built)["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert email["From"] == "ClassReel <notifications@mail.lakeside.org>"
    assert "identity/mail.lakeside.org" in rendered(email["SourceArn"])
    with pytest.raises(DeploymentConfigError, match="emailDomain"):
        _config(invitationsFromSes="true")


def _pool(built: Built) -> dict[str, Any]:
    (pool,) = built.resources("AWS::Cognito::UserPool").values()
    properties: dict[str, Any] = pool["Properties"]
    return properties
