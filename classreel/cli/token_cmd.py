from __future__ import annotations

import click

from chalicelib.auth.dev_issuer import DevIssuer
from chalicelib.auth.principal import Role
from chalicelib.config import get_settings


@click.command("dev-token")
@click.option("--user", "user_id", required=True, help="User id (the token's subject).")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--district", required=True, help="District id the user belongs to.")
@click.option("--school", default=None, help="School id (teachers and coaches have one).")
@click.option("--name", default=None, help="Display name.")
@click.option("--ttl", "ttl_s", type=int, default=None, help="Lifetime in seconds.")
def dev_token(
    user_id: str, role: str, district: str, school: str | None, name: str | None, ttl_s: int | None
) -> None:
    """Print a token signed by the local dev issuer (local stack only)."""
    issuer = DevIssuer(get_settings())
    click.echo(
        issuer.mint(
            user_id=user_id,
            role=Role(role),
            district=district,
            school=school,
            name=name,
            ttl_s=ttl_s,
        )
    )
