"""Cognito: the API's roles as groups, the tenant as admin-set custom attributes."""

from __future__ import annotations

from typing import Any

from chalicelib.auth.principal import DISTRICT_CLAIM, SCHOOL_CLAIM
from tests.infrastructure.conftest import Synthesized


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
