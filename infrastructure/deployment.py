"""What differs between deployments, read from CDK context (``cdk deploy -c key=value``).

Everything the app itself reads at run time stays in ``chalicelib/config.py``;
this is only what the infrastructure decides per deployment (names, retention,
sizes). Context given on the command line arrives as strings, so every value is
parsed here, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_logs as logs
from constructs import Node

from chalicelib.config import Settings
from infrastructure import identity_providers
from infrastructure.identity_providers import IdentityProvider, IdentityProviderError

# Bucket names must be globally unique and DNS-safe; the stage goes into every
# resource name, so it is kept short and plain.
_STAGE = re.compile(r"^[a-z][a-z0-9-]{1,15}$")
# Cognito domain prefixes: lowercase letters, digits and inner hyphens; unique
# in the region across all AWS accounts; "aws", "amazon", "cognito" are reserved.
_AUTH_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_AUTH_DOMAIN_RESERVED = ("aws", "amazon", "cognito")
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class DeploymentConfigError(ValueError):
    """A context value is missing a sane value; synth stops with this sentence."""


@dataclass(frozen=True)
class DeploymentConfig:
    # Prefix of every physical name: classreel-{stage}-...
    stage: str = "dev"
    # An overwritten or expired upload keeps its old version this long (the
    # worker deletes refused second uploads itself; this is the safety net).
    noncurrent_version_days: int = 3
    # Origins allowed to PUT/POST uploads from a browser. "*" is safe because
    # every request is authorized by its presigned signature, not by origin.
    cors_origins: tuple[str, ...] = ("*",)
    # Alarms publish to an SNS topic; this address (optional) is subscribed.
    alarm_email: str | None = None
    # How many ingest jobs may run at once (bounds Lambda concurrency and cost).
    ingest_max_concurrency: int = 10
    # How many segment tasks (a lesson's chunks, sound, finalize) may run at once: a
    # 60-minute lesson is about 120 chunk tasks, ready in two waves at 60 (bench/SEGMENTS.md).
    segment_max_concurrency: int = 60
    # The ingest worker's memory: Lambda gives one vCPU per 1,769 MB, up to 6.
    ingest_memory_mb: int = 10240
    log_retention_days: int = 90
    # The Cognito hosted UI's domain prefix: https://{prefix}.auth.{region}.amazoncognito.com.
    # Defaults to classreel-{stage}; prefixes are unique per region, so a
    # district deploying its own copy may need another (-c authDomainPrefix=...).
    auth_domain_prefix: str | None = None
    # Whether a web client on a developer's machine (http://localhost:8000/) may sign
    # in against this stage's user pool: by default only the local stage.
    local_sign_in: bool | None = None
    # The domain notifications are mailed from (notifications@{domain}), verified in SES
    # by the DKIM records the stack outputs. The default cannot be verified: until a
    # district names its own (-c emailDomain=mail.district.org) SES sends nothing.
    email_domain: str = "classreel.invalid"
    # The district's own sign-in: Google Workspace, Microsoft Entra ID, other OpenID Connect
    # or SAML providers (infrastructure/identity_providers.py), buttons on the hosted UI.
    identity_providers: tuple[IdentityProvider, ...] = ()
    # Whether the pool's own password accounts are offered too (and kept in step with the
    # directory, invited by email): by default only where the stage names no provider.
    password_sign_in: bool | None = None
    # Cognito mails invitations through SES from notifications@{email_domain} (verified
    # first) instead of its own email, which sends 50 a day: a first roster import needs it.
    invitations_from_ses: bool = False

    @classmethod
    def from_context(cls, node: Node) -> DeploymentConfig:
        defaults = cls()

        def value(key: str, default: Any) -> Any:
            found = node.try_get_context(key)
            return default if found is None else found

        origins = value("corsOrigins", ",".join(defaults.cors_origins))
        config = cls(
            stage=str(value("stage", defaults.stage)),
            noncurrent_version_days=_positive_int(
                "noncurrentVersionDays",
                value("noncurrentVersionDays", defaults.noncurrent_version_days),
            ),
            cors_origins=tuple(o.strip() for o in str(origins).split(",") if o.strip()),
            alarm_email=value("alarmEmail", None) or None,
            ingest_max_concurrency=_positive_int(
                "ingestMaxConcurrency",
                value("ingestMaxConcurrency", defaults.ingest_max_concurrency),
            ),
            segment_max_concurrency=_positive_int(
                "segmentMaxConcurrency",
                value("segmentMaxConcurrency", defaults.segment_max_concurrency),
            ),
            ingest_memory_mb=_positive_int(
                "ingestMemoryMb", value("ingestMemoryMb", defaults.ingest_memory_mb)
            ),
            log_retention_days=_positive_int(
                "logRetentionDays", value("logRetentionDays", defaults.log_retention_days)
            ),
            auth_domain_prefix=value("authDomainPrefix", None) or None,
            local_sign_in=_optional_bool("localSignIn", value("localSignIn", None)),
            email_domain=str(value("emailDomain", defaults.email_domain)).strip().lower(),
            identity_providers=_identity_providers(node),
            password_sign_in=_optional_bool("passwordSignIn", value("passwordSignIn", None)),
            invitations_from_ses=bool(
                _optional_bool("invitationsFromSes", value("invitationsFromSes", None))
            ),
        )
        config.validate()
        return config

    def validate(self) -> None:
        if not _STAGE.match(self.stage):
            raise DeploymentConfigError(
                f"stage {self.stage!r}: 2-16 characters, lowercase letters, digits and '-'"
            )
        if not self.cors_origins:
            raise DeploymentConfigError("corsOrigins: give at least one origin (or '*')")
        if not 2 <= self.ingest_max_concurrency <= 1000:
            # SQS event source mappings accept a maximum concurrency of 2..1000.
            raise DeploymentConfigError("ingestMaxConcurrency must be between 2 and 1000")
        if not 2 <= self.segment_max_concurrency <= 1000:
            raise DeploymentConfigError("segmentMaxConcurrency must be between 2 and 1000")
        if self.log_retention_days > max(_RETENTION_DAYS.values()):
            raise DeploymentConfigError("logRetentionDays is longer than CloudWatch Logs keeps")
        if not 128 <= self.ingest_memory_mb <= 10240:
            raise DeploymentConfigError("ingestMemoryMb must be between 128 and 10240")
        if not _DOMAIN.match(self.email_domain):
            raise DeploymentConfigError(
                f"emailDomain {self.email_domain!r}: a domain name such as mail.district.org"
            )
        if not self.offers_password_sign_in and not self.identity_providers:
            raise DeploymentConfigError(
                "passwordSignIn=false needs identityProviders: nobody could sign in"
            )
        if self.invitations_from_ses and self.email_domain == DeploymentConfig.email_domain:
            raise DeploymentConfigError(
                "invitationsFromSes needs emailDomain: the verified domain SES sends from"
            )
        prefix = self.hosted_ui_prefix
        if not _AUTH_DOMAIN.match(prefix) or any(w in prefix for w in _AUTH_DOMAIN_RESERVED):
            raise DeploymentConfigError(
                f"authDomainPrefix {prefix!r}: up to 63 lowercase letters, digits and inner "
                f"'-', without {', '.join(_AUTH_DOMAIN_RESERVED)}"
            )

    @property
    def log_retention(self) -> logs.RetentionDays:
        """The shortest CloudWatch Logs retention that keeps logs ``log_retention_days``."""
        long_enough = [
            r
            for r in logs.RetentionDays
            if _RETENTION_DAYS.get(r.name, 0) >= self.log_retention_days
        ]
        return min(long_enough, key=lambda r: _RETENTION_DAYS[r.name])

    @property
    def allows_local_sign_in(self) -> bool:
        """A client at http://localhost:8000/ may use the hosted UI (the local stage only,
        unless ``-c localSignIn=true|false`` says otherwise)."""
        if self.local_sign_in is not None:
            return self.local_sign_in
        return self.stage in LOCAL_SIGN_IN_STAGES

    @property
    def offers_password_sign_in(self) -> bool:
        """The hosted UI's email-and-password form, and the pool's users that the directory
        invites (``-c passwordSignIn=true|false``; by default: when no provider is named)."""
        if self.password_sign_in is not None:
            return self.password_sign_in
        return not self.identity_providers

    @property
    def hosted_ui_prefix(self) -> str:
        """The Cognito domain prefix of the hosted sign-in pages."""
        return self.auth_domain_prefix or self.name("signin")

    def name(self, suffix: str) -> str:
        """The physical name of one resource: ``classreel-{stage}-{suffix}``."""
        return f"classreel-{self.stage}-{suffix}"

    @property
    def web_url_parameter(self) -> str:
        """The SSM parameter holding the web client's address, for links in emails: a
        literal name, so the functions can be told it before the distribution exists."""
        return f"/{self.name('web-url')}"


# CloudWatch Logs accepts only these retentions (aws_logs.RetentionDays by name).
_RETENTION_DAYS = {
    "ONE_DAY": 1,
    "THREE_DAYS": 3,
    "FIVE_DAYS": 5,
    "ONE_WEEK": 7,
    "TWO_WEEKS": 14,
    "ONE_MONTH": 30,
    "TWO_MONTHS": 60,
    "THREE_MONTHS": 90,
    "FOUR_MONTHS": 120,
    "FIVE_MONTHS": 150,
    "SIX_MONTHS": 180,
    "ONE_YEAR": 365,
    "THIRTEEN_MONTHS": 400,
    "EIGHTEEN_MONTHS": 545,
    "TWO_YEARS": 731,
    "FIVE_YEARS": 1827,
    "TEN_YEARS": 3653,
}


# Only a stage meant for a laptop trusts a callback on localhost; any deployed stage (dev
# included: it holds real sign-ins too) opts in with -c localSignIn=true.
LOCAL_SIGN_IN_STAGES = ("local",)


def _identity_providers(node: Node) -> tuple[IdentityProvider, ...]:
    try:
        return identity_providers.parse(
            node.try_get_context(identity_providers.CONTEXT_KEY),
            node.try_get_context(identity_providers.FILE_CONTEXT_KEY),
        )
    except IdentityProviderError as exc:
        raise DeploymentConfigError(str(exc)) from exc


def _optional_bool(key: str, raw: object) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise DeploymentConfigError(f"{key} must be true or false, not {raw!r}")


def _positive_int(key: str, raw: object) -> int:
    try:
        number = int(str(raw))
    except ValueError:
        raise DeploymentConfigError(f"{key} must be a whole number, not {raw!r}") from None
    if number <= 0:
        raise DeploymentConfigError(f"{key} must be positive, not {number}")
    return number


def app_defaults() -> Settings:
    """The app's own defaults (chalicelib/config.py), ignoring this shell's CLASSREEL_* vars.

    Timeouts and retry counts are decided once, in the app's settings; the stack
    sizes the queues and functions from them and hands them back to the
    functions as environment variables. A developer's local overrides must not
    leak into a deployment, hence defaults only.
    """
    return Settings.model_construct()


SETTINGS_PREFIX = "CLASSREEL_"


def check_setting_names(environment: dict[str, str]) -> None:
    """Every CLASSREEL_* variable handed to a function names a setting in chalicelib/config.py.

    pydantic-settings ignores unknown variables, so a typo here would deploy a
    function silently running on a local-twin default.
    """
    unknown = sorted(
        name
        for name in environment
        if name.startswith(SETTINGS_PREFIX)
        and name.removeprefix(SETTINGS_PREFIX).lower() not in Settings.model_fields
    )
    if unknown:
        raise DeploymentConfigError(f"not settings in chalicelib/config.py: {', '.join(unknown)}")
