"""Cognito: the API's roles as groups, the tenant as admin-set custom attributes."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import assertions

from chalicelib.auth.principal import DISTRICT_CLAIM
from infrastructure.constructs.identity import SCHOOL_CLAIM, Identity
from infrastructure.deployment import DeploymentConfig
from tests.infrastructure.conftest import Synthesized, rendered


def _pool(synthesized: Synthesized) -> dict[str, Any]:
    (pool,) = synthesized.resources("AWS::Cognito::UserPool").values()
    properties: dict[str, Any] = pool["Properties"]
    return properties


def test_groups_are_the_roles(synthesized: Synthesized) -> None:
    groups = {
        group["Properties"]["GroupName"]
        for group in synthesized.resources("AWS::Cognito::UserPoolGroup").values()
    }
    assert groups == {"teacher", "coach", "reviewer", "admin"}


def test_district_and_school_are_custom_attributes(synthesized: Synthesized) -> None:
    custom = {
        f"custom:{attribute['Name']}": attribute
        for attribute in _pool(synthesized)["Schema"]
        if attribute.get("AttributeDataType") == "String" and attribute["Name"] != "email"
    }
    assert {DISTRICT_CLAIM, SCHOOL_CLAIM} <= set(custom)


def test_users_are_invited_not_self_signed_up(synthesized: Synthesized) -> None:
    pool = _pool(synthesized)
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12


def test_users_cannot_change_their_own_tenant(synthesized: Synthesized) -> None:
    (client,) = synthesized.resources("AWS::Cognito::UserPoolClient").values()
    properties = client["Properties"]
    assert DISTRICT_CLAIM in properties["ReadAttributes"]
    assert not any(a.startswith("custom:") for a in properties["WriteAttributes"])
    assert properties["GenerateSecret"] is False


def test_functions_trust_this_pool(synthesized: Synthesized) -> None:
    (pool_id,) = synthesized.resources("AWS::Cognito::UserPool")
    for function in synthesized.functions().values():
        issuer = function["Properties"]["Environment"]["Variables"]["CLASSREEL_JWT_ISSUER"]
        assert {"Ref": pool_id} in issuer["Fn::Join"][1]


# --- sign-in on Cognito's hosted UI: authorization code + PKCE -----------------


def _client(synthesized: Synthesized) -> dict[str, Any]:
    (client,) = synthesized.resources("AWS::Cognito::UserPoolClient").values()
    properties: dict[str, Any] = client["Properties"]
    return properties


def test_the_hosted_ui_has_a_domain_of_this_stage(synthesized: Synthesized) -> None:
    (pool_id,) = synthesized.resources("AWS::Cognito::UserPool")
    (domain,) = synthesized.resources("AWS::Cognito::UserPoolDomain").values()
    assert domain["Properties"] == {
        "Domain": "classreel-dev-signin",
        "UserPoolId": {"Ref": pool_id},
    }


def _web_callbacks_call(synthesized: Synthesized) -> dict[str, Any]:
    (update,) = synthesized.resources("Custom::AWS").values()
    call: dict[str, Any] = json.loads(rendered(update["Properties"]["Update"]))
    assert json.loads(rendered(update["Properties"]["Create"])) == call
    return call


def test_the_web_client_uses_the_code_flow_without_a_secret(synthesized: Synthesized) -> None:
    client = _client(synthesized)
    assert client["GenerateSecret"] is False  # public: PKCE instead of a secret
    # A deployed stage trusts no callback on a developer's machine: until the
    # distribution's address is known the hosted-UI flow is off.
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert "localhost" not in json.dumps(client)
    parameters = _web_callbacks_call(synthesized)["parameters"]
    assert parameters["AllowedOAuthFlowsUserPoolClient"] is True
    assert parameters["AllowedOAuthFlows"] == ["code"]  # no implicit flow, no tokens in URLs
    assert set(parameters["AllowedOAuthScopes"]) == {"openid", "email", "profile"}
    assert "COGNITO" in parameters["SupportedIdentityProviders"]


def test_the_distribution_is_added_to_the_callbacks_with_the_same_settings(
    synthesized: Synthesized,
) -> None:
    (client_id,) = synthesized.resources("AWS::Cognito::UserPoolClient")
    (distribution_id,) = synthesized.resources("AWS::CloudFront::Distribution")
    call = _web_callbacks_call(synthesized)
    assert call["action"] == "updateUserPoolClient"
    parameters = call["parameters"]
    assert parameters["ClientId"] == f"<{client_id}>"
    web = f"https://<{distribution_id}.DomainName>/"
    assert parameters["CallbackURLs"] == parameters["LogoutURLs"] == [web]
    # UpdateUserPoolClient resets what it is not sent: it is sent the client's settings
    # (all but the hosted-UI flow, which the callback URLs turn on).
    client = _client(synthesized)
    oauth = {"AllowedOAuthFlowsUserPoolClient", "AllowedOAuthFlows", "AllowedOAuthScopes"}
    for name, value in parameters.items():
        if name not in {"UserPoolId", "ClientId", "CallbackURLs", "LogoutURLs", *oauth}:
            assert client[name] == value, name
    assert set(client) - set(parameters) == {"GenerateSecret"}


def test_the_hosted_ui_url_is_an_output(synthesized: Synthesized) -> None:
    (domain_id,) = synthesized.resources("AWS::Cognito::UserPoolDomain")
    url = rendered(synthesized.document["Outputs"]["HostedUiUrl"]["Value"])
    assert url == f"https://<{domain_id}>.auth.<AWS::Region>.amazoncognito.com"


# --- who may rename whom, and who may receive a code -----------------------------


def test_display_names_are_not_user_writable(synthesized: Synthesized) -> None:
    client = _client(synthesized)
    assert "name" in client["ReadAttributes"]
    assert client["WriteAttributes"] == ["email"]
    (update,) = synthesized.resources("Custom::AWS").values()
    parameters = json.loads(rendered(update["Properties"]["Update"]))["parameters"]
    assert parameters["WriteAttributes"] == ["email"]  # the custom resource keeps it so


def _identity_of_stage(stage: str, **context: str) -> dict[str, Any]:
    """The Identity construct alone in a stack of the given stage (fast: no Chalice)."""
    app = cdk.App(context={"stage": stage, **context})
    stack = cdk.Stack(app, f"IdentityOnly{stage.capitalize()}")
    identity = Identity(stack, "Identity", config=DeploymentConfig.from_context(app.node))
    identity.allow_web_origin("https://d111111abcdef8.cloudfront.net/")
    template = dict(assertions.Template.from_stack(stack).to_json())
    return template


def _callbacks(template: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    resources = template["Resources"].values()
    (client,) = [r["Properties"] for r in resources if r["Type"] == "AWS::Cognito::UserPoolClient"]
    (update,) = [r["Properties"] for r in resources if r["Type"] == "Custom::AWS"]
    call = json.loads(
        rendered(update["Update"]) if "Fn::Join" in update["Update"] else update["Update"]
    )
    return client, call["parameters"]["CallbackURLs"]


def test_a_production_pool_never_sends_codes_to_localhost() -> None:
    client, callbacks = _callbacks(_identity_of_stage("prod"))
    assert callbacks == ["https://d111111abcdef8.cloudfront.net/"]
    assert "localhost" not in json.dumps(client)
    assert client["AllowedOAuthFlowsUserPoolClient"] is False  # until the distribution is known
    assert client["WriteAttributes"] == ["email"]


@pytest.mark.parametrize(
    ("stage", "context", "local"),
    [
        ("dev", {}, False),
        ("dev", {"localSignIn": "true"}, True),
        ("local", {}, True),
        ("prod", {}, False),
        ("staging", {}, False),
        ("prod", {"localSignIn": "true"}, True),
        ("dev", {"localSignIn": "false"}, False),
    ],
)
def test_localhost_callbacks_only_where_the_stage_allows(
    stage: str, context: dict[str, str], local: bool
) -> None:
    client, callbacks = _callbacks(_identity_of_stage(stage, **context))
    assert ("http://localhost:8000/" in callbacks) is local
    assert (client.get("CallbackURLs") == ["http://localhost:8000/"]) is local


def test_id_tokens_are_short_and_renewed_with_refresh_tokens(synthesized: Synthesized) -> None:
    client = _client(synthesized)
    assert client["IdTokenValidity"] <= 15 and client["TokenValidityUnits"]["IdToken"] == "minutes"
    assert "ALLOW_REFRESH_TOKEN_AUTH" in client["ExplicitAuthFlows"]
    assert client["EnableTokenRevocation"] is True
