"""HTTP routes for a clip's face redaction. Thin: parse, call the service, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.config import get_settings
from chalicelib.redaction import service
from chalicelib.redaction.schemas import (
    RedactionView,
    RegionsRequest,
    SignOffRequest,
    StartRedactionRequest,
)

redaction_api = ApiBlueprint(__name__)


@redaction_api.route(
    "/clips/{clip_id}/redaction",
    methods=["POST"],
    summary="Blur students' faces in the clip, keeping the faces clicked (the teacher)",
    request_model=StartRedactionRequest,
    response_model=RedactionView,
    status=202,
)
def start_redaction(clip_id: str) -> Response:
    request = parse_body(redaction_api.current_request, StartRedactionRequest)
    record = service.start(current_principal(), clip_id, request, get_settings())
    return json_response(service.view(record), 202)


@redaction_api.route(
    "/clips/{clip_id}/redaction",
    summary="The clip's redaction: progress, kept faces, moments to check, sign-off",
    response_model=RedactionView,
)
def get_redaction(clip_id: str) -> Response:
    return json_response(service.view(service.get(current_principal(), clip_id)))


@redaction_api.route(
    "/clips/{clip_id}/redaction/regions",
    methods=["PUT"],
    summary="Correct the redaction: regions to blur as well, or not to blur",
    request_model=RegionsRequest,
    response_model=RedactionView,
    status=202,
)
def set_regions(clip_id: str) -> Response:
    request = parse_body(redaction_api.current_request, RegionsRequest)
    record = service.set_regions(current_principal(), clip_id, request, get_settings())
    return json_response(service.view(record), 202)


@redaction_api.route(
    "/clips/{clip_id}/redaction/sign-off",
    methods=["POST"],
    summary="A reviewer confirms students' privacy is respected in the redacted version",
    request_model=SignOffRequest,
    response_model=RedactionView,
)
def sign_off(clip_id: str) -> Response:
    request = parse_body(redaction_api.current_request, SignOffRequest)
    return json_response(service.view(service.sign_off(current_principal(), clip_id, request)))
