"""`classreel directory add-admin`: a district's first administrator, written by an operator
(in AWS with `--stage`, against the stage's table; here against the local twin), who can
then sign in, be found by email, and import the roster that adopts them by that email."""

from __future__ import annotations

import json
import secrets

import pytest
from click.testing import CliRunner, Result

from chalicelib.auth.dev_issuer import DevIssuer
from classreel.cli.main import cli
from classreel.local.stack import LocalStack
from tests.support.api import Api
from tests.support.roster_bundle import district

pytestmark = pytest.mark.integration


def _add_admin(*args: str) -> Result:
    """The command as an operator runs it (in this process: it talks to the local twin)."""
    return CliRunner().invoke(cli, ["directory", "add-admin", *args])


def test_the_first_admin_signs_in_and_imports_the_roster_that_adopts_them(
    local_stack: LocalStack,
) -> None:
    name = f"d-{secrets.token_hex(4)}"
    made = district(schools=2, staff=10, domain=f"{name}.example")
    email = made.staff["u-00000"].email  # the roster's own administrator
    added = _add_admin(
        "--district", name, "--email", email.upper(), "--name", "Ana First", "--id", "ana-first"
    )
    assert added.exit_code == 0, added.output
    assert f"is an admin of {name} as ana-first" in added.output

    admin = Api(
        local_stack.api_url,
        DevIssuer(local_stack.settings()).mint(user_id="ana-first", district=name),
    )
    me = admin.ok("GET", "/me")
    assert me["roles"] == ["admin"] and me["email"] == email
    # `make run`'s sign-in provider has the account too (in AWS: the pool's, or none).
    accounts = json.loads(local_stack.settings().local_accounts_path.read_text())["people"]
    assert accounts["ana-first"]["email"] == email and accounts["ana-first"]["enabled"] is True

    dry = admin.ok("POST", "/directory/imports", json={"files": made.files("1.2")})
    assert dry["can_apply"] is True, dry["errors"]
    assert "u-00000" not in [p["id"] for p in dry["creates"]], "matched by email, not made"
    assert "ana-first" in [p["id"] for p in dry["updates"]]

    again = _add_admin("--district", name, "--email", email, "--name", "Ana First")
    assert again.exit_code == 0 and "as ana-first" in again.output, "found by email"
    other_id = _add_admin("--district", name, "--email", email, "--name", "A", "--id", "x-1")
    assert other_id.exit_code != 0 and "is ana-first's" in other_id.output
    elsewhere = _add_admin("--district", f"{name}-b", "--email", email, "--name", "A")
    assert elsewhere.exit_code != 0 and "another district" in elsewhere.output
    not_email = _add_admin("--district", name, "--email", "nobody", "--name", "A")
    assert not_email.exit_code != 0 and "--email" in not_email.output
