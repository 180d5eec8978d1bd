"""Cognito: who may sign in, with the groups and attributes the API reads from ID tokens.

The API verifies Cognito ID tokens itself (chalicelib/auth/tokens.py): issuer,
audience (this app client), signature against the pool's JWKS. It reads the
role from ``cognito:groups`` and the tenant from ``custom:district`` and
``custom:school`` (chalicelib/auth/principal.py), so those claims must be set
by an administrator, never by the user: the app client may read them but not
write them.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from chalicelib.auth.principal import DISTRICT_CLAIM, SCHOOL_CLAIM, Role
from infrastructure.deployment import DeploymentConfig
from infrastructure.nag import suppress

_CUSTOM_PREFIX = "custom:"


def _custom_name(claim: str) -> str:
    """``custom:district`` in the token is the custom attribute ``district`` in the pool."""
    if not claim.startswith(_CUSTOM_PREFIX):
        raise ValueError(f"{claim} is not a Cognito custom attribute claim")
    return claim.removeprefix(_CUSTOM_PREFIX)


TENANT_ATTRIBUTES = (_custom_name(DISTRICT_CLAIM), _custom_name(SCHOOL_CLAIM))


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
        self.client = self._client()

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

    def _client(self) -> cognito.UserPoolClient:
        return self.user_pool.add_client(
            "AppClient",
            # The web client and the phone app: public clients, no secret.
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            prevent_user_existence_errors=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, fullname=True, email_verified=True)
            .with_custom_attributes(*TENANT_ATTRIBUTES),
            # No custom attributes here: a user cannot move to another district.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, fullname=True
            ),
        )

    @property
    def issuer(self) -> str:
        """What Cognito writes in ``iss``; the API checks tokens against it."""
        return f"https://cognito-idp.{Aws.REGION}.amazonaws.com/{self.user_pool.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    def environment(self) -> dict[str, str]:
        return {
            "CLASSREEL_JWT_ISSUER": self.issuer,
            "CLASSREEL_JWKS_URL": self.jwks_url,
            # ID tokens carry the app client id as their audience.
            "CLASSREEL_JWT_AUDIENCE": self.client.user_pool_client_id,
        }
