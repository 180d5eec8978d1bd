"""The OpenAPI document covers every route, from the same models the handlers use."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

import app as application
from chalicelib.api.openapi import build_spec, render_docs
from chalicelib.api.routing import ROUTES


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return build_spec()


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_every_chalice_route_is_documented(spec: dict[str, Any]) -> None:
    served = {
        (path, method.lower())
        for path, methods in application.app.routes.items()
        for method in methods
    }
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert served == documented


def test_every_route_went_through_the_api_blueprint() -> None:
    registered = {(r.path, r.method) for r in ROUTES}
    served = {(p, m) for p, methods in application.app.routes.items() for m in methods}
    assert served <= registered, "a route bypassed ApiBlueprint (no auth/outage handling)"


def test_bodies_and_auth_are_described(spec: dict[str, Any]) -> None:
    create = spec["paths"]["/videos"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CreateVideoRequest"
    }
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "CreateVideoResponse"
    )
    assert create["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/health"]["get"]["security"] == []
    listing = {p["name"] for p in spec["paths"]["/videos"]["get"]["parameters"]}
    assert listing == {"scope", "status", "cursor", "limit"}
    assert "CommentView" in spec["components"]["schemas"]


def test_docs_page_lists_every_operation(spec: dict[str, Any]) -> None:
    page = render_docs(spec)
    for path, operations in spec["paths"].items():
        for method in operations:
            assert f"<code>{method.upper()}</code></td><td><code>{path}" in page
