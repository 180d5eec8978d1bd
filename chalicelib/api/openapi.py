"""The OpenAPI 3 document, generated from the route table and the pydantic models
the handlers themselves validate with, so it cannot drift from the code."""

from __future__ import annotations

import html
import re
from typing import Any

from pydantic import BaseModel

from chalicelib.api.routing import ROUTES, RouteSpec

_PATH_PARAM = re.compile(r"{([^}]+)}")
ERROR_STATUSES = {
    400: "Invalid input (the body names the field)",
    401: "Missing, invalid or expired token",
    403: "Visible, but your role may not do this",
    404: "Not found, or not visible to you",
    409: "Conflict with the current state (the body may carry it)",
    410: "Gone (e.g. an upload window has closed)",
    413: "Request body too large",
    429: "A quota or rate limit (the body names it; Retry-After says when to try again)",
    503: "A backing service is unavailable; retry shortly",
}


class ErrorBody(BaseModel):
    error: str
    message: str
    field: str | None = None


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas.setdefault(model.__name__, schema)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in prop.items() if k != "title"},
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation(route: RouteSpec, schemas: dict[str, Any]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(route.path)
    ]
    if route.query_model is not None:
        parameters += _query_parameters(route.query_model)
    success: dict[str, Any] = {"description": "Success"}
    if route.response_model is not None:
        body: dict[str, Any] = _ref(route.response_model, schemas)
        if route.response_is_list:
            body = {"type": "array", "items": body}
        success["content"] = {"application/json": {"schema": body}}
    responses: dict[str, Any] = {str(route.status): success}
    for status, model in route.other_responses.items():
        responses[str(status)] = {
            "description": ERROR_STATUSES.get(status, "See schema"),
            "content": {"application/json": {"schema": _ref(model, schemas)}},
        }
    error = {"content": {"application/json": {"schema": _ref(ErrorBody, schemas)}}}
    for status, description in ERROR_STATUSES.items():
        # A public route needs no sign-in, but callers without one are held to their
        # address's request rate (chalicelib/limits/): a 429 too.
        if route.public and status in (401, 403):
            continue
        responses.setdefault(str(status), {"description": description, **error})
    operation: dict[str, Any] = {
        "operationId": route.view_name,
        "summary": route.summary,
        "tags": [route.path.strip("/").split("/")[0] or "root"],
        "parameters": parameters,
        "responses": responses,
        "security": [] if route.public else [{"bearerAuth": []}],
    }
    if route.request_model is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(route.request_model, schemas)}},
        }
    return operation


def build_spec(routes: list[RouteSpec] | None = None) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes if routes is not None else ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ClassReel API",
            "version": "1.0.0",
            "description": "Classroom video coaching: uploads, feedback, clips, review, library. "
            "Every route but /health, /openapi.json and /docs needs a Bearer JWT.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


def render_docs(spec: dict[str, Any]) -> str:
    """A readable, dependency-free page of every operation (no CDN, no script)."""
    rows = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            auth = "" if not operation["security"] else " 🔒"
            rows.append(
                f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code>"
                f"</td><td>{html.escape(operation['summary'])}{auth}</td></tr>"
            )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>ClassReel API</title><style>body{font-family:system-ui,sans-serif;margin:2rem;"
        "max-width:70rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid "
        "#ddd;padding:.4rem;text-align:left;vertical-align:top}code{font-size:.9rem}</style>"
        "</head><body><h1>ClassReel API</h1><p>The machine-readable document is at "
        "<a href='/openapi.json'>/openapi.json</a>. 🔒 = needs a Bearer token.</p>"
        "<table><thead><tr><th scope='col'>Method</th><th scope='col'>Path</th>"
        "<th scope='col'>What it does</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>"
    )
