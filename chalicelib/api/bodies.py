"""Request bodies and query strings → validated pydantic models (or a 4xx naming the field)."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from chalice.app import Request
from pydantic import BaseModel, ValidationError

from chalicelib.errors import InvalidInput, PayloadTooLarge

MAX_JSON_BYTES = 256 * 1024
MAX_JSON_DEPTH = 32

Model = TypeVar("Model", bound=BaseModel)


def _depth(value: Any, limit: int, level: int = 0) -> int:
    if level > limit:
        return level
    if isinstance(value, dict):
        return max((_depth(v, limit, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, limit, level + 1) for v in value), default=level + 1)
    return level


def _field_name(error: dict[str, Any]) -> str:
    return ".".join(str(part) for part in error.get("loc", ())) or "body"


def validation_error(exc: ValidationError) -> InvalidInput:
    first = exc.errors()[0]
    field = _field_name(dict(first))
    message = str(first.get("msg", "is not valid"))
    return InvalidInput(f"{field}: {message}", field=field)


def parse_body(request: Request, model: type[Model], *, max_bytes: int = MAX_JSON_BYTES) -> Model:
    """``max_bytes``: a route that takes files (a roster bundle) allows more than the default."""
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode()
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"The request body is larger than {max_bytes // 1024} KiB")
    if not raw.strip():
        raise InvalidInput("The request body is missing: send a JSON object", field="body")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The request body is not valid UTF-8", field="body") from exc
    try:
        document: Any = json.loads(text)
    except RecursionError as exc:
        raise InvalidInput("The request body is nested too deeply", field="body") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The request body is not valid JSON: {exc.msg}", field="body") from exc
    if not isinstance(document, dict):
        raise InvalidInput("The request body must be a JSON object", field="body")
    if _depth(document, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise InvalidInput("The request body is nested too deeply", field="body")
    try:
        # Strict, as the schema says: 0 is not false, "3" is not 3. JSON strictness
        # still reads ISO 8601 text as dates.
        return model.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise validation_error(exc) from exc


def parse_query(request: Request, model: type[Model]) -> Model:
    params = dict(request.query_params or {})
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise validation_error(exc) from exc
