"""HTTP routes for library consent requests. Thin: parse, call a service, shape."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.api.bodies import parse_body
from chalicelib.api.context import current_principal
from chalicelib.api.routing import ApiBlueprint, json_response
from chalicelib.consent import service
from chalicelib.consent.schemas import (
    AnswerConsentRequest,
    AskConsentRequest,
    ConsentRequestList,
    ConsentRequestView,
    LibraryConsentView,
)

consent_api = ApiBlueprint(__name__)


@consent_api.route(
    "/clips/{clip_id}/library-consent",
    summary="May this clip go to the library: the recording's consent in plain words",
    response_model=LibraryConsentView,
)
def library_consent(clip_id: str) -> Response:
    return json_response(service.library_consent(current_principal(), clip_id))


@consent_api.route(
    "/clips/{clip_id}/consent-requests",
    methods=["POST"],
    summary="Ask the teacher for library consent; the nomination goes to review once given",
    request_model=AskConsentRequest,
    response_model=ConsentRequestView,
    status=201,
)
def ask(clip_id: str) -> Response:
    request = parse_body(consent_api.current_request, AskConsentRequest)
    record = service.ask(current_principal(), clip_id, request)
    return json_response(service.request_view(record), 201)


@consent_api.route(
    "/videos/{video_id}/consent-requests",
    summary="Requests for the teacher's library consent, newest first",
    response_model=ConsentRequestList,
)
def list_requests(video_id: str) -> Response:
    records = service.requests_of_video(current_principal(), video_id)
    return json_response(ConsentRequestList(items=[service.request_view(r) for r in records]))


@consent_api.route(
    "/videos/{video_id}/consent-requests/{request_id}/answer",
    methods=["POST"],
    summary="The teacher agrees (the recording's library consent is given) or declines",
    request_model=AnswerConsentRequest,
    response_model=ConsentRequestView,
)
def answer(video_id: str, request_id: str) -> Response:
    request = parse_body(consent_api.current_request, AnswerConsentRequest)
    record = service.answer(current_principal(), video_id, request_id, request.agree)
    return json_response(service.request_view(record))
