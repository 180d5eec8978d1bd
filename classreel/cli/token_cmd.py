from __future__ import annotations

import os
from pathlib import Path

import click

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Role
from chalicelib.config import Settings, get_settings, reset_settings_cache
from chalicelib.db.base import configure_models
from classreel.local.dev_sign_in import sign_in
from classreel.local.stack import read_state


def _local_stack_settings(data_dir: str | None) -> Settings:
    """The running local stack's table: dev tokens only mean something there."""
    settings = get_settings()
    if settings.dynamodb_endpoint_url:
        return settings
    state = read_state(Path(data_dir) if data_dir else settings.data_dir)
    if state is None:
        raise click.ClickException(
            "no local stack is running (`make run` starts one): dev tokens are for it only"
        )
    # The local services accept any credentials; boto3 only needs some.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ["CLASSREEL_DYNAMODB_ENDPOINT_URL"] = str(state["dynamodb_url"])
    reset_settings_cache()
    configure_models()
    return get_settings()


@click.command("dev-token")
@click.option("--user", "user_id", required=True, help="User id (the token's subject).")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--district", required=True, help="District id the user belongs to.")
@click.option("--school", default=None, help="School id (teachers and coaches have one).")
@click.option("--name", default=None, help="Display name (for a person new to the directory).")
@click.option("--ttl", "ttl_s", type=int, default=None, help="Lifetime in seconds.")
@click.option("--data-dir", default=None, help="A local stack's data dir (default: .classreel/).")
def dev_token(
    user_id: str,
    role: str,
    district: str,
    school: str | None,
    name: str | None,
    ttl_s: int | None,
    data_dir: str | None,
) -> None:
    """Print a token signed by the local dev issuer (local stack only).

    The person is registered in the local directory with this role and school (added to
    what they already have), since the API reads roles and schools from there.
    """
    settings = _local_stack_settings(data_dir)
    click.echo(
        sign_in(
            DevIssuer(settings),
            user_id=user_id,
            role=Role(role),
            district=district,
            school=school,
            name=name,
            ttl_s=ttl_s,
        )
    )
