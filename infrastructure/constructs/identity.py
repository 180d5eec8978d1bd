"""Cognito: who may sign in, with the groups and attributes the API reads from ID tokens.

The API verifies Cognito ID tokens itself (chalicelib/auth/tokens.py): issuer,
audience (this app client), signature against the pool's JWKS. It reads the
role from ``cognito:groups`` and the tenant from ``custom:district`` and
``custom:school`` (chalicelib/auth/principal.py), so those claims must be set
by an administrator, never by the user: the app client may read them but not
write them.

People sign in on Cognito's hosted pages (the user pool's domain) with the
authorization-code flow and PKCE: the web client is public (no secret), sends a
code challenge, and trades the code at ``/oauth2/token`` for the ID token it
hands the API. The client's callback and logout URLs are the web
distribution's address and, on the local and dev stages only, also
http://localhost:8000/ (a local client against a deployed pool, for testing):
a production pool never sends a code to a developer's machine.

The distribution's address cannot be written into the app client directly:
the functions need the client id (the token audience), the REST API needs the
functions and the distribution needs the REST API, so that reference would be
a cycle. The client is created with the local URL (or, where that is not allowed,
without the hosted-UI flow), and once the distribution exists a custom resource
sets the full callback list with
``UpdateUserPoolClient``, sending the client's own settings (that call resets
whatever it omits), so any change to the settings runs it again.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk import Aws, CfnResource, Duration, RemovalPolicy, SecretValue, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from chalicelib.auth.principal import DISTRICT_CLAIM, Role
from infrastructure.deployment import DeploymentConfig
from infrastructure.identity_providers import IdentityProvider
from infrastructure.nag import suppress

_CUSTOM_PREFIX = "custom:"


def _custom_name(claim: str) -> str:
    """``custom:district`` in the token is the custom attribute ``district`` in the pool."""
    if not claim.startswith(_CUSTOM_PREFIX):
        raise ValueError(f"{claim} is not a Cognito custom attribute claim")
    return claim.removeprefix(_CUSTOM_PREFIX)


# ``custom:school`` is no longer read (schools come from the directory), but Cognito
# cannot remove a custom attribute from an existing pool, so it stays declared.
SCHOOL_CLAIM = "custom:school"
TENANT_ATTRIBUTES = (_custom_name(DISTRICT_CLAIM), _custom_name(SCHOOL_CLAIM))
# A web client served on this machine may sign in against a deployed pool.
LOCAL_WEB_URL = "http://localhost:8000/"
OAUTH_SCOPES = ("openid", "email", "profile")
ID_TOKEN_MINUTES = 15
_STANDARD_READ = ("email", "email_verified", "name")
# The display name, like the tenant, is set by admins and rostering only: the API
# shows it to others (comments, sharing), so a user must not rename themselves.
_STANDARD_WRITE = ("email",)
# What the sign-in accounts worker calls (chalicelib/directory/accounts.py CognitoAccounts),
# on this pool only; tests/infrastructure compares it with the code's calls.
ACCOUNT_ACTIONS = (
    "cognito-idp:ListUsers",
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminDisableUser",
)


def client_settings(callback_urls: list[str], identity_providers: list[str]) -> dict[str, Any]:
    """The app client, as CloudFormation and UpdateUserPoolClient both spell it.

    Public (no secret: GenerateSecret is set at creation only), SRP for the
    phone app, the authorization-code grant for the web (PKCE by the client).
    Custom attributes and the name are readable, never writable: a user cannot
    move to another district or school, nor rename themselves. Without callback
    URLs the hosted-UI flow is off (Cognito requires one to enable it).
    ``identity_providers``: the hosted UI's ways in ("COGNITO" is the pool's own
    password form; the others the district's providers, a button each).
    """
    oauth: dict[str, Any] = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": list(OAUTH_SCOPES),
        "SupportedIdentityProviders": list(identity_providers),
        "CallbackURLs": callback_urls,
        "LogoutURLs": callback_urls,
    }
    if not callback_urls:
        oauth = {
            "AllowedOAuthFlowsUserPoolClient": False,
            "SupportedIdentityProviders": list(identity_providers),
        }
    return {
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        # Short ID tokens: the web client renews them with the refresh token (oidc-client-ts)
        # before they end, so a stolen one is worth minutes, and a change in the directory
        # is never behind by more (the API reads it on every request anyway).
        "IdTokenValidity": ID_TOKEN_MINUTES,
        "AccessTokenValidity": ID_TOKEN_MINUTES,
        "RefreshTokenValidity": 30 * 24 * 60,
        "TokenValidityUnits": {
            "IdToken": "minutes",
            "AccessToken": "minutes",
            "RefreshToken": "minutes",
        },
        "ReadAttributes": sorted(
            [*_STANDARD_READ, *(f"{_CUSTOM_PREFIX}{a}" for a in TENANT_ATTRIBUTES)]
        ),
        "WriteAttributes": sorted(_STANDARD_WRITE),
        **oauth,
    }


class Identity(Construct):
    """User pool (admin-created users, groups per Role), and the app client the API trusts."""

    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = self._user_pool(config)
        for role in Role:
            cognito.CfnUserPoolGroup(
                self,
                f"Group{role.value.capitalize()}",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=role.value,
                description=f"ClassReel {role.value}s",
            )
        self.domain = self.user_pool.add_domain(
            "HostedUi",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=config.hosted_ui_prefix),
        )
        self.password_sign_in = config.offers_password_sign_in
        self.providers = config.identity_providers
        provider_resources = [self._provider(provider) for provider in self.providers]
        self.client = cognito.CfnUserPoolClient(
            self,
            "AppClient",
            user_pool_id=self.user_pool.user_pool_id,
            generate_secret=False,
        )
        # Cognito refuses a client naming a provider the pool does not have yet.
        for resource in provider_resources:
            self.client.add_dependency(resource)
        self._local_urls = [LOCAL_WEB_URL] if config.allows_local_sign_in else []
        for name, value in client_settings(self._local_urls, self.sign_in_options).items():
            self.client.add_property_override(name, value)

    @property
    def sign_in_options(self) -> list[str]:
        """SupportedIdentityProviders: the pool's password form (where offered), then the
        district's providers in the order the stage names them."""
        return [*(["COGNITO"] if self.password_sign_in else []), *(p.name for p in self.providers)]

    def _provider(self, provider: IdentityProvider) -> cognito.CfnUserPoolIdentityProvider:
        details: dict[str, str]
        if provider.cognito_type == "SAML":
            details = {"MetadataURL": provider.metadata_url}
        else:
            secret = provider.client_secret
            if secret is None:
                raise ValueError(f"{provider.name}: an OpenID Connect provider has a secret")
            details = {
                "client_id": provider.client_id,
                # A dynamic reference, resolved by CloudFormation at deploy time: the
                # template never holds the secret.
                "client_secret": SecretValue.secrets_manager(
                    secret.name, json_field=secret.json_field
                ).unsafe_unwrap(),
                "oidc_issuer": provider.issuer,
                "authorize_scopes": " ".join(provider.scopes),
                "attributes_request_method": "GET",
            }
        return cognito.CfnUserPoolIdentityProvider(
            self,
            f"Provider{re.sub(r'[^A-Za-z0-9]', '', provider.name)}",
            user_pool_id=self.user_pool.user_pool_id,
            provider_name=provider.name,
            provider_type=provider.cognito_type,
            provider_details=details,
            attribute_mapping=provider.attribute_mapping(),
        )

    @property
    def client_id(self) -> str:
        return self.client.ref

    @property
    def hosted_ui_url(self) -> str:
        """``https://{prefix}.auth.{region}.amazoncognito.com``: authorize, token, logout."""
        return self.domain.base_url()

    def allow_web_origin(self, web_url: str) -> None:
        """Add the deployed web client's address to the callback and logout URLs."""
        update = cr.AwsSdkCall(
            service="CognitoIdentityServiceProvider",
            action="updateUserPoolClient",
            parameters={
                "UserPoolId": self.user_pool.user_pool_id,
                "ClientId": self.client_id,
                **client_settings([web_url, *self._local_urls], self.sign_in_options),
            },
            physical_resource_id=cr.PhysicalResourceId.of(self.client_id),
        )
        cr.AwsCustomResource(
            self,
            "WebCallbacks",
            on_create=update,
            on_update=update,
            policy=cr.AwsCustomResourcePolicy.from_sdk_calls(
                resources=[self.user_pool.user_pool_arn]
            ),
            install_latest_aws_sdk=False,
        )
        # The custom resources' shared provider function: one per stack, named by CDK.
        provider = Stack.of(self).node.find_child(
            "AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", "")
        )
        suppress(
            provider,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "The provider of the callback-URL custom resource only writes its own logs, which "
            "is all AWSLambdaBasicExecutionRole allows; its one API call is granted separately "
            "on this user pool only.",
        )
        # CDK writes DependsOn its role beside GetAtt of the same role (cfn-lint W3005).
        function = provider.node.default_child
        if isinstance(function, CfnResource):
            function.add_deletion_override("DependsOn")

    def _user_pool(self, config: DeploymentConfig) -> cognito.UserPool:
        pool = cognito.UserPool(
            self,
            "Users",
            user_pool_name=config.name("users"),
            # District administrators invite their staff; nobody signs up alone.
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            custom_attributes={
                name: cognito.StringAttribute(min_len=1, max_len=64, mutable=True)
                for name in TENANT_ATTRIBUTES
            },
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(7),
            ),
            # Invitations (chalicelib/directory/accounts.py) and password resets: Cognito's
            # own email sends 50 a day, too few for a district's first roster import.
            email=cognito.UserPoolEmail.with_ses(
                from_email=f"notifications@{config.email_domain}",
                from_name="ClassReel",
                ses_verified_domain=config.email_domain,
                ses_region=Aws.REGION,
            )
            if config.invitations_from_ses
            else None,
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            # Plus: compromised-credential checks and adaptive (risk-based)
            # challenges for accounts that can see classroom video of children.
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        suppress(
            pool,
            "AwsSolutions-COG2",
            "MFA is offered (TOTP) and Plus-tier threat protection challenges risky sign-ins; "
            "requiring a second factor for every sign-in from a classroom phone is each "
            "district's decision, usually enforced by its own identity provider.",
        )
        return pool

    @property
    def issuer(self) -> str:
        """What Cognito writes in ``iss``; the API checks tokens against it."""
        return f"https://cognito-idp.{Aws.REGION}.amazonaws.com/{self.user_pool.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    def environment(self) -> dict[str, str]:
        environment = {
            "CLASSREEL_JWT_ISSUER": self.issuer,
            "CLASSREEL_JWKS_URL": self.jwks_url,
            # ID tokens carry the app client id as their audience.
            "CLASSREEL_JWT_AUDIENCE": self.client_id,
            # One person however they sign in (password, Google, Microsoft): the directory
            # finds them by the token's verified email (chalicelib/directory/membership.py).
            "CLASSREEL_JWT_PEOPLE_MATCH": "email",
        }
        trusted = [p.name for p in self.providers if p.trusted_for_email]
        if trusted:
            # Their tokens carry no email_verified: their emails are the district's own.
            environment["CLASSREEL_JWT_TRUSTED_EMAIL_PROVIDERS"] = json.dumps(trusted)
        return environment

    def accounts_environment(self) -> dict[str, str]:
        """For the functions that change the directory (the API) and keep the pool's users
        in step with it (the sign-in accounts worker): people invited by email, disabled
        when switched off (chalicelib/directory/accounts.py). A stage that only federates
        keeps none: its people are matched by email, refused when switched off."""
        if not self.password_sign_in:
            return {"CLASSREEL_SIGN_IN_ACCOUNTS": "none"}
        return {
            "CLASSREEL_SIGN_IN_ACCOUNTS": "cognito",
            "CLASSREEL_COGNITO_USER_POOL_ID": self.user_pool.user_pool_id,
        }

    def manage_users_statements(self) -> list[iam.PolicyStatement]:
        if not self.password_sign_in:
            return []
        return [
            iam.PolicyStatement(
                sid="KeepUsersWithTheDirectory",
                actions=list(ACCOUNT_ACTIONS),
                resources=[self.user_pool.user_pool_arn],
            )
        ]
