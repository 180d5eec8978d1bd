"""`classreel directory add-admin`: a district's first administrator (or one more).

Everything else in the directory is done by an admin through the API (people, groups, a
roster import); somebody has to be the first. This writes them straight to a stage's table
with the operator's own AWS credentials (or, with none of ``--stage``, to what the
``CLASSREEL_*`` settings name: the local twin), audited as the system, and hands them to
the stage's sign-in accounts: on a stage with password sign-in the worker invites them by
email; on a stage that federates they simply sign in with the district's provider, matched
by this email. A roster import later finds them by the same email and manages them from
then on.
"""

from __future__ import annotations

import os
import re

import click

from chalicelib.auth.principal import Role
from chalicelib.config import Settings, get_settings
from chalicelib.db.base import configure_models
from chalicelib.directory import service
from chalicelib.directory.accounts import queue_reconciles, sign_in_accounts
from chalicelib.directory.models import EmailClaim, PersonRecord
from chalicelib.directory.rules import is_valid_id, normalize_email
from chalicelib.errors import Conflict


@click.group()
def directory() -> None:
    """The district directory, as an operator (admins use the API and the web client)."""


def _stage_settings(stage: str, region: str | None) -> Settings:
    """A deployed stage's names (infrastructure/deployment.py: classreel-{stage}-...)."""
    return get_settings().model_copy(
        update={
            "table_name": f"classreel-{stage}-data",
            "queue_prefix": f"classreel-{stage}",
            "queue_urls": {},
            "region": region or os.environ.get("AWS_REGION") or get_settings().region,
            "dynamodb_endpoint_url": None,
            "sqs_endpoint_url": None,
            "sign_in_accounts": "cognito",
        }
    )


def _whose(email: str, district: str, person_id: str | None) -> str:
    """The directory id of whoever has ``email`` in the district already, else a new one."""
    claim = EmailClaim.find(email)
    if claim is not None and claim.district != district:
        raise click.ClickException(f"{email} belongs to someone of another district")
    if claim is not None and person_id not in (None, claim.person_id):
        raise click.ClickException(f"{email} is {claim.person_id}'s, not {person_id}'s")
    chosen = str(claim.person_id) if claim is not None else person_id
    chosen = chosen or re.sub(r"[^A-Za-z0-9._-]", "-", email.partition("@")[0])
    if not is_valid_id(chosen) or not is_valid_id(district):
        raise click.BadParameter("ids are letters, digits and . _ : @ -", param_hint="--id")
    return chosen


@directory.command("add-admin")
@click.option("--district", required=True, help="The district's id (as the directory has it).")
@click.option("--email", required=True, help="Their email: how they are found at sign-in.")
@click.option("--name", required=True, help="Their name, as colleagues will see it.")
@click.option("--id", "person_id", default=None, help="Directory id (default: from the email).")
@click.option("--stage", default=None, help="A deployed stage (its table and queues).")
@click.option("--region", default=None, help="With --stage: its region (default: AWS_REGION).")
def add_admin(
    district: str,
    email: str,
    name: str,
    person_id: str | None,
    stage: str | None,
    region: str | None,
) -> None:
    """Make EMAIL an administrator of DISTRICT (added if new, the role added if not)."""
    address = normalize_email(email)
    if address is None:
        raise click.BadParameter(f"{email!r} is not an email address", param_hint="--email")
    settings = _stage_settings(stage, region) if stage else get_settings()
    configure_models(settings)
    person_id = _whose(address, district, person_id)
    try:
        service.ensure_person(district, person_id, Role.ADMIN, None, name, email=address)
    except Conflict as exc:
        raise click.ClickException(str(exc)) from exc
    person = PersonRecord.get(*PersonRecord.key(district, person_id), consistent_read=True)
    if not person.active:
        raise click.ClickException(
            f"{person_id} is switched off in {district}: an admin must switch them on"
        )
    if stage:
        # Also when they were there already: their Cognito user is made if it is missing.
        queue_reconciles(district, [person_id], settings)
    else:
        sign_in_accounts(settings).sync(created=[person], updated=[], deactivated=[])
    click.echo(f"{person.display_name} ({address}) is an admin of {district} as {person_id}.")
