from __future__ import annotations

from chalice.app import Response

from chalicelib.api.openapi import build_spec, render_docs
from chalicelib.api.routing import ApiBlueprint

docs_api = ApiBlueprint(__name__)


@docs_api.route("/openapi.json", public=True, summary="This API's OpenAPI 3 document")
def openapi_document() -> Response:
    return Response(body=build_spec())


@docs_api.route("/docs", public=True, summary="Human-readable API reference")
def api_docs() -> Response:
    return Response(
        body=render_docs(build_spec()), headers={"Content-Type": "text/html; charset=utf-8"}
    )
