"""The middleware asks the directory who a verified identity is, once per request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.exceptions import EndpointConnectionError
from pynamodb.exceptions import QueryError

from chalicelib.api import middleware
from chalicelib.auth.principal import Identity, PeopleMatch, Principal, Role
from chalicelib.directory import membership
from chalicelib.errors import DependencyUnavailable
from tests.support.principals import StaticDirectory, person

ANA = Identity(subject="ana", match=PeopleMatch.SUBJECT, district="district-a")


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    middleware.install_people_resolver(membership.resolve)


def test_the_installed_directory_decides_roles() -> None:
    middleware.install_people_resolver(StaticDirectory(person("ana", Role.COACH)))
    assert middleware.principal_for(ANA).roles == {Role.COACH}


def test_without_a_directory_nobody_is_authorized() -> None:
    middleware._resolver.clear()
    with pytest.raises(RuntimeError, match="nobody can be authorized"):
        middleware.principal_for(ANA)


def test_a_directory_out_of_reach_is_a_503_not_a_500() -> None:
    def unreachable(identity: Identity) -> Principal:
        cause = EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
        raise QueryError("query failed") from cause

    middleware.install_people_resolver(unreachable)
    with pytest.raises(DependencyUnavailable):
        middleware.principal_for(ANA)
